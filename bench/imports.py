"""One JSONL upload over HTTP, as a user makes it: gunicorn, a real Celery worker, PostgreSQL.

The corpus (bench/corpus.py) is written to a file and sent as one multipart upload, streamed
from disk, to gunicorn started with the production settings (gunicorn.conf.py). The clock runs
from the first byte sent until the import job is done; the Celery worker (2 processes, as in
docker-compose.yml) imports and, at the same time, pre-annotates what is imported, as it would
in production. Meanwhile the proportional set size (PSS) of the web server, the Celery worker,
PostgreSQL and Redis is sampled, each alone and all together, with their CPU time.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg

from bench.corpus import generated_documents
from bench.review_load import HOST, _free_port, _wait_for, start_gunicorn
from bench.review_loop import (
    _cpu_seconds,
    _memory_mb,
    _pids_named,
    _process_tree,
    tree_cpu_seconds,
)

ROOT = Path(__file__).resolve().parents[1]
WEB_WORKERS = 3  # gunicorn.conf.py's default
CELERY_CONCURRENCY = 2  # docker-compose.yml's worker
TIMEOUT_SECONDS = 3600

Row = tuple[str, str, str]


def write_corpus(path: Path, documents: int) -> int:
    """The generated corpus as JSONL at `path`; returns its size in bytes."""
    with path.open("w", encoding="utf-8") as handle:
        for title, text in generated_documents(documents):
            handle.write(json.dumps({"title": title, "text": text}, ensure_ascii=False) + "\n")
    return path.stat().st_size


def _lead_token() -> tuple[int, str]:
    """A project and the token of its lead."""
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    from annotations.models import Role
    from annotations.services import membership_set, project_create

    project = project_create(name=f"bench import {time.time_ns()}")
    user = User.objects.create_user(username=f"bench-importer-{time.time_ns()}")
    membership_set(project=project, user=user, role=Role.LEAD)
    return project.pk, Token.objects.create(user=user).key


def _upload(port: int, project_id: int, token: str, path: Path) -> dict[str, object]:
    """POST the file as multipart/form-data, read from disk in 1 MB pieces."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="{path.name}"\r\nContent-Type: application/x-ndjson\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield head
        with path.open("rb") as handle:
            while chunk := handle.read(1024 * 1024):
                yield chunk
        yield tail

    connection = http.client.HTTPConnection(HOST, port, timeout=600)
    connection.request(
        "POST",
        f"/api/v1/projects/{project_id}/documents/upload",
        body=body(),
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(head) + path.stat().st_size + len(tail)),
        },
    )
    response = connection.getresponse()
    data = json.loads(response.read())
    if response.status != 202:
        raise RuntimeError(f"upload answered {response.status}: {data}")
    return dict(data)


def _poll(port: int, url: str, token: str) -> dict[str, object]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    connection.request("GET", url, headers={"Authorization": f"Token {token}"})
    return dict(json.loads(connection.getresponse().read()))


def start_celery(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A Celery worker like docker-compose.yml's, in its own session."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "factcheck",
            "worker",
            "--concurrency",
            str(CELERY_CONCURRENCY),
            "--loglevel",
            "WARNING",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )


def stop_celery(worker: subprocess.Popen[bytes]) -> None:
    """Stop a worker from `start_celery` warm: its parent alone is told, so the pool children
    finish the batch in hand instead of dying mid-task with a WorkerLostError; killed if it
    takes over a minute."""
    os.kill(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)


