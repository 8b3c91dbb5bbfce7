"""API tokens for users who have proved who they are."""

from __future__ import annotations

from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token


def token_issue(*, user: User) -> str:
    """Return the user's API token, creating it on first use.

    Idempotent by the token table's one-per-user key; a single INSERT or SELECT.
    """
    token, _ = Token.objects.get_or_create(user=user)
    return str(token.key)
