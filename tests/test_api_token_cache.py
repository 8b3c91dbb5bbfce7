"""Token authentication remembers a token's user, and forgets it the moment access changes."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

OWN_REDIS_PORT = 6391


def _project_reads_with(api: Any, token: str, project_id: int) -> tuple[int, list[str]]:
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    with CaptureQueriesContext(connection) as queries:
        status = api.get(f"/api/v1/projects/{project_id}").status_code
    return status, [query["sql"] for query in queries.captured_queries]


def _token_queries(statements: list[str]) -> list[str]:
    return [sql for sql in statements if "authtoken_token" in sql]


def test_a_known_token_is_not_looked_up_in_the_database_again(api: Any, team: Any) -> None:
    token = Token.objects.create(user=team.reviewer).key
    first_status, first = _project_reads_with(api, token, team.project.pk)
    second_status, second = _project_reads_with(api, token, team.project.pk)

    assert first_status == second_status == 200
    assert len(_token_queries(first)) == 1
    assert _token_queries(second) == []
    assert len(second) == len(first) - 1


def test_a_deleted_token_stops_working_at_once(api: Any, team: Any) -> None:
    token = Token.objects.create(user=team.reviewer)
    assert _project_reads_with(api, token.key, team.project.pk)[0] == 200

    token.delete()

    assert _project_reads_with(api, token.key, team.project.pk)[0] == 401


def test_a_deactivated_user_is_refused_at_once(api: Any, team: Any) -> None:
    token = Token.objects.create(user=team.reviewer).key
    assert _project_reads_with(api, token, team.project.pk)[0] == 200

    team.reviewer.is_active = False
    team.reviewer.save()

    assert _project_reads_with(api, token, team.project.pk)[0] == 401


def test_the_remembered_user_holds_no_password_and_saves_only_what_it_loaded(
    api: Any, team: Any
) -> None:
    from annotations.api.authentication import CachedTokenAuthentication

    token = Token.objects.create(user=team.reviewer).key
    CachedTokenAuthentication().authenticate_credentials(token)
    user, _ = CachedTokenAuthentication().authenticate_credentials(token)

    assert user.get_deferred_fields() >= {"password", "email", "last_login"}
    for field in ("pk", "username", "is_active", "is_staff", "is_superuser"):
        assert getattr(user, field) == getattr(team.reviewer, field)
    user.save()
    team.reviewer.refresh_from_db()
    assert team.reviewer.check_password("correct horse battery staple")


@pytest.fixture
def own_redis() -> Iterator[subprocess.Popen[bytes]]:
    """A Redis server of the test's own on another port, so it can be stopped."""
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        pytest.skip("needs redis-server to start a Redis of the test's own")
    server = subprocess.Popen(  # noqa: S603 - a Redis of the test's own, loopback only
        [redis_server, "--port", str(OWN_REDIS_PORT), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=OWN_REDIS_PORT, socket_connect_timeout=0.2)
    for _ in range(50):
        with contextlib.suppress(redis.exceptions.ConnectionError):
            if client.ping():
                break
        time.sleep(0.1)
    yield server
    server.terminate()
    server.wait(timeout=10)


def test_tokens_keep_working_and_revocation_holds_while_redis_is_down(
    api: Any, team: Any, settings: Any, own_redis: subprocess.Popen[bytes]
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{OWN_REDIS_PORT}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    token = Token.objects.create(user=team.reviewer)
    assert _project_reads_with(api, token.key, team.project.pk)[0] == 200
    assert _token_queries(_project_reads_with(api, token.key, team.project.pk)[1]) == []

    own_redis.terminate()
    own_redis.wait(timeout=10)

    assert _project_reads_with(api, token.key, team.project.pk)[0] == 200
    token.delete()
    assert _project_reads_with(api, token.key, team.project.pk)[0] == 401
