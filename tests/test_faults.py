"""Faults injected into the real parts: a killed worker mid-import, two runs for the same
documents racing on Redis, a slow document under the soft time limit, Redis down and back,
and a PostgreSQL connection terminated mid-request.

All need PostgreSQL and Redis (skipped with the reason otherwise); workers are real Celery
worker processes on a queue of the test's own (see `isolated_queue`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.utils import timezone

from annotations import preannotation as engine
from annotations.models import (
    Assignment,
    AuditEvent,
    Document,
    DocumentStatus,
    Job,
    JobKind,
    JobState,
    PreannotationItem,
    PreannotationOutput,
    PreannotationRun,
    RunState,
    Span,
    Suggestion,
    Zone,
)
from annotations.services import jobs_dispatch_pending, preannotation_request
from annotations.services.imports import import_job_request
from annotations.tasks.preannotation import preannotate_items
from bench.corpus import generated_documents
from tests.conftest import ROOT
from tests.factories import AssignmentFactory, DocumentFactory, JobFactory, ProjectFactory
from tests.test_preannotation_worker import (
    isolated_queue,  # noqa: F401 - a fixture, used by name
    wait_for,
    worker_database_url,
    worker_process,
)

pytestmark = [
    pytest.mark.requires_redis,
    pytest.mark.requires_postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def jobs_folder(settings: Any, tmp_path: Path) -> Path:
    """A jobs folder shared by this process and its worker processes."""
    folder = tmp_path / "jobs"
    settings.FACTCHECK_JOB_FILES_DIR = folder
    return folder


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        process.wait(30)


def drop_queued(queue: str) -> None:
    """Throw away every message waiting in the queue, at every priority (kombu keeps one Redis
    list per priority step, named queue + "\x06\x16" + step)."""
    redis.Redis.from_url(os.environ["REDIS_URL"]).delete(
        queue, *(f"{queue}\x06\x16{step}" for step in (3, 6, 9))
    )


def records(count: int) -> bytes:
    return "\n".join(
        json.dumps({"title": f"Item {n}", "text": f"Item {n}. The council said so. " + "ok " * 80})
        for n in range(count)
    ).encode()


def test_a_worker_killed_mid_import_job_resumes_and_reports_the_truth(
    isolated_queue: str,  # noqa: F811 - the fixture
    jobs_folder: Path,
) -> None:
    project = ProjectFactory()
    job = import_job_request(
        project=project,
        uploads=[SimpleUploadedFile("big.jsonl", records(4000))],
        created_by=None,
    )
    env = {"FACTCHECK_JOB_FILES_DIR": str(jobs_folder)}
    first = worker_process(worker_database_url(), isolated_queue, env=env)
    try:
        wait_for(
            lambda: Job.objects.get(pk=job.pk).progress_done >= 500,
            timeout=120,
            what="the first batch to commit",
        )
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        stop(first, signal.SIGKILL)
    killed = Job.objects.get(pk=job.pk)
    assert killed.state == JobState.RUNNING
    assert 500 <= killed.progress_done < 4000, "the job finished before the kill; make it larger"
    # What was committed is exactly what the report says, nothing more.
    assert Document.objects.filter(project=project).count() == killed.report["counts"]["imported"]

    second = worker_process(worker_database_url(), isolated_queue, env=env)
    try:
        # The dispatcher, an hour later, finds the job abandoned and sends it again.
        assert jobs_dispatch_pending(now=timezone.now() + timedelta(hours=1)) >= 1
        wait_for(
            lambda: Job.objects.get(pk=job.pk).state == JobState.DONE,
            timeout=240,
            what="the second worker to finish the job",
        )
    finally:
        stop(second)
    done = Job.objects.get(pk=job.pk)
    assert done.report["summary"] == "4000 imported, 0 duplicate(s) skipped, 0 refused"
    # Every record once in the per-line report, whatever the killed worker wrote past its
    # last commit.
    lines = (jobs_folder / done.result_path).read_text().splitlines()
    origins = [json.loads(line)["origin"] for line in lines]
    assert origins == [f"big.jsonl:{n}" for n in range(1, 4001)]
    assert Document.objects.filter(project=project).count() == 4000
    assert (done.progress_done, done.progress_total, done.attempts) == (4000, 4000, 2)
    assert AuditEvent.objects.filter(action="job.resumed", entity_id=job.pk).count() == 1
    # The stored upload is gone once the job is finished.
    assert not list((jobs_folder / "uploads").iterdir())


def test_two_runs_for_the_same_documents_dispatched_together_store_one_set_each(
    isolated_queue: str,  # noqa: F811 - the fixture
) -> None:
    project = ProjectFactory()
    documents = [
        DocumentFactory(project=project, title=title, text=text, status=DocumentStatus.READY)
        for title, text in generated_documents(51, seed=5)
    ]
    older = preannotation_request(project=project, documents=documents, force=True)
    newer = preannotation_request(project=project, documents=documents, force=True)
    # Both runs' messages are thrown away (as if Redis had lost them) and sent again
    # interleaved, so that two workers take the same documents from both runs at once.
    drop_queued(isolated_queue)
    older_ids = list(older.items.order_by("document_id").values_list("pk", flat=True))
    newer_ids = list(newer.items.order_by("document_id").values_list("pk", flat=True))
    for start in range(0, 51, 17):
        preannotate_items.apply_async(args=(older_ids[start : start + 17],))
        preannotate_items.apply_async(args=(newer_ids[start : start + 17],))
    workers = [worker_process(worker_database_url(), isolated_queue) for _ in range(2)]
    try:
        wait_for(
            lambda: PreannotationRun.objects.filter(state=RunState.DONE).count() == 2,
            timeout=240,
            what="both runs to finish",
        )
    finally:
        for worker in workers:
            stop(worker)
    for document in documents:
        analysis = engine.analyse(document.text)
        assert Zone.objects.filter(document=document).count() == len(analysis.zones)
        assert Suggestion.objects.filter(document=document).count() == len(analysis.suggestions)
    outputs = PreannotationOutput.objects.filter(document__in=documents)
    # The newest run wins every document, whichever worker finished last.
    assert sorted(outputs.values_list("document_id", "run_id")) == [
        (document.pk, newer.pk) for document in documents
    ]
    assert PreannotationRun.objects.get(pk=older.pk).documents_done == 51


def test_the_soft_time_limit_interrupts_the_engine_and_fails_only_its_document(
    isolated_queue: str,  # noqa: F811 - the fixture
) -> None:
    project = ProjectFactory()
    small = [
        DocumentFactory(project=project, title=title, text=text, status=DocumentStatus.READY)
        for title, text in generated_documents(6, seed=9)
    ]
    # Lines of one letter: about 0.04 MB/s on a busy machine, so far past a 2 s soft limit.
    slow = DocumentFactory(
        project=project, text="\n".join("abc"[n % 3] for n in range(600_000)), title="Slow"
    )
    run = preannotation_request(project=project, documents=[*small[:3], slow, *small[3:]])
    # Drop the batches sent on commit: this test sends its own, with the limits it wants.
    drop_queued(isolated_queue)
    item_ids = list(run.items.order_by("document_id").values_list("pk", flat=True))
    env = {"CELERY_TASK_SOFT_TIME_LIMIT": "2", "CELERY_TASK_TIME_LIMIT": "60"}
    worker = worker_process(worker_database_url(), isolated_queue, pool="prefork", env=env)
    try:
        # All seven in one task, the slow one fourth, as a count-sized batch used to put them.
        # The limits travel with the message (a sender's settings are the worker's in
        # production; here the worker's are the test's own).
        preannotate_items.apply_async(args=(item_ids,), soft_time_limit=2, time_limit=60)
        wait_for(
            lambda: run_state(run.pk) == RunState.DONE,
            timeout=120,
            what="the run to finish",
        )
    finally:
        stop(worker)
    failed = PreannotationItem.objects.get(run=run, document=slow)
    assert failed.state == RunState.FAILED
    assert failed.error.startswith("timed out: the engine ran past the 2 s soft time limit")
    # Interrupted by the soft limit, long before the hard one.
    assert failed.finished_at is not None
    assert failed.started_at is not None
    assert (failed.finished_at - failed.started_at).total_seconds() < 30
    assert set(
        PreannotationItem.objects.filter(run=run)
        .exclude(pk=failed.pk)
        .values_list("state", flat=True)
    ) == {RunState.DONE}
    finished = PreannotationRun.objects.get(pk=run.pk)
    assert (finished.documents_done, finished.documents_failed) == (6, 1)
    assert Document.objects.get(pk=slow.pk).status == DocumentStatus.READY


def run_state(run_id: int) -> str:
    return PreannotationRun.objects.get(pk=run_id).state


def free_port(start: int = 6385) -> int:
    for port in range(start, start + 50):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port for a Redis of the test's own")


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[int, Any]]:
    """A Redis server of this test's own on another port, which the test may stop and start
    (never the shared one). Yields (port, start) where start() (re)starts it."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("needs redis-server on PATH for a Redis of the test's own")
    port = free_port()
    processes: list[subprocess.Popen[bytes]] = []

    def start() -> None:
        command = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", str(tmp_path)]
        process = subprocess.Popen(  # noqa: S603 - a fixed command line
            command, stdout=subprocess.DEVNULL, start_new_session=True
        )
        processes.append(process)
        wait_for(lambda: _answers(port), timeout=10, what="the test's Redis to start")

    yield port, start
    for process in processes:
        stop(process)


