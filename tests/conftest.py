"""Shared fixtures: which services the run has, users and projects, and a real Celery worker.

The suite runs on PostgreSQL when DATABASE_URL is set and on SQLite otherwise, and says which in
its header. Tests that need PostgreSQL or Redis are marked and skipped with the reason when the
service is not configured; CI configures both, so there nothing is skipped for that reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.factories import ProjectFactory, UserFactory

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
# Beside the repository; a worktree elsewhere names it with FACTCHECK_SHARED_REFERENCE.
SHARED_REFERENCE = Path(
    os.environ.get("FACTCHECK_SHARED_REFERENCE") or ROOT.parent / "shared" / "reference"
)


def pytest_report_header(config: pytest.Config) -> list[str]:
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    redis = os.environ.get("REDIS_URL") or "unset (Celery eager; worker tests skipped)"
    return [f"factcheck database: {engine}", f"factcheck redis: {redis}"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    for item in items:
        if item.get_closest_marker("requires_postgres") and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL"))
        if item.get_closest_marker("requires_redis") and not os.environ.get("REDIS_URL"):
            item.add_marker(pytest.mark.skip(reason="needs Redis: set REDIS_URL"))


@pytest.fixture
def user(db: None) -> Any:
    return UserFactory()


@pytest.fixture
def project(db: None) -> Any:
    return ProjectFactory()


@pytest.fixture
def superuser(db: None) -> Any:
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def celery_worker_real(transactional_db: None) -> Iterator[Any]:
    """A real Celery worker thread consuming from Redis, with the broker queue purged first.

    The worker uses its own database connection, so tests using it must commit their data
    (transactional_db) for the worker to see it.
    """
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs Redis: set REDIS_URL")
    from celery.contrib.testing.worker import start_worker

    from factcheck.celery import app

    app.conf.task_always_eager = False
    app.control.purge()
    # No ping check: it needs a result backend, and tasks here keep no results by design.
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20) as worker:
        yield worker


@pytest.fixture
def eager(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run tasks in-process for this test only (as development does without Redis)."""
    from factcheck.celery import app

    monkeypatch.setattr(settings, "CELERY_TASK_ALWAYS_EAGER", True)
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def team(db: None) -> Any:
    """A project with two reviewers, a lead and an admin, and a reviewer of another project."""
    from types import SimpleNamespace

    from annotations.models import Role
    from tests.factories import MembershipFactory

    project = ProjectFactory()
    other_project = ProjectFactory()
    members = {
        role_name: MembershipFactory(project=project, role=role).user
        for role_name, role in (
            ("reviewer", Role.REVIEWER),
            ("reviewer2", Role.REVIEWER),
            ("lead", Role.LEAD),
            ("admin", Role.ADMIN),
        )
    }
    outsider = MembershipFactory(project=other_project, role=Role.REVIEWER).user
    return SimpleNamespace(
        project=project, other_project=other_project, outsider=outsider, **members
    )


@pytest.fixture
def api() -> Any:
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Factories hash a password per user; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_cache(settings: Any) -> None:
    """A fresh in-memory cache per test, so login-failure counts never leak between tests.

    The Redis cache is tested on its own (`test_rate_limits`); clearing it here would flush
    the Redis database Celery's queues share.
    """
    import uuid

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": uuid.uuid4().hex,
        }
    }
