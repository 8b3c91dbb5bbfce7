"""Pre-annotation through real Celery workers on Redis and PostgreSQL.

These tests need the real parts: a broker that holds messages, workers that can die, and
row locks. They are skipped, saying why, when REDIS_URL or a PostgreSQL DATABASE_URL is unset.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from annotations import preannotation as engine
from annotations.importing import read_paths
from annotations.models import (
    Document,
    DocumentStatus,
    PreannotationItem,
    PreannotationRun,
    RunState,
    Suggestion,
    Zone,
)
from annotations.services import documents_import, preannotation_request
from annotations.tasks.preannotation import preannotate_items
from bench.corpus import generated_documents
from tests.conftest import ROOT, SEEDS
from tests.factories import DocumentFactory, ProjectFactory

pytestmark = [pytest.mark.requires_redis, pytest.mark.django_db(transaction=True)]


def wait_for(condition: Callable[[], bool], *, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def run_state(run_id: int) -> tuple[str, int, int]:
    run = PreannotationRun.objects.get(pk=run_id)
    return run.state, run.documents_done, run.documents_total


def test_a_real_worker_preannotates_an_import_end_to_end(celery_worker_real: Any) -> None:
    project = ProjectFactory()
    report = documents_import(project=project, items=read_paths([SEEDS], max_bytes=5 << 20))
    run = PreannotationRun.objects.get(project=project)
    wait_for(lambda: run_state(run.pk)[0] == RunState.DONE, what="the run to finish")
    assert run_state(run.pk) == (RunState.DONE, 5, 5)
    for document in report.imported:
        stored = Document.objects.get(pk=document.pk)
        assert stored.status == DocumentStatus.READY
        assert Suggestion.objects.filter(document=stored).count() == len(
            engine.analyse(stored.text).suggestions
        )
    assert PreannotationItem.objects.filter(sent_at__isnull=True).count() == 0


def worker_process(
    database_url: str,
    queue: str,
    log: Path | None = None,
    *,
    pool: str = "solo",
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """A real Celery worker process on the test database and queue (solo pool by default;
    time limits need prefork)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_QUEUE": queue,
        # A killed worker's unacknowledged message goes back to the queue after this long.
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "LOG_LEVEL": "WARNING",
        **(env or {}),
    }
    return subprocess.Popen(  # noqa: S603 - our own worker with fixed arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "factcheck",
            "worker",
            "--pool",
            pool,
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stderr=log.open("wb") if log else None,
    )


@pytest.fixture
def isolated_queue(settings: Any) -> Iterator[str]:
    """A queue of this test's own, so the subprocess workers see only its messages."""
    from factcheck.celery import app

    queue = f"factcheck-test-{os.getpid()}-{time.monotonic_ns()}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    yield queue
    app.conf.task_default_queue = previous
    # Forget the queues declared meanwhile, so a later in-process worker consumes the default
    # queue (at every priority) rather than this test's.
    for cached in ("queues", "default_queue"):
        app.amqp.__dict__.pop(cached, None)


def worker_database_url() -> str:
    """The URL of the test database, for worker and command subprocesses."""
    db = connection.settings_dict
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.requires_postgres
def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(isolated_queue: str) -> None:
    project = ProjectFactory()
    documents = [
        DocumentFactory(project=project, title=title, text=text * 3, status=DocumentStatus.READY)
        for title, text in generated_documents(120, seed=23)
    ]
    database_url = worker_database_url()
    first = worker_process(database_url, isolated_queue)
    try:
        run = preannotation_request(project=project, documents=documents)
        wait_for(lambda: run_state(run.pk)[1] >= 10, timeout=90, what="the first worker to start")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
        done_at_kill = run_state(run.pk)[1]
        assert done_at_kill < len(documents), "the batch finished before the kill; make it larger"
        second = worker_process(database_url, isolated_queue)
        try:
            wait_for(
                lambda: run_state(run.pk)[0] == RunState.DONE,
                timeout=180,
                what="the second worker to finish the batch",
            )
        finally:
            os.killpg(second.pid, signal.SIGTERM)
            second.wait(20)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert run_state(run.pk) == (RunState.DONE, len(documents), len(documents))
    assert set(PreannotationItem.objects.filter(run=run).values_list("state", flat=True)) == {
        RunState.DONE
    }
    for document in documents:
        analysis = engine.analyse(Document.objects.get(pk=document.pk).text)
        assert Zone.objects.filter(document=document).count() == len(analysis.zones)
        assert Suggestion.objects.filter(document=document).count() == len(analysis.suggestions)


@pytest.mark.requires_postgres
def test_with_redis_down_the_import_succeeds_and_the_work_is_sent_when_it_is_back(
    isolated_queue: str, tmp_path: Path
) -> None:
    ProjectFactory(name="Outage")
    down = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [
            sys.executable,
            "manage.py",
            "import_documents",
            str(SEEDS),
            "--project",
            "Outage",
            "--no-progress",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            # Nothing listens here: the broker is down.
            "REDIS_URL": "redis://127.0.0.1:1/0",
        },
    )
    assert down.returncode == 0, down.stderr
    assert "5 imported" in down.stdout
    assert "stay queued" in down.stderr
    run = PreannotationRun.objects.get(project__name="Outage")
    assert run.state == RunState.QUEUED
    assert PreannotationItem.objects.filter(run=run, sent_at__isnull=True).count() == 5
    assert set(Document.objects.values_list("status", flat=True)) == {DocumentStatus.PREANNOTATING}

    # Redis is back: the periodic dispatcher sends what was never sent, and a worker runs it.
    from annotations.services import preannotation_dispatch_pending

    worker = worker_process(worker_database_url(), isolated_queue)
    try:
        assert preannotation_dispatch_pending() == 5
        wait_for(lambda: run_state(run.pk)[0] == RunState.DONE, timeout=120, what="the run")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(20)
    assert set(Document.objects.values_list("status", flat=True)) == {DocumentStatus.READY}


@pytest.mark.requires_postgres
def test_a_transient_lock_failure_is_retried_with_backoff_and_then_succeeds(
    isolated_queue: str, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    document = DocumentFactory(project=ProjectFactory(), status=DocumentStatus.READY)
    with django_capture_on_commit_callbacks(execute=False):
        run = preannotation_request(project=document.project, documents=[document])
    item = run.items.get()
    locked, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        # Another transaction holds the item's row lock: the worker's NOWAIT lock fails, which
        # is a transient OperationalError, and the task must back off and retry.
        with transaction.atomic():
            PreannotationItem.objects.select_for_update().get(pk=item.pk)
            locked.set()
            release.wait(30)
        connection.close()

    log = tmp_path / "worker.log"
    worker = worker_process(worker_database_url(), isolated_queue, log)
    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(10)
        # Publish directly: dispatch_items would also mark the (locked) row as sent.
        preannotate_items.apply_async(args=([item.pk],))
        wait_for(
            lambda: f"Retrying pre-annotation items [{item.pk}]" in log.read_text(),
            timeout=60,
            what="the worker to meet the lock and schedule a retry",
        )
        assert PreannotationItem.objects.get(pk=item.pk).state == RunState.QUEUED
        release.set()
        holder.join()
        wait_for(
            lambda: PreannotationItem.objects.get(pk=item.pk).state == RunState.DONE,
            timeout=120,
            what="the retried task to succeed",
        )
    finally:
        release.set()
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(20)
    assert "could not obtain lock" in log.read_text()
    item.refresh_from_db()
    assert (item.state, item.attempts, item.error) == (RunState.DONE, 1, "")
    assert run_state(run.pk) == (RunState.DONE, 1, 1)
