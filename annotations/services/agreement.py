"""Agreement when a document's review round completes, and the settled document's verdicts.

`agreement_record` runs inside the transaction of the submit that completes a round (so a
document is never `reviewed` without its disputes): it aligns the round's reviews, opens a
Dispute per disputed cluster, stores the round's figures and additive statistics in a
`DocumentAgreement`, and moves the document to `accepted` (no dispute) or `disputed`. It is a
handful of queries whatever the size of the project: nothing about other documents is read.

`agreement_settle` fills in, once a document is accepted, how each reviewer's spans compare
with the final verdicts (for the per-reviewer figures).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models.functions import Length

from annotations import clock
from annotations.agreement import (
    Review,
    ReviewerSpan,
    add_round,
    add_verdicts,
    align,
    document_figures,
    reviewer_verdict_counts,
)
from annotations.models import (
    Assignment,
    AssignmentState,
    Dispute,
    DisputeStatus,
    Document,
    DocumentAgreement,
    DocumentStatus,
    Label,
    Project,
    ProjectAgreement,
    Resolution,
    ResolutionKind,
    Zone,
    ZoneKind,
)
from annotations.services.audit import audit_record


def round_reviews(*, document_id: int, round_: int) -> tuple[list[Review], int]:
    """The submitted reviews of a document's round as plain records, and the length of the
    document's text, in one query (a reviewer with no span comes as one row of nulls)."""
    rows = (
        Assignment.objects.filter(
            document_id=document_id, round=round_, state=AssignmentState.SUBMITTED
        )
        .order_by("reviewer__username", "spans__start", "spans__end", "spans__id")
        .values_list(
            "reviewer__username",
            "spans__id",
            "spans__start",
            "spans__end",
            "spans__label",
            "spans__source",
            Length("document__text"),
        )
    )
    spans: dict[str, list[ReviewerSpan]] = {}
    text_length = 0
    for reviewer, pk, start, end, label, source, length in rows:
        text_length = length
        marked = spans.setdefault(reviewer, [])
        if pk is not None:
            marked.append(ReviewerSpan(reviewer, start, end, label, source, pk))
    return [Review(name, tuple(marked)) for name, marked in spans.items()], text_length


def agreement_record(
    *, document: Document, project: Project, actor: User | None, now: datetime
) -> DocumentAgreement:
    """Align the completed round of `document`, open its disputes, store its figures, and move
    it from `reviewed` to `accepted` or `disputed`.

    Precondition: inside the transaction that submitted the round's last review, holding the
    document's row lock, with `document.status == reviewed`. Raises nothing of its own. Side
    effects: inserts Disputes (with their spans) and a DocumentAgreement, updates the
    document's status, and writes one audit row (the transition, listing the disputes).
    """
    round_ = document.review_round
    reviews, text_length = round_reviews(document_id=document.pk, round_=round_)
    clusters = align(reviews, tolerance=project.dispute_tolerance)
    # order_by(): the models' default orderings join the parent tables for nothing here.
    zones = (
        Zone.objects.filter(document_id=document.pk, kind=ZoneKind.ARTICLE)
        .order_by()
        .values_list("start", "end")
    )
    labels = list(
        Label.objects.filter(project=project).order_by("ordering").values_list("value", flat=True)
    )
    measured = document_figures(
        text_length=text_length,
        article_zones=list(zones),
        reviews=reviews,
        clusters=clusters,
        labels=labels,
    )
    disputed = [cluster for cluster in clusters if cluster.kind is not None]
    disputes = Dispute.objects.bulk_create(
        Dispute(
            document_id=document.pk,
            round=round_,
            start=cluster.start,
            end=cluster.end,
            kind=str(cluster.kind),
        )
        for cluster in disputed
    )
    Dispute.spans.through.objects.bulk_create(
        Dispute.spans.through(dispute_id=dispute.pk, span_id=span.span_id)
        for dispute, cluster in zip(disputes, disputed, strict=True)
        for span in cluster.spans
    )
    agreed = [
        {
            "start": final.start,
            "end": final.end,
            "label": final.label,
            "source": final.source,
            "spans": list(final.span_ids),
        }
        for cluster in clusters
        if cluster.kind is None
        for final in cluster.consensus()
    ]
    status = DocumentStatus.DISPUTED if disputes else DocumentStatus.ACCEPTED
    agreement = DocumentAgreement.objects.create(
        project=project,
        document_id=document.pk,
        round=round_,
        reviewers=[review.reviewer for review in reviews],
        units=measured.units,
        alpha=measured.alpha,
        figures=measured.figures,
        stats=measured.stats,
        agreed=agreed,
        disputes=len(disputes),
        verdict_stats=None if disputes else _verdict_stats(reviews, agreed, [], project),
        settled_at=None if disputes else now,
    )
    agreement_totals_change(project.pk, add=agreement)
    Document.objects.filter(pk=document.pk).update(status=status)
    before = document.status
    document.status = status
    # One audit row for the transition, naming the disputes it opened: a row per dispute
    # would cost more than the rest of the alignment put together on a busy document.
    audit_record(
        actor=actor,
        action=f"document.{status}",
        entity=document,
        project=project,
        before={"status": before},
        after={
            "status": status,
            "round": round_,
            "disputes": [[d.pk, d.kind, d.start, d.end] for d in disputes],
        },
    )
    return agreement


