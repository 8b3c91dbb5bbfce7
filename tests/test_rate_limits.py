"""Password guessing is limited per account and per address: 429 with Retry-After.

Before, 200 wrong passwords on the token endpoint and the admin's login were all answered and
the right password still worked.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory

from annotations.ratelimit import RateLimited
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def limits(settings: Any) -> Any:
    settings.FACTCHECK_AUTH_FAILURES_PER_ACCOUNT = 3
    settings.FACTCHECK_AUTH_FAILURES_PER_ADDRESS = 6
    settings.FACTCHECK_AUTH_FAILURE_WINDOW = 600
    return settings


def token(api: Any, username: str, password: str, address: str = "10.0.0.1") -> Any:
    return api.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def assert_429(response: Any) -> None:
    assert response.status_code == 429
    seconds = int(response["Retry-After"])
    assert 0 < seconds <= 600
    body = response.json()
    assert body["code"] == "rate_limited"
    assert body["retry_after"] == seconds
    assert body["message"]


def test_token_refuses_even_the_right_password_after_too_many_failures(
    api: Any, limits: Any
) -> None:
    user = UserFactory(password=PASSWORD)
    for _ in range(3):
        assert token(api, user.username, "wrong").status_code == 400
    assert_429(token(api, user.username, PASSWORD))
    # Another account from the same address is not locked out by this one's failures.
    other = UserFactory(password=PASSWORD)
    assert token(api, other.username, PASSWORD).status_code == 200


def test_token_limits_one_address_guessing_many_accounts(api: Any, limits: Any) -> None:
    user = UserFactory(password=PASSWORD)
    for n in range(6):
        assert token(api, f"nobody{n}", "wrong").status_code == 400
    assert_429(token(api, user.username, PASSWORD))
    # The same account from another address still works: the address was the problem.
    assert token(api, user.username, PASSWORD, address="10.0.0.2").status_code == 200


def test_admin_login_refuses_even_the_right_password_after_too_many_failures(
    limits: Any,
) -> None:
    admin = UserFactory(password=PASSWORD, is_staff=True, is_superuser=True)
    client = Client(REMOTE_ADDR="10.0.0.3")
    form = {"username": admin.username, "password": "wrong", "next": "/admin/"}
    for _ in range(3):
        assert client.post("/admin/login/", form).status_code == 200
    assert_429(client.post("/admin/login/", {**form, "password": PASSWORD}))
    assert "_auth_user_id" not in client.session


def test_any_login_through_django_auth_is_limited(limits: Any) -> None:
    """The frontend's login (Django's LoginView) calls authenticate() like the admin's."""
    user = UserFactory(password=PASSWORD)
    request = RequestFactory().post("/login/", REMOTE_ADDR="10.0.0.4")
    for _ in range(3):
        assert authenticate(request, username=user.username, password="wrong") is None
    with pytest.raises(RateLimited):
        authenticate(request, username=user.username, password=PASSWORD)


def test_password_change_is_limited(limits: Any) -> None:
    staff = UserFactory(password=PASSWORD, is_staff=True, is_superuser=True)
    client = Client(REMOTE_ADDR="10.0.0.5")
    client.force_login(staff)
    form = {
        "old_password": "wrong",
        "new_password1": "Zx9!long-pass",
        "new_password2": "Zx9!long-pass",
    }
    for _ in range(3):
        assert client.post("/admin/password_change/", form).status_code == 200
    assert_429(client.post("/admin/password_change/", {**form, "old_password": PASSWORD}))
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_the_client_address_comes_from_the_proxy_header_when_configured(
    api: Any, limits: Any
) -> None:
    limits.FACTCHECK_CLIENT_ADDRESS_HEADER = "HTTP_X_REAL_IP"
    user = UserFactory(password=PASSWORD)
    for n in range(6):
        api.post(
            "/api/v1/auth/token",
            {"username": f"nobody{n}", "password": "x"},
            format="json",
            HTTP_X_REAL_IP="192.0.2.7",
        )
    refused = api.post(
        "/api/v1/auth/token",
        {"username": user.username, "password": PASSWORD},
        format="json",
        HTTP_X_REAL_IP="192.0.2.7",
    )
    assert_429(refused)
    allowed = api.post(
        "/api/v1/auth/token",
        {"username": user.username, "password": PASSWORD},
        format="json",
        HTTP_X_REAL_IP="192.0.2.8",
    )
    assert allowed.status_code == 200


@pytest.mark.requires_redis
def test_the_limit_holds_in_the_redis_cache_production_uses(api: Any, limits: Any) -> None:
    limits.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    user = UserFactory(password=PASSWORD)
    for _ in range(3):
        assert token(api, user.username, "wrong").status_code == 400
    assert_429(token(api, user.username, PASSWORD))


def test_logins_keep_working_while_redis_is_down(api: Any, limits: Any) -> None:
    limits.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # Nothing listens here: every cache call fails at once.
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    user = UserFactory(password=PASSWORD)
    assert token(api, user.username, "wrong").status_code == 400
    assert token(api, user.username, PASSWORD).status_code == 200
