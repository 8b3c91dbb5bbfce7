"""The review-queue load run: gunicorn on loopback, simulated reviewers claiming at once.

Each simulated reviewer is its own process (so the client's GIL does not inflate the figures)
with one keep-alive HTTP connection, looping claim -> 5 span writes -> submit until the time or
count bound. The documents are pre-annotated as in real use (zones and suggestions from the
engine), so a claim carries a review page's material. Latencies are measured around each HTTP
request, with the web workers' CPU per phase; the web CPU of a claim alone is also measured
in-process. Afterwards the database is asked whether any review place was given twice.

Two phases by default. With no pause, 16 clients loop flat out on a 2-core machine shared with
the server and PostgreSQL: a closed system at saturation, where by Little's law a request's
time is the number in the system over the throughput, so latency there is queueing and says
how busy the machine is, not how long a claim takes. With a pause (a reviewer's think time,
still far faster than a person reads) the server is not saturated and latency is mostly the
service time itself.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import multiprocessing
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the engine's import is slow; each client process loads this module
    from annotations.preannotation import Analysis

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # loopback only: the benchmark never listens on a public address
TEXT_PARAGRAPHS = 3  # generated documents cut to their first paragraphs (~1.5 KB each)

Row = tuple[str, str, str]


WARMUP_SECONDS = 5.0
ANALYSED_POOL = 1_000  # distinct texts the engine pre-annotates for the corpus
CLAIMS_TIMED_IN_PROCESS = 200


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def create_project(documents: int, reviewers: int) -> tuple[int, list[str]]:
    """A project of `documents` ready documents and `reviewers` reviewers with API tokens."""
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    from annotations.models import Document, DocumentStatus, Role
    from annotations.preannotation import analyse
    from annotations.services import membership_set, project_create
    from bench.corpus import generated_documents

    project = project_create(name=f"bench review {time.time_ns()}", reviews_required=2)
    # Pre-annotated as in real use, but without running the engine 100,000 times: texts come
    # from a pool the engine analysed once each, made distinct by a last line no zone covers.
    pool = [
        (title, short, analyse(short))
        for title, text in generated_documents(min(documents, ANALYSED_POOL))
        for short in ["\n\n".join(text.split("\n\n")[1 : TEXT_PARAGRAPHS + 1])]
    ]
    batch: list[tuple[Document, Analysis]] = []
    for number in range(documents):
        title, short, analysis = pool[number % len(pool)]
        text = f"{short}\n\nDocument {number}"
        document = Document(
            project=project,
            title=f"{title} ({number})",
            text=text,
            text_sha256=hashlib.sha256(text.encode()).hexdigest(),
            # Set up as already pre-annotated: the run measures the queue, not the engine.
            status=DocumentStatus.READY,
        )
        batch.append((document, analysis))
        if len(batch) == 2000 or number == documents - 1:
            _store_preannotated(batch)
            batch = []
    tokens = []
    for number in range(reviewers):
        user, _ = User.objects.get_or_create(username=f"bench-reviewer-{number}")
        membership_set(project=project, user=user, role=Role.REVIEWER)
        tokens.append(Token.objects.get_or_create(user=user)[0].key)
    return project.pk, tokens


def _store_preannotated(batch: list[tuple[Any, Analysis]]) -> None:
    """Insert the documents, then their zones and suggestions as the pre-annotation stores
    them, with COPY (millions of rows)."""
    from django.db import transaction

    from annotations.services.bulk import bulk_insert
    from annotations.services.preannotation import engine_rows

    with transaction.atomic():
        documents = bulk_insert([document for document, _ in batch])
        analyses = [analysis for _, analysis in batch]
        zones, suggestions = engine_rows(
            {document.pk: analysis for document, analysis in zip(documents, analyses, strict=True)}
        )
        bulk_insert(zones)
        bulk_insert(suggestions)


def _timed_request(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    token: str,
    body: dict[str, Any] | None = None,
) -> tuple[int, Any, float]:
    """One request on the keep-alive connection, sent again once on a fresh connection if the
    server had closed it (gunicorn replaces a worker after `max_requests`): what a browser does;
    the request never reached the closed worker. The time counts both tries."""
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    payload = json.dumps(body).encode() if body is not None else None
    started = time.perf_counter()
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
    except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
        connection.close()
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - started
    return response.status, (json.loads(data) if data else None), elapsed


def reviewer_loop(args: tuple[int, str, int, float, int, int, float]) -> dict[str, Any]:
    """One simulated reviewer: claim, 5 span writes, submit, for `seconds` or `max_loops`.

    `pause` seconds pass between one answer and the next request (0: as fast as possible).
    """
    port, token, project_id, seconds, max_loops, seed, pause = args
    rng = random.Random(seed)
    if _START is not None:
        _START.wait()
    started = time.time()
    deadline = started + seconds

    def _request(*call: Any) -> tuple[int, Any, float]:
        if pause:
            time.sleep(pause)
        return _timed_request(*call)

    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    timings: dict[str, list[float]] = {"claim": [], "span": [], "submit": []}
    documents: list[int] = []
    errors: list[str] = []
    loops = 0
    while time.time() < deadline and loops < max_loops:
        status, body, elapsed = _request(
            connection, "POST", f"/api/v1/projects/{project_id}/queue/next", token
        )
        timings["claim"].append(elapsed)
        if status == 204:
            break
        if status not in (200, 201):
            errors.append(f"claim {status}: {body}")
            break
        if status == 201:
            documents.append(body["document"]["id"])
        assignment, text = body["id"], body["document"]["text"]
        version = body["version"]
        for _ in range(5):
            start = rng.randrange(0, len(text) - 40)
            status, span, elapsed = _request(
                connection,
                "POST",
                f"/api/v1/assignments/{assignment}/spans",
                token,
                {"start": start, "end": start + rng.randint(5, 40), "label": "unsourced"},
            )
            timings["span"].append(elapsed)
            if status != 201:
                errors.append(f"span {status}: {span}")
                break
            version = span["assignment_version"]
        status, body, elapsed = _request(
            connection,
            "POST",
            f"/api/v1/assignments/{assignment}/submit",
            token,
            {"version": version},
        )
        timings["submit"].append(elapsed)
        if status != 200:
            errors.append(f"submit {status}: {body}")
            break
        loops += 1
    connection.close()
    return {
        "timings": timings,
        "documents": documents,
        "errors": errors,
        "loops": loops,
        "started": started,
        "ended": time.time(),
    }


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] * 1000


def bench_review(
    documents: int, reviewers: int, seconds: float, workers: int, pauses: tuple[float, ...]
) -> list[Row]:
    """Load the review API through gunicorn and report throughput, latencies, double claims.

    One phase per pause: with no pause the clients saturate the machine and latency is mostly
    queueing; with a pause (still far faster than a person reads) it is mostly service time.
    """
    from django.db import connection
    from django.db.models import Count

    from annotations.models import Assignment, AssignmentState
    from bench.review_loop import tree_cpu_seconds

    setup_started = time.perf_counter()
    project_id, tokens = create_project(documents, reviewers)
    setup = time.perf_counter() - setup_started
    # The set-up wrote millions of rows: without this, autovacuum and the checkpoint that
    # writes them out ran during the timed phases and stalled every request at once.
    with connection.cursor() as cursor:
        for table in ("document", "zone", "suggestion", "assignment", "auditevent"):
            cursor.execute(f"VACUUM ANALYZE annotations_{table}")
        cursor.execute("CHECKPOINT")
    claim_cpu = claim_cpu_in_process(project_id, CLAIMS_TIMED_IN_PROCESS)
    connection.close()
    port = _free_port()
    server = start_gunicorn(port, workers, "--worker-class", "gthread", "--threads", "4")
    phases: list[tuple[float, list[dict[str, Any]], float, float]] = []
    try:
        _wait_for(port)
        # Warm-up, not timed: every gunicorn thread opens its database connection on its first
        # request, and a claim is each reviewer's first request, so without this the claim
        # figures would mostly measure connection set-up. Its assignments still count below.
        _run_phase(port, tokens, project_id, WARMUP_SECONDS, 0.05)
        for pause in pauses:
            cpu = tree_cpu_seconds(server.pid)
            results, elapsed = _run_phase(port, tokens, project_id, seconds, pause)
            cpu = tree_cpu_seconds(server.pid) - cpu
            phases.append((pause, results, elapsed, cpu))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    rows: list[Row] = [
        ("review", "setup", f"{documents:,} documents, {reviewers} reviewers in {setup:.1f} s"),
        (
            "review",
            "server",
            f"gunicorn {workers}x4 gthread; {os.cpu_count()} cores shared by server, "
            f"PostgreSQL and {reviewers} client processes",
        ),
        (
            "review",
            "web CPU per claim (in-process, no HTTP server)",
            f"{claim_cpu * 1000:.1f} ms (mean of {CLAIMS_TIMED_IN_PROCESS} fresh claims)",
        ),
    ]
    errors: list[str] = []
    given_twice = 0
    for pause, results, elapsed, cpu in phases:
        name = (
            "review, no pause (saturation)" if not pause else f"review, {pause * 1000:.0f} ms pause"
        )
        timings: dict[str, list[float]] = {"claim": [], "span": [], "submit": []}
        for result in results:
            for kind, values in result["timings"].items():
                timings[kind].extend(values)
            errors.extend(result["errors"])
            given_twice += len(result["documents"]) - len(set(result["documents"]))
        loops = sum(result["loops"] for result in results)
        rows.append((name, "loops (claim, 5 spans, submit)", f"{loops:,} in {elapsed:.1f} s"))
        rows.append((name, "claims/s", f"{len(timings['claim']) / elapsed:,.1f}"))
        requests = sum(len(values) for values in timings.values())
        rows.append(
            (
                name,
                "web CPU per request / per loop",
                f"{cpu / max(requests, 1) * 1000:.1f} / {cpu / max(loops, 1) * 1000:.1f} ms",
            )
        )
        for kind, label in (("claim", "claim"), ("span", "span write"), ("submit", "submit")):
            values = timings[kind]
            rows.append(
                (
                    name,
                    f"{label} p50 / p95 / p99 / max",
                    f"{_percentile(values, 0.5):.1f} / {_percentile(values, 0.95):.1f} / "
                    f"{_percentile(values, 0.99):.1f} / {max(values, default=0) * 1000:.1f} ms "
                    f"(n={len(values):,})",
                )
            )
    over_assigned = (
        Assignment.objects.filter(
            project_id=project_id,
            state__in=[AssignmentState.ACTIVE, AssignmentState.SUBMITTED],
        )
        .values("document_id")
        .annotate(n=Count("id"))
        .filter(n__gt=2)
        .count()
    )
    rows.append(
        (
            "review",
            "double assignments (all phases)",
            f"{over_assigned + given_twice} (documents over-assigned {over_assigned}, "
            f"reviewer given a document twice {given_twice})",
        )
    )
    rows.append(("review", "errors", f"{len(errors)}" + (f": {errors[0][:80]}" if errors else "")))
    return rows


def claim_cpu_in_process(project_id: int, claims: int) -> float:
    """Mean CPU seconds of one fresh claim through the whole Django stack (middleware, token
    authentication, view, service, answer), in this process: no HTTP server, no other process
    sharing the figure. Each claim's assignment is then given back (untimed) so the next claim
    is a fresh one too; the documents claimed stay out of the load phases' way at 100,000."""
    from django.contrib.auth.models import User
    from django.test import Client, override_settings
    from rest_framework.authtoken.models import Token

    from annotations.models import Project, Role
    from annotations.services import membership_set

    user, _ = User.objects.get_or_create(username="bench-claim-cpu")
    membership_set(project=Project.objects.get(pk=project_id), user=user, role=Role.REVIEWER)
    client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    path = f"/api/v1/projects/{project_id}/queue/next"
    spent = 0.0
    for number in range(claims + 10):
        # As served: DEBUG would also log every statement.
        with override_settings(DEBUG=False):
            started = time.process_time()
            response = client.post(path)
            elapsed = time.process_time() - started
        if response.status_code != 201:
            raise RuntimeError(f"claim answered {response.status_code}")
        if number >= 10:  # the first ones pay imports and the token lookup
            spent += elapsed
        client.post(f"/api/v1/assignments/{response.json()['id']}/release")
    return spent / claims


