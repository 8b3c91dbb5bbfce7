"""Rate limits on guessing passwords: login, API token and password change.

Failures are counted per account and per client address in fixed windows in Django's cache
(Redis in production, so every gunicorn worker shares the counts; process memory in
development). Once either count reaches its limit, every attempt in that window, even with the
right password, is refused with 429 and `Retry-After` until the window ends.

Hooks, so that every way of logging in is covered without knowing its URL:
- `RateLimitedModelBackend`, the authentication backend, refuses before any password is checked
  whenever `authenticate(request, ...)` is called: the admin's login, Django's LoginView (the
  frontend's), and `POST /api/v1/auth/token`;
- the `user_login_failed` signal counts each failure;
- `RateLimitMiddleware` turns the refusal into the JSON 429 (the API's exception handler does
  the same inside DRF) and limits POSTs to any URL named `password_change` (the admin's, and
  `django.contrib.auth.urls`'), counting those that do not succeed.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

LOGIN = "login"
PASSWORD_CHANGE = "password_change"  # noqa: S105 - a scope's name, not a password


class RateLimited(Exception):
    """Too many failures; not PermissionDenied, so `authenticate()` lets it through."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many failed attempts; try again in {retry_after} seconds.")
        self.retry_after = retry_after


def client_address(request: HttpRequest) -> str:
    """The client's address: from the header the reverse proxy sets, when one is configured."""
    header = settings.FACTCHECK_CLIENT_ADDRESS_HEADER
    if header:
        forwarded = str(request.META.get(header, "")).split(",")[0].strip()
        if forwarded:
            return forwarded
    return str(request.META.get("REMOTE_ADDR", ""))


def _counters(scope: str, username: str, request: HttpRequest) -> list[tuple[str, int]]:
    """The cache keys of this window's counters, with their limits."""
    window = settings.FACTCHECK_AUTH_FAILURE_WINDOW
    bucket = int(time.time() // window)
    counters = []
    for kind, value, limit in (
        ("account", username.strip().lower(), settings.FACTCHECK_AUTH_FAILURES_PER_ACCOUNT),
        ("address", client_address(request), settings.FACTCHECK_AUTH_FAILURES_PER_ADDRESS),
    ):
        if value:
            digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]
            counters.append((f"ratelimit:{scope}:{kind}:{digest}:{bucket}", limit))
    return counters


def _retry_after() -> int:
    window = settings.FACTCHECK_AUTH_FAILURE_WINDOW
    return max(1, math.ceil(window - time.time() % window))


def check(*, scope: str, username: str, request: HttpRequest) -> None:
    """Raise RateLimited if the account or the address has used up this window's failures."""
    counters = _counters(scope, username, request)
    try:
        counts = cache.get_many([key for key, _ in counters])
    except RedisError:
        # Logging in must keep working while Redis is down; the limit returns with it.
        logger.warning("Login rate limit not checked: Redis is unreachable.")
        return
    if any(counts.get(key, 0) >= limit for key, limit in counters):
        raise RateLimited(_retry_after())


def record_failure(*, scope: str, username: str, request: HttpRequest) -> None:
    """Count one failed attempt against the account and the address."""
    timeout = settings.FACTCHECK_AUTH_FAILURE_WINDOW + 60
    try:
        for key, _ in _counters(scope, username, request):
            cache.add(key, 0, timeout)
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr: start again
                cache.set(key, 1, timeout)
    except RedisError:
        logger.warning("Login failure not counted: Redis is unreachable.")


def body(error: RateLimited) -> dict[str, Any]:
    """The 429's body in the API's error shape."""
    return {"code": "rate_limited", "message": str(error), "retry_after": error.retry_after}


def response(error: RateLimited) -> JsonResponse:
    """The 429 in the API's error shape, with Retry-After."""
    answer = JsonResponse(body(error), status=429)
    answer["Retry-After"] = str(error.retry_after)
    return answer


class RateLimitedModelBackend(ModelBackend):
    """Django's ModelBackend, refusing every attempt while the account or address is over its
    limit, before the password is checked (so the right one does not get through either).

    One backend, not a check before ModelBackend: with two, `login()` and the test client's
    `force_login()` would need to be told which one to use.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if request is not None:
            check(scope=LOGIN, username=str(username or ""), request=request)
        return super().authenticate(request, username=username, password=password, **kwargs)


def on_login_failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    """`user_login_failed` receiver: count the failure."""
    if request is not None:
        username = str(credentials.get("username") or "")
        record_failure(scope=LOGIN, username=username, request=request)


class RateLimitMiddleware:
    """429 for refused logins anywhere, and the limit on password changes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        answer = self.get_response(request)
        if self._is_password_change(request) and answer.status_code not in (302, 429):
            # The form came back (wrong old password or a refused new one): count it.
            record_failure(
                scope=PASSWORD_CHANGE, username=request.user.get_username(), request=request
            )
        return answer

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if self._is_password_change(request):
            try:
                check(scope=PASSWORD_CHANGE, username=request.user.get_username(), request=request)
            except RateLimited as error:
                return response(error)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return response(exception) if isinstance(exception, RateLimited) else None

    @staticmethod
    def _is_password_change(request: HttpRequest) -> bool:
        match = request.resolver_match
        return (
            request.method == "POST"
            and match is not None
            and match.url_name == "password_change"
            and request.user.is_authenticated
        )
