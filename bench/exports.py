"""Export benchmarks: full JSON and CSV exports of 2,000 documents and of 100,000 final spans.

The projects are written straight into the benchmark database in the shape the agreement
services leave behind (accepted documents, two reviewers' submitted spans, the agreed clusters
in `DocumentAgreement`), because going through the review loop for 200,000 spans would measure
the review loop. Each export then runs as `manage.py export_report` in its own process, the
way a user runs it: its time is the command's own (Django start-up excluded), its peak memory
the process's maximum resident set size from `wait4` (start-up included).
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
Row = tuple[str, str, str]
LABELS = ("sourced", "unsourced", "opinion")


def create_project(name: str, documents: int, spans_per_document: int) -> int:
    """An accepted project of `documents` documents with `spans_per_document` final spans."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from annotations.models import (
        Assignment,
        AssignmentState,
        Document,
        DocumentAgreement,
        DocumentStatus,
        Role,
        Span,
    )
    from annotations.services import membership_set, project_create
    from bench.corpus import generated_documents

    project = project_create(name=name, reviews_required=2)
    reviewers = []
    for number in (1, 2):
        user, _ = User.objects.get_or_create(username=f"bench-export-reviewer-{number}")
        membership_set(project=project, user=user, role=Role.REVIEWER)
        reviewers.append(user)
    now = timezone.now()
    batch = 500
    source = generated_documents(documents, seed=19)
    while True:
        rows = [next(source, None) for _ in range(batch)]
        texts = [(title, text) for title, text in (r for r in rows if r is not None)]
        if not texts:
            break
        created = Document.objects.bulk_create(
            Document(
                project=project,
                title=title,
                text=text,
                text_sha256=hashlib.sha256(text.encode()).hexdigest(),
                status=DocumentStatus.ACCEPTED,
                author=f"Author {number % 37}",
                outlet=f"Outlet {number % 11}",
            )
            for number, (title, text) in enumerate(texts)
        )
        assignments = Assignment.objects.bulk_create(
            Assignment(
                project=project,
                document=document,
                reviewer=reviewer,
                state=AssignmentState.SUBMITTED,
                slot=slot,
                claimed_at=now,
                lease_expires_at=now,
                submitted_at=now,
            )
            for document in created
            for slot, reviewer in enumerate(reviewers)
        )
        spans: list[Span] = []
        places: list[list[tuple[int, int, str, str]]] = []
        for document in created:
            cuts = _places(document.text, spans_per_document)
            places.append(cuts)
        for index, assignment in enumerate(assignments):
            document = created[index // 2]
            for start, end, label, said in places[index // 2]:
                spans.append(
                    Span(
                        assignment=assignment,
                        start=start,
                        end=end,
                        quote=document.text[start:end],
                        label=label,
                        source=said,
                    )
                )
        Span.objects.bulk_create(spans, batch_size=5000)
        per_assignment = len(spans) // len(assignments)
        DocumentAgreement.objects.bulk_create(
            DocumentAgreement(
                project=project,
                document=document,
                reviewers=[reviewer.username for reviewer in reviewers],
                units=len(document.text),
                agreed=[
                    {
                        "start": start,
                        "end": end,
                        "label": label,
                        "source": said,
                        "spans": [
                            spans[(2 * position) * per_assignment + k].pk,
                            spans[(2 * position + 1) * per_assignment + k].pk,
                        ],
                    }
                    for k, (start, end, label, said) in enumerate(places[position])
                ],
                settled_at=now,
            )
            for position, document in enumerate(created)
        )
    return int(project.pk)


def _places(text: str, count: int) -> list[tuple[int, int, str, str]]:
    """`count` non-overlapping spans over the text, labels in turn (sourced ones named)."""
    step = max(len(text) // count, 2)
    places: list[tuple[int, int, str, str]] = []
    for number in range(count):
        start = min(number * step, len(text) - 2)
        end = min(start + max(step // 2, 1), len(text))
        if start >= end or (places and start < places[-1][1]):
            break
        label = LABELS[number % 3]
        places.append((start, end, label, f"Source {number % 7}" if label == "sourced" else ""))
    return places


def run_export(project_name: str, fmt: str) -> tuple[float, float, int]:
    """Run the export command in its own process: (seconds, peak MB, bytes written)."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / f"export.{fmt}"
        finished = subprocess.run(
            [
                sys.executable, "manage.py", "export_report", "--project", project_name,
                "--format", fmt, "--output", str(output), "--no-progress",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        if finished.returncode:
            raise RuntimeError(finished.stderr)
        said = re.search(r"in ([0-9.]+) s \(peak memory ([0-9]+) MB\)", finished.stderr)
        if said is None:
            raise RuntimeError(f"no timing in the command's output: {finished.stderr!r}")
        return float(said.group(1)), float(said.group(2)), output.stat().st_size


def bench_exports(documents: int = 2_000, spans_total: int = 100_000) -> list[Row]:
    """Full JSON and CSV exports of `documents` documents and of `spans_total` final spans."""
    rows: list[Row] = []
    stamp = time.time_ns()
    cases = (
        (f"bench export docs {stamp}", documents, 5, f"{documents:,} documents"),
        (f"bench export spans {stamp}", spans_total // 20, 20, f"{spans_total:,} final spans"),
    )
    for name, count, per_document, what in cases:
        started = time.perf_counter()
        create_project(name, count, per_document)
        _analyze()
        rows.append(("exports", f"{what}: set-up", f"{time.perf_counter() - started:.1f} s"))
        for fmt in ("json", "csv"):
            seconds, peak, size = run_export(name, fmt)
            rows.append(
                (
                    "exports",
                    f"{what}: {fmt} ({size / 1e6:.1f} MB)",
                    f"{seconds:.2f} s, peak {peak:.0f} MB RSS",
                )
            )
    return rows


def _analyze() -> None:
    """Fresh statistics, as a database in service has: bulk-loaded tables have none yet."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
