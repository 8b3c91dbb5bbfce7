"""The review loop on issue 11's workload: the figures compared with Label Studio and doccano.

A deterministic corpus of 2,000 documents of 2-20 KB (5 % with Arabic and emoji), served by
gunicorn against PostgreSQL. Each task is one reviewer's whole loop over HTTP: claim the next
document, mark five spans, submit, either as seven requests (five single span writes) or as
three (one batch of five). Phases run at 1 and at 8 concurrent reviewers, a fixed number of
tasks each, and report tasks/s, the CPU time the web workers and PostgreSQL spent per task
(from /proc, so on a busy machine PostgreSQL's figure includes others' work), and the peak
memory of the stack (proportional set size, so shared pages count once). The web server runs
with the production gunicorn.conf.py (threaded workers, access log) and 5 workers, as the
peers were run. Statements per request are counted in-process on the same
requests, which is exact and does not depend on the machine.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import multiprocessing
import os
import random
import signal
import threading
import time
from pathlib import Path
from typing import Any

from bench.review_load import HOST, _free_port, _timed_request, _wait_for, start_gunicorn

ROOT = Path(__file__).resolve().parents[1]
Row = tuple[str, str, str]
DOCUMENTS = 2_000
TASKS_PER_PHASE = 400
CONCURRENCY = (1, 8)
WORKERS = 5  # as the peers were run
_ARABIC = "قال الوزير إن الخطة ستكلف خمسة مليارات، وهذا أمر مؤسف. "
_EMOJI = "👩🏽‍🔬 🇪🇬 ❤️ "


def review_corpus(count: int = DOCUMENTS, *, seed: int = 2026) -> list[tuple[str, str]]:
    """`count` distinct (title, text) pairs of 2-20 KB; every 20th holds Arabic and emoji."""
    from bench.corpus import seed_paragraphs

    rng = random.Random(seed)
    paragraphs = seed_paragraphs()
    documents = []
    for number in range(count):
        target = rng.randint(2_000, 20_000)
        parts = [f"Review corpus document {number}"]
        size = len(parts[0])
        while size < target:
            paragraph = rng.choice(paragraphs)
            if number % 20 == 0 and rng.random() < 0.3:
                paragraph = f"{_ARABIC}{_EMOJI}{paragraph}"
            parts.append(paragraph)
            size += len(paragraph.encode()) + 2
        text = "\n\n".join(parts)
        documents.append((f"Document {number}", text[: max(2_000, target)]))
    return documents


def _setup(concurrency: int) -> tuple[int, list[str]]:
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    from annotations.models import Document, DocumentStatus, Role
    from annotations.services import membership_set, project_create

    project = project_create(name=f"bench loop {time.time_ns()}", reviews_required=2)
    Document.objects.bulk_create(
        (
            Document(
                project=project,
                title=title,
                text=text,
                text_sha256=hashlib.sha256(text.encode()).hexdigest(),
                status=DocumentStatus.READY,
            )
            for title, text in review_corpus()
        ),
        batch_size=500,
    )
    tokens = []
    for number in range(concurrency):
        user, _ = User.objects.get_or_create(username=f"bench-loop-{number}")
        membership_set(project=project, user=user, role=Role.REVIEWER)
        tokens.append(Token.objects.get_or_create(user=user)[0].key)
    return project.pk, tokens


def _spans(text: str, rng: random.Random) -> list[dict[str, Any]]:
    spans = []
    for _ in range(5):
        start = rng.randrange(0, len(text) - 60)
        spans.append({"start": start, "end": start + rng.randint(10, 60), "label": "unsourced"})
    return spans


def _request(connection: http.client.HTTPConnection, *call: Any) -> tuple[int, Any, float]:
    """One request on the keep-alive connection, sent again once on a fresh connection if the
    server had closed it (gunicorn replaces a worker after `max_requests`): what a browser does;
    the request never reached the closed worker."""
    try:
        return _timed_request(connection, *call)
    except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
        connection.close()
        return _timed_request(connection, *call)


def loop_tasks(args: tuple[int, str, int, int, bool, int]) -> dict[str, Any]:
    """One reviewer doing `tasks` tasks: claim, five spans (single or batch), submit."""
    port, token, project_id, tasks, batch, seed = args
    rng = random.Random(seed)
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    errors: list[str] = []
    done = 0
    for _ in range(tasks):
        status, body, _ = _request(
            connection, "POST", f"/api/v1/projects/{project_id}/queue/next", token
        )
        if status not in (200, 201):
            errors.append(f"claim {status}: {str(body)[:100]}")
            break
        assignment, version = body["id"], body["version"]
        spans = _spans(body["document"]["text"], rng)
        if batch:
            status, body, _ = _request(
                connection,
                "POST",
                f"/api/v1/assignments/{assignment}/spans/batch",
                token,
                {"spans": spans, "version": version},
            )
            ok = status == 201
            version = body["assignment_version"] if ok else version
        else:
            ok = True
            for span in spans:
                status, body, _ = _request(
                    connection, "POST", f"/api/v1/assignments/{assignment}/spans", token, span
                )
                ok = ok and status == 201
                version = body["assignment_version"] if status == 201 else version
        if not ok:
            errors.append(f"spans {status}: {str(body)[:100]}")
            break
        status, body, _ = _request(
            connection,
            "POST",
            f"/api/v1/assignments/{assignment}/submit",
            token,
            {"version": version},
        )
        if status != 200:
            errors.append(f"submit {status}: {str(body)[:100]}")
            break
        done += 1
    connection.close()
    return {"done": done, "errors": errors}


def _cpu_seconds(pids: list[int], *, reaped_children_of: int | None = None) -> float:
    """CPU seconds the processes have used; with `reaped_children_of`, also that process's
    finished children (gunicorn replaces a worker after `max_requests`: its time must count)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
        if pid == reaped_children_of:
            total += int(fields[13]) + int(fields[14])  # cutime, cstime
    return total / ticks


