"""Agreement benchmarks: alignment and metrics in bulk, and a completing submission's cost.

- `bench_alignment`: 2,000 generated documents x 3 reviewers x 20 spans each (jittered
  boundaries, some relabelled, dropped or differently sourced spans), aligned and measured one
  by one as the service does, then summed into project figures. Plain Python, no database.
- `bench_completing_submit`: a project of 100,000 documents (filler rows: settled documents
  with their assignments and stored agreement), then documents of ~20 spans per reviewer
  reviewed by two reviewers through the services; the figure is what the second, completing
  submit adds (alignment, disputes, figures, status) over a plain submit.

Run inside `bench/run.py` (`--only agreement`), or alone against a database of your own:
`DATABASE_URL=postgres://.../mydb python bench/agreement.py` (the database is migrated, not
dropped).
"""

from __future__ import annotations

import hashlib
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
Row = tuple[str, str, str]
LABELS = ("sourced", "unsourced", "opinion")
SOURCES = ("the minister", "Reuters", "a council spokesperson", "Dr. Amal Haddad")
TEXT_LENGTH = 4000


def _reviewer_spans(
    rng: random.Random, base: list[tuple[int, int, str, str]], length: int
) -> list[tuple[int, int, str, str]]:
    """One reviewer's version of the base spans: mostly the same, within a few characters."""
    spans = []
    for start, end, label, source in base:
        roll = rng.random()
        if roll < 0.08:
            continue  # missed it
        if roll < 0.16:
            label = rng.choice([other for other in LABELS if other != label])
        if label == "sourced" and rng.random() < 0.05:
            source = rng.choice(SOURCES)
        if rng.random() < 0.3:  # most reviewers pick the same sentence boundaries
            start = max(0, start + rng.randint(-6, 6))
            end = min(length, max(start + 1, end + rng.randint(-6, 6)))
        spans.append((start, end, label, source if label == "sourced" else ""))
    return spans