def _answers(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def dispatch_in_subprocess(
    redis_url: str, queue: str, jobs_folder: Path
) -> subprocess.CompletedProcess[str]:
    """Run the periodic dispatcher as beat would, in its own process, on the given broker."""
    return subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from annotations.services import jobs_dispatch_pending; "
            "print('sent', jobs_dispatch_pending())",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": redis_url,
            "CELERY_QUEUE": queue,
            "FACTCHECK_JOB_FILES_DIR": str(jobs_folder),
        },
    )


def test_with_redis_down_a_job_stays_queued_and_runs_when_redis_is_back(
    isolated_queue: str,  # noqa: F811 - the fixture
    jobs_folder: Path,
    own_redis: tuple[int, Any],
) -> None:
    port, start_redis = own_redis
    redis_url = f"redis://127.0.0.1:{port}/0"
    project = ProjectFactory()
    DocumentFactory(project=project)
    job = JobFactory(
        project=project,
        kind=JobKind.PREANNOTATE,
        params={"document_ids": None, "force": False},
        progress_total=1,
    )
    down = dispatch_in_subprocess(redis_url, isolated_queue, jobs_folder)
    assert down.returncode == 0, down.stderr
    assert "sent 0" in down.stdout
    assert f"job {job.pk} stays queued" in down.stderr
    assert Job.objects.get(pk=job.pk).sent_at is None

    start_redis()
    env = {"REDIS_URL": redis_url, "FACTCHECK_JOB_FILES_DIR": str(jobs_folder)}
    worker = worker_process(worker_database_url(), isolated_queue, env=env)
    try:
        back = dispatch_in_subprocess(redis_url, isolated_queue, jobs_folder)
        assert "sent 1" in back.stdout, back.stderr
        wait_for(
            lambda: Job.objects.get(pk=job.pk).state == JobState.DONE,
            timeout=120,
            what="the job to run once Redis is back",
        )
    finally:
        stop(worker)
    assert Job.objects.get(pk=job.pk).report["summary"] == "1 pre-annotated, 0 failed of 1"


