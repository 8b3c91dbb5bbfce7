"""Browser tests: real headless Chromium (Debian's `chromium`) driven by Playwright.

Playwright's own browser download does not work here, so the tests launch the system's
Chromium. Without one the browser tests are skipped with the reason, unless
FACTCHECK_REQUIRE_BROWSER is set (CI sets it): then a missing browser is an error.
The pages are served by pytest-django's live server from committed (transactional) data.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"


def chromium_path() -> str | None:
    configured = os.environ.get("FACTCHECK_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if chromium_path() is not None:
        return
    if os.environ.get("FACTCHECK_REQUIRE_BROWSER"):
        raise pytest.UsageError(
            "FACTCHECK_REQUIRE_BROWSER is set but no Chromium was found "
            "(apt-get install chromium, or set FACTCHECK_CHROMIUM)."
        )
    skip = pytest.mark.skip(reason="no Chromium found: apt-get install chromium")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _database_before_browser(django_db_setup: None) -> None:
    """Create the test database before Playwright starts its event loop in this thread."""


@pytest.fixture(scope="module", autouse=True)
def _allow_orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests
    (and the database fixtures' teardown) make around it are ordinary synchronous calls. Only
    for these modules: set for the whole run, subprocesses such as `check --deploy` of other
    tests would inherit it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path(),
        "args": ["--no-sandbox", "--disable-gpu"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 900}}


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Pre-annotation in-process for this test, so imported seeds get real suggestions."""
    from factcheck.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def page_errors(page: Any) -> list[str]:
    """Script errors and CSP violations the page reports; tests assert there are none."""
    errors: list[str] = []

    def on_console(message: Any) -> None:
        # The browser logs every 4xx answer; the 409 a test provokes on purpose is expected.
        if message.type == "error" and "status of 409" not in message.text:
            errors.append(f"console: {message.text}")

    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    page.on("console", on_console)
    return errors


def login(page: Any, live_server: Any, user: Any) -> None:
    """Sign `user` in to the page's browser context with a real session cookie."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def enable_axe(page: Any) -> None:
    """Load axe-core into every document the page opens from now on.

    An init script, because the pages' CSP rightly refuses an injected inline script.
    """
    page.add_init_script(path=str(AXE))


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page as it is now (see enable_axe)."""
    result = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in result
        if v["impact"] in ("serious", "critical")
    ]