def tree_cpu_seconds(master: int) -> float:
    return _cpu_seconds(_process_tree(master), reaped_children_of=master)


def _memory_mb(pids: list[int]) -> float:
    """The processes' proportional set size: shared pages (PostgreSQL's shared buffers, a
    forked worker's copy-on-write memory) counted once in all, not once per process as a sum
    of RSS would."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _pids_named(name: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _process_tree(root: int) -> list[int]:
    children = {root}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == root:
                children.add(int(entry.name))
    return sorted(children)


def statements_per_request() -> list[Row]:
    """Statements each request of a task runs (in-process, without transaction control)."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token

    from annotations.models import Document, DocumentStatus, Role
    from annotations.services import membership_set, project_create

    project = project_create(name=f"bench statements {time.time_ns()}", reviews_required=2)
    for title, text in review_corpus(6, seed=5):
        Document.objects.create(
            project=project,
            title=title,
            text=text,
            text_sha256=hashlib.sha256(text.encode()).hexdigest(),
            status=DocumentStatus.READY,
        )
    user, _ = User.objects.get_or_create(username=f"bench-statements-{time.time_ns()}")
    membership_set(project=project, user=user, role=Role.REVIEWER)
    client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    rng = random.Random(3)
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")

    def post(path: str, body: Any = None) -> tuple[Any, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                path, json.dumps(body) if body is not None else None, "application/json"
            )
        sql = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(control)]
        return response.json(), len(sql)

    rows: list[Row] = []
    post(f"/api/v1/projects/{project.pk}/queue/next")  # the token's first use looks it up once
    for batch in (False, True, False, True):
        counts = []
        claimed, count = post(f"/api/v1/projects/{project.pk}/queue/next")
        counts.append(count)
        version = claimed["version"]
        spans = _spans(claimed["document"]["text"], rng)
        if batch:
            body, count = post(
                f"/api/v1/assignments/{claimed['id']}/spans/batch",
                {"spans": spans, "version": version},
            )
            version = body["assignment_version"]
            counts.append(count)
        else:
            for span in spans:
                body, count = post(f"/api/v1/assignments/{claimed['id']}/spans", span)
                version = body["assignment_version"]
                counts.append(count)
        _, count = post(f"/api/v1/assignments/{claimed['id']}/submit", {"version": version})
        counts.append(count)
        shape = "3 requests (batch of 5)" if batch else "7 requests (5 single spans)"
        rows.append(
            (
                "review loop",
                f"statements per task, {shape}",
                f"{sum(counts)} ({' + '.join(map(str, counts))})",
            )
        )
    # Each shape ran twice: keep the second (the first may pay one-off lookups).
    return rows[2:]


def bench_review_loop() -> list[Row]:
    """Tasks/s and CPU per task at C=1 and C=8, in both request shapes; peak RSS."""
    from django.db import connection

    rows = statements_per_request()
    for batch in (False, True):
        shape = "batch" if batch else "single"
        for concurrency in CONCURRENCY:
            project_id, tokens = _setup(concurrency)
            connection.close()
            rows.extend(_phase(project_id, tokens, concurrency, batch, shape))
    return rows


def _phase(
    project_id: int, tokens: list[str], concurrency: int, batch: bool, shape: str
) -> list[Row]:
    port = _free_port()
    server = start_gunicorn(port, WORKERS)
    peak = [0.0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            stack = (
                _process_tree(server.pid) + _pids_named("postgres") + _pids_named("redis-server")
            )
            peak[0] = max(peak[0], _memory_mb(stack))
            stop.wait(0.2)

    try:
        _wait_for(port)
        per = TASKS_PER_PHASE // concurrency
        # Warm every worker's connection and imports, untimed.
        warm = [(port, token, project_id, 2, batch, 100 + n) for n, token in enumerate(tokens)]
        with multiprocessing.get_context("spawn").Pool(concurrency) as pool:
            pool.map(loop_tasks, warm)
        postgres = _pids_named("postgres")
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        web_cpu, pg_cpu = tree_cpu_seconds(server.pid), _cpu_seconds(postgres)
        jobs = [(port, token, project_id, per, batch, n) for n, token in enumerate(tokens)]
        started = time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(concurrency) as pool:
            results = pool.map(loop_tasks, jobs)
        elapsed = time.perf_counter() - started
        web_cpu = tree_cpu_seconds(server.pid) - web_cpu
        pg_cpu = _cpu_seconds(_pids_named("postgres")) - pg_cpu
    finally:
        stop.set()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    done = sum(result["done"] for result in results)
    errors = [error for result in results for error in result["errors"]]
    name = f"review loop, {shape}, C={concurrency}"
    per_task = max(done, 1)
    return [
        (name, "tasks", f"{done} in {elapsed:.1f} s: {done / elapsed:.1f} tasks/s"),
        (
            name,
            "CPU per task: web / PostgreSQL",
            f"{web_cpu / per_task * 1000:.0f} / {pg_cpu / per_task * 1000:.0f} ms",
        ),
        (name, "peak memory of the stack (PSS: web, PostgreSQL, Redis)", f"{peak[0]:,.0f} MB"),
        (name, "errors", f"{len(errors)}" + (f": {errors[0]}" if errors else "")),
    ]
