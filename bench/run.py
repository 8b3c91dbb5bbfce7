"""`make bench`: run the benchmarks against PostgreSQL and print one table of figures.

Always uses its own `factcheck_bench` database, dropped and re-created each run so figures start
from empty tables: on the server DATABASE_URL points at when it is set, else on the local
PostgreSQL (127.0.0.1:5432). It never touches the database DATABASE_URL names.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import (  # noqa: E402 - needs ROOT on sys.path first
    agreement,
    exports,
    imports,
    pathological,
    preannotation,
    review_loop,
)

Row = tuple[str, str, str]  # (benchmark, figure, value)
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/factcheck_bench"


def prepare_database(url: str) -> None:
    """Drop and re-create the benchmark database, then migrate it."""
    name = url.rsplit("/", 1)[-1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True
    )


def bench_import(documents: int) -> list[Row]:
    """Import `documents` generated documents from a JSONL file through the import service."""
    from annotations.importing import read_paths
    from annotations.services import documents_import, project_create
    from bench.corpus import generated_documents

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "corpus.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for title, text in generated_documents(documents):
                handle.write(json.dumps({"title": title, "text": text}) + "\n")
        size = path.stat().st_size
        project = project_create(name=f"bench import {time.time_ns()}")
        started = time.perf_counter()
        report = documents_import(
            project=project,
            items=read_paths([path], max_bytes=5 * 1024 * 1024, max_container_bytes=size + 1),
        )
        elapsed = time.perf_counter() - started
    assert len(report.imported) == documents, report.summary()  # noqa: S101 - a broken run must stop
    return [
        ("import", f"{documents} documents, {size / 1e6:.1f} MB JSONL", f"{elapsed:.2f} s"),
        (
            "import",
            "throughput",
            f"{documents / elapsed:,.0f} docs/s, {size / 1e6 / elapsed:.1f} MB/s",
        ),
    ]


def bench_review(args: argparse.Namespace) -> list[Row]:
    """The review queue under load through gunicorn (see bench/review_load.py)."""
    from bench.review_load import bench_review as run

    return run(
        args.review_documents,
        args.reviewers,
        args.seconds,
        args.workers,
        tuple(ms / 1000 for ms in args.pauses_ms),
    )


def bench_web() -> list[Row]:
    """The frontend in Chromium on seed 002 (see bench/web.py)."""
    from bench.web import bench_web as run

    return run()


BENCHMARKS: dict[str, Callable[[argparse.Namespace], list[Row]]] = {
    "import": lambda args: bench_import(args.documents),
    "import-http": lambda args: imports.bench_import_http(args.documents),
    "quality": lambda args: preannotation.bench_quality(),
    "engine": lambda args: preannotation.bench_engine(args.megabytes),
    "end-to-end": lambda args: preannotation.bench_end_to_end(
        args.e2e_documents, os.environ["DATABASE_URL"], os.environ["REDIS_URL"]
    ),
    "review": bench_review,
    "web": lambda args: bench_web(),
    "agreement": lambda args: agreement.bench_agreement(args.agreement_documents, 2000),
    "exports": lambda args: exports.bench_exports(args.export_documents, args.export_spans),
    "review-loop": lambda args: review_loop.bench_review_loop(),
    # No database needed: also runs alone as `python bench/pathological.py`.
    "pathological": lambda args: pathological.bench_pathological(args.pathological_megabytes),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--only",
        choices=sorted(BENCHMARKS),
        action="append",
        help="Run only these benchmarks (repeatable).",
    )
    parser.add_argument(
        "--documents",
        type=int,
        default=10_000,
        help="Documents to import (import: in-process; import-http: one upload over HTTP).",
    )
    parser.add_argument(
        "--megabytes", type=float, default=20, help="Generated corpus for the engine."
    )
    parser.add_argument(
        "--e2e-documents",
        type=int,
        default=2_000,
        help="Documents pre-annotated end to end through Celery.",
    )
    parser.add_argument(
        "--review-documents", type=int, default=100_000, help="Documents in the review project."
    )
    parser.add_argument("--reviewers", type=int, default=16, help="Simulated reviewers.")
    parser.add_argument(
        "--pathological-megabytes", type=float, default=4.0, help="Size of each hostile text."
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="Length of the review load.")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes.")
    parser.add_argument(
        "--pauses-ms",
        type=float,
        nargs="+",
        default=[0.0, 500.0],
        help="Each reviewer's pause between requests, one load phase per value.",
    )
    parser.add_argument(
        "--agreement-documents",
        type=int,
        default=100_000,
        help="Documents in the project where a completing submission is timed.",
    )
    parser.add_argument(
        "--export-documents", type=int, default=2_000, help="Documents in the export project."
    )
    parser.add_argument(
        "--export-spans", type=int, default=100_000, help="Final spans in the large export."
    )
    args = parser.parse_args()

    server = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE
    if not server.startswith("postgres"):
        sys.exit("make bench measures PostgreSQL: set DATABASE_URL to a postgres:// URL.")
    # BENCH_DATABASE_NAME lets runs on one shared server keep out of each other's way.
    url = server.rsplit("/", 1)[0] + "/" + os.environ.get("BENCH_DATABASE_NAME", "factcheck_bench")
    os.environ["DATABASE_URL"] = url
    # Its own Redis database too, flushed, so queued work from elsewhere never mixes in.
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    os.environ["REDIS_URL"] = redis_url
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    prepare_database(url)

    import django

    django.setup()
    rows: list[Row] = []
    for name in args.only or list(BENCHMARKS):
        rows.extend(BENCHMARKS[name](args))
    width = [max(len(r[i]) for r in [*rows, ("benchmark", "figure", "value")]) for i in range(3)]
    line = "  ".join("-" * w for w in width)
    print(
        "  ".join(h.ljust(w) for h, w in zip(("benchmark", "figure", "value"), width, strict=True))
    )
    print(line)
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, width, strict=True)))


if __name__ == "__main__":
    main()
