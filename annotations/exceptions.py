"""Domain errors and the one API exception handler that maps them to a stable JSON shape.

Every error body is `{"code": str, "message": str, "fields": {name: [reasons]}}` (fields only
when input was invalid), whatever raised it: a serializer, a service, or the database.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from annotations.ratelimit import RateLimited
from annotations.ratelimit import body as rate_limited_body


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


def quoted(value: object, limit: int = 100) -> str:
    """A user's value quoted for a message in JSON string syntax, never a Python repr."""
    return json.dumps(str(value)[:limit], ensure_ascii=False)


def too_large_body(limit: int | None = None) -> dict[str, Any]:
    """The error body for a request past the documented size limit (`limit`, by default the
    one for every request but uploads)."""
    limit = limit or settings.FACTCHECK_REQUEST_MAX_BYTES
    return _body(
        "too_large",
        f"The request body is larger than the {limit // (1024 * 1024)} MB limit "
        f"(one document may be {settings.FACTCHECK_IMPORT_MAX_BYTES // (1024 * 1024)} MB).",
    )


def _flatten_validation(detail: Any, path: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as one level of `{field: [reasons]}`, nested names dotted.

    A list serializer's errors (one dict per item) become `0.start`, `2.label` and so on, so
    the body keeps the shape the schema declares whatever the input was.
    """
    name = path or "non_field_errors"
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            # A nested serializer's errors about itself belong to the field that holds it.
            nested = path if key == "non_field_errors" else f"{path}.{key}"
            flat.update(_flatten_validation(value, nested if path else str(key)))
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return {name: [str(item) for item in detail]} if detail else {}
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flatten_validation(item, f"{path}.{index}" if path else str(index)))
        return flat
    return {name: [str(detail)]}


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
    if isinstance(exc, RateLimited):
        return Response(
            rate_limited_body(exc), status=429, headers={"Retry-After": str(exc.retry_after)}
        )
    if isinstance(exc, RequestDataTooBig):
        return Response(too_large_body(), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, drf_exceptions.APIException):
        return response
    if isinstance(exc, drf_exceptions.ValidationError):
        fields = _flatten_validation(exc.detail) or {"non_field_errors": ["Invalid input."]}
        name, reasons = next(iter(fields.items()))
        reason = reasons[0] if reasons else "Invalid input."
        message = f"{name}: {reason}" if name != "non_field_errors" else reason
        response.data = _body("invalid", message, fields)
    else:
        detail = exc.detail
        message = str(detail) if not isinstance(detail, (list, dict)) else str(exc.default_detail)
        response.data = _body(exc.default_code, message)
    return response
