"""Token authentication that does not query the database on every request.

DRF's `TokenAuthentication` loads the token and its user with one query per request; on the
review loop (a claim, five span writes and a submit per document) that query and the ORM work
around it were an eighth of the web workers' time. This class remembers, for a short while, the
few user fields a request needs, in Django's cache (Redis when REDIS_URL is set, so every web
process shares it; per-process memory otherwise).

Revocation stays immediate: deleting a token (rotation, logout, the admin) and saving a user
(deactivation, a change of superuser status, a new password) drop the cached entries at once,
through `token_cache_forget`. The cache holds no password hash: the user is rebuilt with only
the fields below loaded, so anything else (e.g. `password`) is read from the database on access
and a `save()` writes only the loaded fields.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from typing import Any

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from redis.exceptions import RedisError
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

logger = logging.getLogger(__name__)

# How long a token's user is remembered; a revocation through any interface drops it at once.
TOKEN_CACHE_SECONDS = 60
_WANTED_FIELDS = {"id", "username", "is_active", "is_staff", "is_superuser"}
# In the model's own field order, which `Model.from_db` expects for a partial row.
_USER_FIELDS = [
    field.attname for field in User._meta.concrete_fields if field.attname in _WANTED_FIELDS
]


def _cache_key(key: str) -> str:
    # Hashed so that the cache never holds a usable token.
    return "factcheck:token:" + hashlib.sha256(key.encode()).hexdigest()


def token_cache_forget(*keys: str) -> None:
    """Drop the cached users of these token keys (after a token or its user changed)."""
    if not keys:
        return
    try:
        cache.delete_many([_cache_key(key) for key in keys])
    except RedisError:
        # Redis is down, so nothing can read the entry either; should it come back with the
        # entry still there, the entry lapses within TOKEN_CACHE_SECONDS.
        logger.warning("Could not drop %d cached token users: Redis is unreachable.", len(keys))


class CachedTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, with the token's user remembered briefly (see module doc)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        cache_key = _cache_key(key)
        try:
            values = cache.get(cache_key)
        except RedisError:
            # The API keeps working while Redis is down, one query per request as before.
            return super().authenticate_credentials(key)
        if values is None:
            user, token = super().authenticate_credentials(key)
            with contextlib.suppress(RedisError):
                cache.set(
                    cache_key,
                    [getattr(user, field) for field in _USER_FIELDS],
                    TOKEN_CACHE_SECONDS,
                )
            return user, token
        user = User.from_db(DEFAULT_DB_ALIAS, _USER_FIELDS, values)
        # Unsaved stand-in for the row DRF would have loaded; nothing here reads its fields.
        return user, Token(key=key, user=user)


def _forget_deleted_token(sender: type[Token], instance: Token, **kwargs: Any) -> None:
    token_cache_forget(instance.key)


def _forget_saved_users_tokens(sender: type[User], instance: User, **kwargs: Any) -> None:
    # Deactivation, a new password or a change of superuser status must not wait for expiry.
    token_cache_forget(*Token.objects.filter(user_id=instance.pk).values_list("key", flat=True))


def connect_token_cache_invalidation() -> None:
    """Drop cached token users whenever a token is deleted or a user saved, by any interface.

    Receivers rather than service calls because tokens and users also change through the admin,
    `createsuperuser` and `changepassword`, which call no service of ours; they only invalidate a
    cache and hold no domain logic.
    """
    from django.db.models.signals import post_delete, post_save

    post_delete.connect(_forget_deleted_token, sender=Token, dispatch_uid="factcheck-token-del")
    post_save.connect(_forget_saved_users_tokens, sender=User, dispatch_uid="factcheck-user-save")