def _verdict_stats(
    reviews: Sequence[Review],
    agreed: Sequence[dict[str, Any]],
    resolved: Sequence[tuple[int, int, str]],
    project: Project,
) -> dict[str, list[int]]:
    verdicts = [(item["start"], item["end"], item["label"]) for item in agreed]
    verdicts.extend(resolved)
    return reviewer_verdict_counts(
        reviews=reviews, verdicts=verdicts, tolerance=project.dispute_tolerance
    )


def agreements_backfill(*, project: Project | None = None, now: datetime | None = None) -> int:
    """Record agreement for documents left at `reviewed` (rounds completed before agreement
    was computed on submit); return how many were settled.

    One short durable transaction per document, holding its row lock; a document another
    process moved on meanwhile is skipped. Side effects: as `agreement_record`, with no actor
    (the system) on the audit rows.
    """
    now = now or clock.now()
    pending = Document.objects.filter(status=DocumentStatus.REVIEWED)
    if project is not None:
        pending = pending.filter(project=project)
    done = 0
    for pk in list(pending.order_by("id").values_list("pk", flat=True)):
        with transaction.atomic(durable=True):
            document = (
                Document.objects.select_for_update(no_key=True)
                .select_related("project")
                .filter(pk=pk, status=DocumentStatus.REVIEWED)
                .first()
            )
            if document is None:
                continue
            agreement_record(document=document, project=document.project, actor=None, now=now)
            done += 1
    return done


def agreement_settle(*, document: Document, project: Project, now: datetime) -> None:
    """Store how each reviewer's spans compare with the settled document's final verdicts.

    Called when a document becomes `accepted` through its last resolution, and again when an
    accepted document's dispute gets a later decision. Precondition: inside the deciding
    transaction, holding the document's lock. Side effects: updates the round's
    DocumentAgreement (`verdict_stats`, `settled_at`).
    """
    round_ = document.review_round
    latest: dict[int | None, tuple[int, int, str] | None] = {}
    rows = (
        Resolution.objects.filter(
            document_id=document.pk, round=round_, kind=ResolutionKind.RESOLUTION
        )
        .order_by("dispute_id", "id")
        .values_list("dispute_id", "no_span", "start", "end", "label")
    )
    for dispute_id, no_span, start, end, label in rows:
        final = None if no_span or start is None or end is None else (start, end, label)
        latest[dispute_id] = final
    agreement = DocumentAgreement.objects.get(document_id=document.pk, round=round_)
    reviews, _ = round_reviews(document_id=document.pk, round_=round_)
    resolved = [verdict for verdict in latest.values() if verdict is not None]
    previous = agreement.verdict_stats
    agreement.verdict_stats = _verdict_stats(reviews, agreement.agreed, resolved, project)
    agreement.settled_at = now
    agreement.save(update_fields=["verdict_stats", "settled_at"])
    agreement_totals_change(project.pk, verdicts=(previous, agreement.verdict_stats))


def agreement_totals_change(
    project_id: int,
    *,
    add: DocumentAgreement | None = None,
    remove: DocumentAgreement | None = None,
    verdicts: tuple[dict[str, list[int]] | None, dict[str, list[int]] | None] | None = None,
) -> None:
    """Fold a document's stored figures into (`add`) or out of (`remove`) its project's
    running total, or replace its reviewers' verdict counts (`verdicts`: old, new).

    Precondition: inside the transaction that changed the document, holding its row lock (so
    the order is always document, then this row: no deadlock). The row is created on a
    project's first completed document; two creating at once both insert-or-ignore.
    """
    row = ProjectAgreement.objects.select_for_update().filter(project_id=project_id).first()
    if row is None:
        ProjectAgreement.objects.bulk_create(
            [ProjectAgreement(project_id=project_id)], ignore_conflicts=True
        )
        row = ProjectAgreement.objects.select_for_update().get(project_id=project_id)
    for agreement, sign in ((add, 1), (remove, -1)):
        if agreement is not None:
            add_round(row.totals, agreement.stats, sign)
            if agreement.verdict_stats:
                add_verdicts(row.totals, agreement.verdict_stats, sign)
    if verdicts is not None:
        old, new = verdicts
        if old:
            add_verdicts(row.totals, old, -1)
        if new:
            add_verdicts(row.totals, new, 1)
    row.save(update_fields=["totals", "updated_at"])


def agreement_totals_rebuild(*, project: Project) -> dict[str, Any]:
    """Recompute a project's running total from its documents' stored figures (current
    rounds), e.g. after restoring rows by hand; return it. Locks the total's row in a durable
    transaction (writers wait; documents' locks are not needed: their rows are only read)."""
    with transaction.atomic(durable=True):
        agreement_totals_change(project.pk)
        row = ProjectAgreement.objects.select_for_update().get(project_id=project.pk)
        total: dict[str, Any] = {}
        rows = DocumentAgreement.objects.filter(project=project, is_current=True).values_list(
            "stats", "verdict_stats"
        )
        for stats, verdict_stats in rows.iterator(chunk_size=1000):
            add_round(total, stats)
            if verdict_stats:
                add_verdicts(total, verdict_stats)
        row.totals = total
        row.save(update_fields=["totals", "updated_at"])
    return total


def open_disputes_left(*, document: Document) -> bool:
    """Whether the document's current round still has an open dispute."""
    return Dispute.objects.filter(
        document_id=document.pk, round=document.review_round, status=DisputeStatus.OPEN
    ).exists()