def bench_import_http(documents: int) -> list[Row]:
    """Docs/s of one JSONL upload over HTTP until its job is done; CPU and peak PSS."""
    from django.db import connection

    database_url = os.environ["DATABASE_URL"]
    folder = Path(tempfile.mkdtemp(prefix="factcheck-bench-import-"))
    corpus = folder / "corpus.jsonl"
    size = write_corpus(corpus, documents)
    project_id, token = _lead_token()
    connection.close()
    queue = f"factcheck-bench-import-{os.getpid()}"
    os.environ["CELERY_QUEUE"] = queue  # read by gunicorn and the worker (their env copies ours)
    os.environ["FACTCHECK_JOB_FILES_DIR"] = str(folder / "jobs")
    # 100,000 generated documents make a ~730 MB file: past the 256 MB default upload limit,
    # which is a deployment's choice (nginx's too), not the import's.
    os.environ["FACTCHECK_UPLOAD_MAX_BYTES"] = str(max(256 * 1024 * 1024, size + 1024 * 1024))
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    port = _free_port()
    # The production settings; only the access log is dropped (a line per poll is noise here).
    server = start_gunicorn(
        port, WEB_WORKERS, "-c", str(ROOT / "gunicorn.conf.py"), "--access-logfile", os.devnull
    )
    worker = start_celery(env)
    parts: dict[str, list[int]] = {}
    peaks = {"web": 0.0, "celery": 0.0, "postgres": 0.0, "redis": 0.0, "stack": 0.0}
    # CPU seconds of each of our PostgreSQL processes when last seen: a backend's time is
    # lost from /proc when it exits, so it is read while it lives.
    postgres_cpu: dict[int, float] = {}
    stop = threading.Event()
    watcher = psycopg.connect(database_url, autocommit=True)

    def sample() -> None:
        while not stop.is_set():
            parts["web"] = _process_tree(server.pid)
            parts["celery"] = _process_tree(worker.pid)
            parts["postgres"] = _our_postgres(watcher)
            parts["redis"] = _pids_named("redis-server")
            sizes = {name: _memory_mb(pids) for name, pids in parts.items()}
            for name, megabytes in sizes.items():
                peaks[name] = max(peaks[name], megabytes)
            peaks["stack"] = max(peaks["stack"], sum(sizes.values()))
            for pid in parts["postgres"]:
                postgres_cpu[pid] = max(postgres_cpu.get(pid, 0.0), _cpu_seconds([pid]))
            stop.wait(0.2)

    try:
        _wait_for(port)
        time.sleep(3)  # the worker connects to the broker before the clock starts
        cpu_before = _cpu(server.pid, worker.pid)
        postgres_before = {pid: _cpu_seconds([pid]) for pid in _our_postgres(watcher)}
        at_rest = sum(
            _memory_mb(pids)
            for pids in (
                _process_tree(server.pid),
                _process_tree(worker.pid),
                _our_postgres(watcher),
                _pids_named("redis-server"),
            )
        )
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.perf_counter()
        job = _upload(port, project_id, token, corpus)
        uploaded = time.perf_counter() - started
        while job["state"] not in ("done", "failed"):
            if time.perf_counter() - started > TIMEOUT_SECONDS:
                raise RuntimeError(f"the import job did not finish in {TIMEOUT_SECONDS} s")
            time.sleep(0.2)
            job = _poll(port, str(job["url"]), token)
        elapsed = time.perf_counter() - started
        cpu_after = _cpu(server.pid, worker.pid)
        stop.set()
        sampler.join()
        cpu_after["postgres"] = sum(
            seconds - postgres_before.get(pid, 0.0) for pid, seconds in postgres_cpu.items()
        )
    finally:
        stop.set()
        watcher.close()
        os.killpg(server.pid, signal.SIGTERM)
        stop_celery(worker)
        server.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
    if job["state"] != "done":
        raise RuntimeError(f"the import job failed: {job.get('error')}")
    report = job["report"]
    assert isinstance(report, dict)  # noqa: S101 - a broken run must stop
    name = f"import over HTTP, {documents:,} docs"
    cpu = {part: cpu_after[part] - cpu_before[part] for part in ("web", "celery")}
    cpu["postgres"] = cpu_after["postgres"]
    pre = job.get("preannotation") or {}
    assert isinstance(pre, dict)  # noqa: S101
    return [
        (name, f"one {size / 1e6:.1f} MB JSONL upload", str(report["summary"])),
        (
            name,
            "upload answered 202 / job done",
            f"{uploaded:.1f} s / {elapsed:.1f} s: {documents / elapsed:,.0f} docs/s",
        ),
        (
            name,
            "CPU: web / Celery / PostgreSQL (this database)",
            f"{cpu['web']:.1f} / {cpu['celery']:.1f} / {cpu['postgres']:.1f} s",
        ),
        (
            name,
            "peak PSS: web / Celery / PostgreSQL / Redis",
            " / ".join(f"{peaks[p]:,.0f}" for p in ("web", "celery", "postgres", "redis")) + " MB",
        ),
        (
            name,
            "PSS of the stack at rest before the upload / peak (sampled together)",
            f"{at_rest:,.0f} / {peaks['stack']:,.0f} MB",
        ),
        (
            name,
            "pre-annotated when the import was done",
            f"{pre.get('done', 0)} of {pre.get('total', 0)} ({pre.get('failed', 0)} failed)",
        ),
    ]


def _cpu(web: int, worker: int) -> dict[str, float]:
    return {"web": tree_cpu_seconds(web), "celery": tree_cpu_seconds(worker)}


def _our_postgres(watcher: psycopg.Connection[Any]) -> list[int]:
    """PostgreSQL's processes that serve this benchmark: the postmaster, its background
    processes, and the backends connected to the benchmark's database (not the watcher's).
    Other databases' backends on a shared server are left out."""
    rows = watcher.execute(
        "SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
        "AND (datname = current_database() OR backend_type <> 'client backend')"
    ).fetchall()
    pids = [int(row[0]) for row in rows]
    if pids:
        try:
            stat = Path(f"/proc/{pids[0]}/stat").read_text().rsplit(")", 1)[1].split()
            pids.append(int(stat[1]))  # the postmaster
        except OSError:
            pass
    return pids