_START: Any = None  # a client process's barrier (set by _client_init)


def _client_init(start: Any) -> None:
    global _START
    _START = start


def _run_phase(
    port: int, tokens: list[str], project_id: int, seconds: float, pause: float
) -> tuple[list[dict[str, Any]], float]:
    """Every reviewer loops in its own process for `seconds`; the results and the time taken.

    The clock starts when every client process is up (behind a barrier): starting 16 Python
    processes takes seconds on a busy machine, and would otherwise eat into the phase."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(len(tokens))
    jobs = [
        (port, token, project_id, seconds, 10**9, seed, pause) for seed, token in enumerate(tokens)
    ]
    # Each job blocks at the barrier until all have started, so each runs in its own process.
    with context.Pool(len(jobs), initializer=_client_init, initargs=(start,)) as pool:
        results = pool.map(reviewer_loop, jobs, chunksize=1)
    elapsed = max(r["ended"] for r in results) - min(r["started"] for r in results)
    return results, elapsed


def start_gunicorn(port: int, workers: int, *options: str) -> subprocess.Popen[bytes]:
    """Our app under gunicorn on loopback, in its own session (so killpg stops it whole)."""
    env = {**os.environ, "DEBUG": "false", "LOG_LEVEL": "WARNING"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "factcheck.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            *options,
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        # The access log is written (its cost is part of the figures) but not shown: thousands
        # of lines would bury the results table.
        stdout=subprocess.DEVNULL,
    )


def _wait_for(port: int) -> None:
    for _ in range(200):
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/api/v1/health")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")
