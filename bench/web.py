"""The frontend in Chromium: navigation to a usable workspace, and key press to saved span.

Seed 002 (49 KB, hundreds of suggestions) is imported and pre-annotated in-process, one
reviewer claims it, and Playwright drives the system's Chromium against `manage.py runserver`
on loopback (development mode, which also serves the static files). Both figures are measured
inside the page (performance marks), so the driver's round trips are not counted.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # loopback only
SEED = ROOT / "seeds" / "002_868390ee499e0b84.txt"

Row = tuple[str, str, str]

# Times from the label key's keydown to the save state turning "saved" (after the redraw).
_WATCH_SAVES = """() => {
  window.__saveTimes = [];
  let pressed = null;
  document.addEventListener("keydown", (event) => {
    if (event.key === "1") pressed = performance.now();
  }, true);
  const state = document.getElementById("save-state");
  new MutationObserver(() => {
    if (pressed !== null && state.dataset.status === "saved") {
      window.__saveTimes.push(performance.now() - pressed);
      pressed = null;
    }
  }).observe(state, {attributes: true, attributeFilter: ["data-status"]});
}"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _setup() -> tuple[int, str, int]:
    """Project with seed 002 pre-annotated; returns (assignment id, session key, suggestions)."""
    from django.contrib.auth.models import User
    from django.test import Client

    from annotations.importing import read_paths
    from annotations.models import Role, Suggestion
    from annotations.services import (
        assignment_claim_next,
        documents_import,
        membership_set,
        project_create,
    )
    from factcheck.celery import app

    app.conf.task_always_eager = True  # pre-annotate in this process; the figure is the page's
    project = project_create(name=f"bench web {time.time_ns()}", reviews_required=1)
    user, _ = User.objects.get_or_create(username="bench-web-reviewer")
    membership_set(project=project, user=user, role=Role.REVIEWER)
    documents_import(project=project, items=read_paths([SEED], max_bytes=5 * 1024 * 1024))
    claim = assignment_claim_next(project=project, reviewer=user)
    assert claim is not None  # noqa: S101 - a broken set-up must stop the run
    client = Client()
    client.force_login(user)
    suggestions = Suggestion.objects.filter(document=claim.assignment.document).count()
    return claim.assignment.pk, client.cookies["sessionid"].value, suggestions


def _wait_for(port: int) -> None:
    for _ in range(100):
        try:
            with socket.create_connection((HOST, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("runserver did not start")


def bench_web(loads: int = 7, keys: int = 20) -> list[Row]:
    """Median and worst of `loads` workspace loads and of `keys` key-to-saved-span writes."""
    chromium = os.environ.get("FACTCHECK_CHROMIUM") or shutil.which("chromium")
    if chromium is None:
        return [("web", "skipped", "no Chromium found (apt-get install chromium)")]
    from django.db import connection
    from playwright.sync_api import sync_playwright

    assignment_id, session, suggestions = _setup()
    connection.close()
    port = _free_port()
    env = {**os.environ, "DEBUG": "true", "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"{HOST}:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://{HOST}:{port}/review/{assignment_id}/"
    try:
        _wait_for(port)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.add_cookies([{"name": "sessionid", "value": session, "url": url}])
            page = context.new_page()
            page.goto(url)  # warm-up: the server's first request, caches, module compile
            loads_ms = [_load(page, url) for _ in range(loads)]
            saves_ms = _saves(page, keys)
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    size = f"seed 002, {SEED.stat().st_size / 1000:.0f} KB, {suggestions} suggestions"
    return [
        ("web", "workspace", size),
        ("web", f"navigation to usable workspace, median of {loads}", f"{_ms(loads_ms)}"),
        ("web", "navigation to usable workspace, worst", f"{max(loads_ms):.0f} ms"),
        ("web", f"key press to saved span, median of {keys}", f"{_ms(saves_ms)}"),
        ("web", "key press to saved span, worst", f"{max(saves_ms):.0f} ms"),
        ("web", "server", "manage.py runserver (development mode) on loopback"),
    ]


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ms"


def _load(page: Any, url: str) -> float:
    page.goto(url)
    page.wait_for_selector("#workspace[data-state=ready]")
    mark = page.evaluate(
        "() => performance.getEntriesByName('factcheck:workspace-ready')[0].startTime"
    )
    return float(mark)


def _saves(page: Any, keys: int) -> list[float]:
    page.evaluate(_WATCH_SAVES)
    page.locator("#doc-text").focus()
    for done in range(1, keys + 1):
        page.keyboard.press("w")
        page.keyboard.press("1")
        page.wait_for_function("(n) => window.__saveTimes.length >= n", arg=done)
    return [float(value) for value in page.evaluate("() => window.__saveTimes")]