def test_a_dropped_database_connection_answers_503_and_writes_nothing(api: Any, team: Any) -> None:
    assignment = AssignmentFactory(
        document=DocumentFactory(project=team.project), reviewer=team.reviewer
    )
    api.force_authenticate(assignment.reviewer)
    url = f"/api/v1/assignments/{assignment.pk}/spans"
    body = {"start": 0, "end": 8, "label": "opinion"}
    locked, done = threading.Event(), threading.Event()
    terminated: list[int] = []

    def hold_lock_and_terminate_the_waiter() -> None:
        # Hold the assignment's row lock so the request's write waits on it, then terminate
        # the waiting backend: the connection drops in the middle of the request's transaction.
        with transaction.atomic():
            Assignment.objects.select_for_update().get(pk=assignment.pk)
            locked.set()
            with connection.cursor() as cursor:
                deadline = time.monotonic() + 30
                while not terminated and time.monotonic() < deadline:
                    cursor.execute(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                    )
                    for (pid,) in cursor.fetchall():
                        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                        terminated.append(pid)
                    time.sleep(0.05)
        done.set()
        connection.close()

    holder = threading.Thread(target=hold_lock_and_terminate_the_waiter)
    holder.start()
    assert locked.wait(10)
    response = api.post(url, body, format="json")
    holder.join(30)
    assert terminated, "no request waited on the lock"
    assert response.status_code == 503, response.content
    assert response.json() == {
        "code": "database_unavailable",
        "message": "The database is unavailable right now; nothing was changed. Retry shortly.",
    }
    assert response["Retry-After"] == "5"
    # The broken connection is discarded; nothing of the write was kept.
    for alias in connections:
        connections[alias].close()
    assert not Span.objects.exists()
    assert Assignment.objects.get(pk=assignment.pk).version == assignment.version
    assert not AuditEvent.objects.filter(action__startswith="span.").exists()
    # The same request, retried, succeeds.
    assert api.post(url, body, format="json").status_code == 201