def _base_spans(rng: random.Random, count: int, length: int) -> list[tuple[int, int, str, str]]:
    slot = length // count
    base = []
    for i in range(count):
        start = i * slot + rng.randint(5, slot // 3)
        end = min((i + 1) * slot - 5, start + rng.randint(30, 2 * slot // 3))
        label = rng.choice(LABELS)
        base.append((start, end, label, rng.choice(SOURCES) if label == "sourced" else ""))
    return base


def bench_alignment(documents: int = 2000, reviewers: int = 3, spans: int = 20) -> list[Row]:
    """Align and measure `documents` generated documents, then sum the project figures."""
    from annotations.agreement import (
        Review,
        ReviewerSpan,
        align,
        document_figures,
        project_figures,
    )

    rng = random.Random(11)
    corpus = []
    for _ in range(documents):
        base = _base_spans(rng, spans, TEXT_LENGTH)
        reviews = []
        for r in range(reviewers):
            name = f"reviewer{r}"
            marks = _reviewer_spans(rng, base, TEXT_LENGTH)
            reviews.append(
                Review(name, tuple(ReviewerSpan(name, *mark, i) for i, mark in enumerate(marks)))
            )
        corpus.append(reviews)
    started = time.perf_counter()
    cpu = time.process_time()
    rows = []
    disputes = 0
    for reviews in corpus:
        clusters = align(reviews, tolerance=3)
        disputes += sum(1 for cluster in clusters if cluster.kind is not None)
        measured = document_figures(
            text_length=TEXT_LENGTH,
            article_zones=[(0, TEXT_LENGTH - 300)],
            reviews=reviews,
            clusters=clusters,
            labels=list(LABELS),
        )
        rows.append((measured.stats, None))
    aligned = time.perf_counter() - started
    # CPU time too: on a shared machine the wall clock also counts time waiting for a core.
    aligned_cpu = time.process_time() - cpu
    started = time.perf_counter()
    figures = project_figures(rows=rows, labels=list(LABELS))
    summed = time.perf_counter() - started
    shape = f"{documents} docs x {reviewers} reviewers x {spans} spans"
    return [
        (
            "agreement",
            f"align + metrics, {shape}",
            f"{aligned:.2f} s wall, {aligned_cpu:.2f} s CPU (target < 5 s)",
        ),
        ("agreement", "per document", f"{aligned / documents * 1000:.2f} ms"),
        ("agreement", f"project figures summed from {documents} docs", f"{summed * 1000:.0f} ms"),
        (
            "agreement",
            "project alpha / disputes per doc",
            f"{figures['alpha']['value']:.3f} / {disputes / documents:.1f}",
        ),
    ]


def _typical_stats(names: list[str]) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """The stored statistics of one generated two-reviewer document, to fill the project with."""
    from annotations.agreement import (
        Review,
        ReviewerSpan,
        align,
        document_figures,
        reviewer_verdict_counts,
    )

    rng = random.Random(3)
    base = _base_spans(rng, 20, TEXT_LENGTH)
    reviews = [
        Review(name, tuple(ReviewerSpan(name, *m) for m in _reviewer_spans(rng, base, TEXT_LENGTH)))
        for name in names
    ]
    measured = document_figures(
        text_length=TEXT_LENGTH,
        article_zones=[],
        reviews=reviews,
        clusters=align(reviews, tolerance=3),
        labels=list(LABELS),
    )
    verdicts = [(start, end, label) for start, end, label, _ in base]
    return measured.stats, reviewer_verdict_counts(reviews=reviews, verdicts=verdicts, tolerance=3)


def _filler(project: Any, reviewers: list[Any], documents: int) -> None:
    """`documents` settled documents with two submitted reviews and a stored agreement each."""
    from django.utils import timezone

    from annotations.models import (
        Assignment,
        AssignmentState,
        Document,
        DocumentAgreement,
        DocumentStatus,
    )

    now = timezone.now()
    stats, verdict_stats = _typical_stats([reviewer.username for reviewer in reviewers])
    batch = 5000
    for offset in range(0, documents, batch):
        created = Document.objects.bulk_create(
            Document(
                project=project,
                title=f"Filler {n}",
                text=f"Filler document {n}. The mayor said the budget would grow.",
                text_sha256=hashlib.sha256(f"filler {n}".encode()).hexdigest(),
                status=DocumentStatus.ACCEPTED,
            )
            for n in range(offset, min(documents, offset + batch))
        )
        Assignment.objects.bulk_create(
            Assignment(
                project=project,
                document=document,
                reviewer=reviewer,
                slot=slot,
                state=AssignmentState.SUBMITTED,
                claimed_at=now,
                lease_expires_at=now,
                submitted_at=now,
                nothing_to_mark=True,
            )
            for document in created
            for slot, reviewer in enumerate(reviewers)
        )
        DocumentAgreement.objects.bulk_create(
            DocumentAgreement(
                project=project,
                document=document,
                reviewers=[reviewer.username for reviewer in reviewers],
                stats=stats,
                verdict_stats=verdict_stats,
                settled_at=now,
            )
            for document in created
        )


def bench_completing_submit(documents: int = 100_000, samples: int = 30) -> list[Row]:
    """Time the submit that completes a document in a project of `documents` documents."""
    from django.contrib.auth.models import User

    from annotations import services
    from annotations.models import Document, DocumentStatus, Span
    from annotations.services.review import transitions as review_service
    from bench.corpus import generated_documents

    project = services.project_create(name=f"bench agreement {time.time_ns()}")
    reviewers = [
        User.objects.create_user(username=f"agree-bench-{time.time_ns()}-{i}") for i in range(2)
    ]
    for reviewer in reviewers:
        services.membership_set(project=project, user=reviewer, role="reviewer")
    started = time.perf_counter()
    _filler(project, reviewers, documents - samples)
    filled = time.perf_counter() - started
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics after the bulk load, as autovacuum would
    # The filler bypassed the services: build the project's running total from its rows.
    started = time.perf_counter()
    services.agreement_totals_rebuild(project=project)
    rebuilt = time.perf_counter() - started
    rng = random.Random(5)
    texts = []
    for title, text in generated_documents(samples, seed=23):
        texts.append((title, text[:TEXT_LENGTH]))
    Document.objects.bulk_create(
        Document(
            project=project,
            title=title,
            text=text,
            text_sha256=hashlib.sha256(text.encode()).hexdigest(),
            status=DocumentStatus.READY,
        )
        for title, text in texts
    )

    recorded: list[float] = []
    recorded_cpu: list[float] = []
    original: Callable[..., Any] = review_service.agreement_record  # type: ignore[attr-defined]

    def timed(**kwargs: Any) -> Any:
        began, cpu = time.perf_counter(), time.process_time()
        try:
            return original(**kwargs)
        finally:
            recorded.append(time.perf_counter() - began)
            recorded_cpu.append(time.process_time() - cpu)

    plain: list[float] = []
    completing: list[float] = []
    review_service.agreement_record = timed  # type: ignore[attr-defined]
    try:
        for _ in range(samples):
            base: list[tuple[int, int, str, str]] | None = None
            for position, reviewer in enumerate(reviewers):
                claim = services.assignment_claim_next(project=project, reviewer=reviewer)
                assert claim is not None  # noqa: S101 - a broken run must stop
                assignment = claim.assignment
                text = Document.objects.values_list("text", flat=True).get(
                    pk=assignment.document_id
                )
                if base is None:
                    base = _base_spans(rng, 20, len(text))
                Span.objects.bulk_create(
                    Span(
                        assignment=assignment,
                        start=start,
                        end=end,
                        quote=text[start:end],
                        label=label,
                        source=source,
                    )
                    for start, end, label, source in _reviewer_spans(rng, base, len(text))
                )
                began = time.perf_counter()
                services.assignment_submit(
                    assignment=assignment, actor=reviewer, version=assignment.version
                )
                (completing if position else plain).append(time.perf_counter() - began)
    finally:
        review_service.agreement_record = original  # type: ignore[attr-defined]

    from annotations.selectors import agreement_for_project

    began = time.perf_counter()
    figures = agreement_for_project(project=project)
    read = time.perf_counter() - began
    assert figures["documents"] == documents  # noqa: S101 - a broken run must stop

    def ms(values: list[float], q: float = 0.5) -> str:
        ordered = sorted(values)
        return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.1f} ms"

    added = statistics.median(completing) - statistics.median(plain)
    return [
        ("agreement", f"filler: {documents - samples:,} settled docs", f"{filled:.1f} s"),
        ("agreement", "agreement_totals_rebuild over the filler", f"{rebuilt:.1f} s"),
        ("agreement", "plain submit, median", ms(plain)),
        (
            "agreement",
            "completing submit, median / p95",
            f"{ms(completing)} / {ms(completing, 0.95)}",
        ),
        (
            "agreement",
            f"added by completing, at {documents:,} docs (median diff)",
            f"{added * 1000:.1f} ms (target < 20 ms)",
        ),
        (
            "agreement",
            "agreement_record alone, median / p95",
            f"{ms(recorded)} / {ms(recorded, 0.95)}",
        ),
        ("agreement", "agreement_record's own CPU time, median", ms(recorded_cpu)),
        (
            "agreement",
            f"agreement_for_project at {documents:,} docs (running total)",
            f"{read:.2f} s",
        ),
    ]


def bench_agreement(documents: int, alignment_documents: int) -> list[Row]:
    return [*bench_alignment(alignment_documents), *bench_completing_submit(documents)]


if __name__ == "__main__":
    import os

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    for row in bench_agreement(
        int(sys.argv[1]) if len(sys.argv) > 1 else 100_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 2000,
    ):
        print("  ".join(row))
