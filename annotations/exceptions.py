"""Domain errors and the one API exception handler that maps them to a stable JSON shape.

Every error body is `{"code": str, "message": str, "fields": {name: [reasons]}}` (fields only
when input was invalid), whatever raised it: a serializer, a service, or the database.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import IntegrityError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class DomainError(Exception):
    """Base of errors that services raise for a caller to show to a user."""

    code = "error"
    http_status: int = status.HTTP_400_BAD_REQUEST

    def __init__(
        self,
        message: str,
        *,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.extra = extra or {}


class InvalidInput(DomainError):
    """The request's content is wrong: a field is missing, malformed or out of range."""

    code = "invalid"


class NotFound(DomainError):
    """The object does not exist for this caller (also used for objects they may not see)."""

    code = "not_found"
    http_status = status.HTTP_404_NOT_FOUND


class Forbidden(DomainError):
    """The caller can see the object but their role does not allow this action."""

    code = "permission_denied"
    http_status = status.HTTP_403_FORBIDDEN


class WrongState(DomainError):
    """The object is not in a state that allows this action (e.g. editing a submitted review)."""

    code = "wrong_state"
    http_status = status.HTTP_409_CONFLICT


class LeaseExpired(WrongState):
    """The assignment's lease ran out; ask the queue again to get the document back."""

    code = "lease_expired"


class Gone(DomainError):
    """The object existed but is no more (e.g. a job's file past its expiry)."""

    code = "gone"
    http_status = status.HTTP_410_GONE


class StaleVersion(DomainError):
    """The write was based on an older version than the current one."""

    code = "stale_version"
    http_status = status.HTTP_409_CONFLICT


# Constraint names map to messages; matching on the name, never on driver message text.
CONSTRAINT_MESSAGES: dict[str, tuple[str, int, str]] = {
    "document_unique_text_per_project": (
        "duplicate",
        status.HTTP_409_CONFLICT,
        "A document with the same text is already in this project.",
    ),
    "assignment_one_per_document_and_reviewer": (
        "conflict",
        status.HTTP_409_CONFLICT,
        "You already have an assignment on this document.",
    ),
    "assignment_one_open_per_reviewer_and_project": (
        "conflict",
        status.HTTP_409_CONFLICT,
        "You already have an open assignment in this project.",
    ),
    "assignment_one_reviewer_per_slot": (
        "conflict",
        status.HTTP_409_CONFLICT,
        "That review slot of the document is already taken.",
    ),
    "membership_unique_user_per_project": (
        "conflict",
        status.HTTP_409_CONFLICT,
        "That user is already a member of this project.",
    ),
    "label_unique_value_per_project": (
        "conflict",
        status.HTTP_409_CONFLICT,
        "The project already has a label with that value.",
    ),
}


def constraint_name(error: IntegrityError) -> str | None:
    """The name of the violated constraint, read from the driver's diagnostics or SQLite text."""
    cause = error.__cause__
    diag = getattr(cause, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return str(diag.constraint_name)
    # SQLite reports unique violations by columns, not names: compare against known ones.
    text = str(error)
    for name in CONSTRAINT_MESSAGES:
        if name in text:
            return name
    return None


def _body(
    code: str, message: str, fields: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    body.update(extra)
    return body


def _flatten_validation(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {str(key): value for key, value in detail.items()}
    return {"non_field_errors": detail if isinstance(detail, list) else [detail]}


# Seconds a client should wait before retrying after the database was unreachable.
DATABASE_RETRY_AFTER = 5


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Render every error in the one shape; unknown exceptions stay 500s (they are bugs)."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        # The database connection dropped or the server is unreachable: the transaction was
        # rolled back, so nothing was half-written and the same request may simply be retried.
        # The broken connection is discarded when the request ends (conn_health_checks).
        return Response(
            _body(
                "database_unavailable",
                "The database is unavailable right now; nothing was changed. Retry shortly.",
            ),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER)},
        )
    if isinstance(exc, DomainError):
        return Response(
            _body(exc.code, exc.message, exc.fields, **exc.extra), status=exc.http_status
        )
    if isinstance(exc, IntegrityError):
        name = constraint_name(exc)
        if name in CONSTRAINT_MESSAGES:
            code, http_status, message = CONSTRAINT_MESSAGES[name]
            return Response(_body(code, message, constraint=name), status=http_status)
        return None
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, drf_exceptions.APIException):
        return response
    if isinstance(exc, drf_exceptions.ValidationError):
        fields = _flatten_validation(exc.detail)
        first = next(iter(fields.items()))
        reason = first[1][0] if isinstance(first[1], list) and first[1] else first[1]
        message = f"{first[0]}: {reason}" if first[0] != "non_field_errors" else str(reason)
        response.data = _body("invalid", message, fields)
    else:
        detail = exc.detail
        message = str(detail) if not isinstance(detail, (list, dict)) else str(exc.default_detail)
        response.data = _body(exc.default_code, message)
    return response
