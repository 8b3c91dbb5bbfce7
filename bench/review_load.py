"""The review-queue load run: gunicorn on loopback, simulated reviewers claiming at once.

Each simulated reviewer is its own process (so the client's GIL does not inflate the figures)
with one keep-alive HTTP connection, looping claim -> 5 span writes -> submit until the time or
count bound. Latencies are measured around each HTTP request; afterwards the database is asked
whether any review place was given twice.
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # loopback only: the benchmark never listens on a public address
TEXT_PARAGRAPHS = 3  # generated documents cut to their first paragraphs (~1.5 KB each)

Row = tuple[str, str, str]


WARMUP_SECONDS = 5.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def create_project(documents: int, reviewers: int) -> tuple[int, list[str]]:
    """A project of `documents` ready documents and `reviewers` reviewers with API tokens."""
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    from annotations.models import Document, DocumentStatus, Role
    from annotations.services import membership_set, project_create
    from bench.corpus import generated_documents

    project = project_create(name=f"bench review {time.time_ns()}", reviews_required=2)
    batch: list[Document] = []
    for title, text in generated_documents(documents):
        short = "\n\n".join(text.split("\n\n")[: TEXT_PARAGRAPHS + 1])
        batch.append(
            Document(
                project=project,
                title=title,
                text=short,
                text_sha256=hashlib.sha256(short.encode()).hexdigest(),
                # Set up as already pre-annotated: the run measures the queue, not the engine.
                status=DocumentStatus.READY,
            )
        )
        if len(batch) == 2000:
            Document.objects.bulk_create(batch)
            batch = []
    Document.objects.bulk_create(batch)
    tokens = []
    for number in range(reviewers):
        user, _ = User.objects.get_or_create(username=f"bench-reviewer-{number}")
        membership_set(project=project, user=user, role=Role.REVIEWER)
        tokens.append(Token.objects.get_or_create(user=user)[0].key)
    return project.pk, tokens


def _timed_request(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    token: str,
    body: dict[str, Any] | None = None,
) -> tuple[int, Any, float]:
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    payload = json.dumps(body).encode() if body is not None else None
    started = time.perf_counter()
    connection.request(method, path, body=payload, headers=headers)
    response = connection.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - started
    return response.status, (json.loads(data) if data else None), elapsed


def reviewer_loop(args: tuple[int, str, int, float, int, int, float]) -> dict[str, Any]:
    """One simulated reviewer: claim, 5 span writes, submit, until the deadline or count.

    `pause` seconds pass between one answer and the next request (0: as fast as possible).
    """
    port, token, project_id, deadline, max_loops, seed, pause = args
    rng = random.Random(seed)

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
    return {"timings": timings, "documents": documents, "errors": errors, "loops": loops}


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

    setup_started = time.perf_counter()
    project_id, tokens = create_project(documents, reviewers)
    setup = time.perf_counter() - setup_started
    connection.close()
    port = _free_port()
    server = start_gunicorn(port, workers, "--worker-class", "gthread", "--threads", "4")
    phases: list[tuple[float, list[dict[str, Any]], float]] = []
    try:
        _wait_for(port)
        # Warm-up, not timed: every gunicorn thread opens its database connection on its first
        # request, and a claim is each reviewer's first request, so without this the claim
        # figures would mostly measure connection set-up. Its assignments still count below.
        _run_phase(port, tokens, project_id, WARMUP_SECONDS, 0.05)
        for pause in pauses:
            started = time.perf_counter()
            results = _run_phase(port, tokens, project_id, seconds, pause)
            phases.append((pause, results, time.perf_counter() - started))
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
    ]
    errors: list[str] = []
    given_twice = 0
    for pause, results, elapsed in phases:
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
        for kind, label in (("claim", "claim"), ("span", "span write"), ("submit", "submit")):
            values = timings[kind]
            rows.append(
                (
                    name,
                    f"{label} p50 / p99 / max",
                    f"{_percentile(values, 0.5):.1f} / {_percentile(values, 0.99):.1f} / "
                    f"{max(values, default=0) * 1000:.1f} ms (n={len(values):,})",
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


def _run_phase(
    port: int, tokens: list[str], project_id: int, seconds: float, pause: float
) -> list[dict[str, Any]]:
    """Every reviewer loops in its own process until `seconds` have passed."""
    deadline = time.time() + seconds
    jobs = [
        (port, token, project_id, deadline, 10**9, seed, pause) for seed, token in enumerate(tokens)
    ]
    with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
        return pool.map(reviewer_loop, jobs)


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
