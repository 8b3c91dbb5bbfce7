"""Disputes, final verdicts and agreement figures, for leads and admins of a project.

Reviewers never reach these: the views check the caller's role (403 for a project's
reviewers, 404 for everyone else) before calling them, so blind review holds after submitting.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, QuerySet
from django.db.models.functions import Substr

from annotations.agreement import (
    AgreedRecord,
    DecisionRecord,
    DisputeRecord,
    SpanRecord,
    Verdict,
    VerdictEvidence,
    build_verdicts,
    figures_from_total,
)
from annotations.exceptions import NotFound
from annotations.models import (
    Assignment,
    AssignmentState,
    Dispute,
    Document,
    DocumentAgreement,
    DocumentStatus,
    EvidenceLink,
    Label,
    Project,
    ProjectAgreement,
    Resolution,
    Span,
    Suggestion,
)
from annotations.selectors.access import AnyUser, projects_visible

CONTEXT_CHARS = 300


def disputes_visible(
    *,
    project: Project,
    status: str | None = None,
    kind: str | None = None,
    label: str | None = None,
    document: int | None = None,
) -> QuerySet[Dispute]:
    """The project's disputes, oldest first, each with its quote; filtered as asked.

    `label` keeps disputes where some reviewer used that label. Precondition: the caller has
    checked that the user leads or administers the project.
    """
    disputes = Dispute.objects.filter(document__project=project)
    if status:
        disputes = disputes.filter(status=status)
    if kind:
        disputes = disputes.filter(kind=kind)
    if document:
        disputes = disputes.filter(document_id=document)
    if label:
        used = Dispute.spans.through.objects.filter(dispute_id=OuterRef("pk"), span__label=label)
        disputes = disputes.filter(Exists(used))
    return (
        disputes.annotate(
            quote=Substr("document__text", F("start") + 1, F("end") - F("start")),
            document_title=F("document__title"),
        )
        .defer("document__text")
        .order_by("created_at", "id")
    )


def dispute_get(*, user: AnyUser, dispute_id: int) -> Dispute:
    """One dispute of the caller's projects, with its document and project; else NotFound.

    The caller's role is checked by the view (leads and admins only).
    """
    dispute = (
        Dispute.objects.filter(pk=dispute_id, document__project__in=projects_visible(user=user))
        .select_related("document", "document__project")
        .first()
    )
    if dispute is None:
        raise NotFound("No such dispute.")
    return dispute


def _evidence_of(
    span_ids: Iterable[int] | QuerySet[Span, Any],
) -> dict[int, list[VerdictEvidence]]:
    evidence: dict[int, list[VerdictEvidence]] = {}
    ids = span_ids if isinstance(span_ids, QuerySet) else list(span_ids)
    rows = (
        EvidenceLink.objects.filter(span_id__in=ids)
        .order_by("span_id", "added_at", "id")
        .values_list("span_id", "url", "stance", "title", "quoted_passage", "added_by__username")
    )
    for span_id, url, stance, title, passage, added_by in rows:
        evidence.setdefault(span_id, []).append(
            VerdictEvidence(url, stance, title, passage, added_by)
        )
    return evidence


def decision_row(resolution: Resolution) -> dict[str, Any]:
    """A decision as plain JSON (for the dispute detail, audit rows and 409 bodies)."""
    return {
        "id": resolution.pk,
        "kind": resolution.kind,
        "no_span": resolution.no_span,
        "start": resolution.start,
        "end": resolution.end,
        "label": resolution.label,
        "source": resolution.source,
        "rating": resolution.claim_rating,
        "rationale": resolution.rationale,
        "lead": resolution.lead.username,
        "supersedes": resolution.supersedes_id,
        "created_at": resolution.created_at.isoformat() if resolution.created_at else None,
    }


def dispute_detail(*, dispute: Dispute) -> dict[str, Any]:
    """What a lead needs to settle a dispute: the text around it, each reviewer's spans there
    (label, source, note, evidence) side by side, including reviewers who marked nothing, the
    pre-annotation suggestions that lay there, and every decision taken on it so far."""
    document = dispute.document
    text = document.text
    reviewers = list(
        Assignment.objects.filter(
            document=document, round=dispute.round, state=AssignmentState.SUBMITTED
        )
        .order_by("reviewer__username")
        .values_list("reviewer__username", "nothing_to_mark")
    )
    spans = list(
        dispute.spans.select_related("assignment__reviewer").order_by("start", "end", "id")
    )
    evidence = _evidence_of(span.pk for span in spans)
    versions = []
    for username, nothing_to_mark in reviewers:
        mine = [span for span in spans if span.assignment.reviewer.username == username]
        versions.append(
            {
                "reviewer": username,
                "nothing_to_mark": nothing_to_mark,
                "spans": [
                    {
                        "id": span.pk,
                        "start": span.start,
                        "end": span.end,
                        "quote": span.quote,
                        "label": span.label,
                        "source": span.source,
                        "note": span.note,
                        "suggestion": span.suggestion_id,
                        "evidence": [link.__dict__ for link in evidence.get(span.pk, [])],
                    }
                    for span in mine
                ],
            }
        )
    suggestions = Suggestion.objects.filter(
        document=document, start__lt=dispute.end, end__gt=dispute.start
    ).order_by("start", "end", "id")
    before_start = max(0, dispute.start - CONTEXT_CHARS)
    return {
        "id": dispute.pk,
        "document": {
            "id": document.pk,
            "title": document.title,
            "status": document.status,
            "round": document.review_round,
        },
        "round": dispute.round,
        "kind": dispute.kind,
        "status": dispute.status,
        "version": dispute.version,
        "start": dispute.start,
        "end": dispute.end,
        "quote": text[dispute.start : dispute.end],
        "context_before": text[before_start : dispute.start],
        "context_after": text[dispute.end : dispute.end + CONTEXT_CHARS],
        "context_start": before_start,
        "versions": versions,
        "suggestions": [
            {
                "id": s.pk,
                "start": s.start,
                "end": s.end,
                "label": s.label,
                "source_name": s.source_name,
                "reason": s.reason,
                "confidence": s.confidence,
                "engine": s.engine,
                "engine_version": s.engine_version,
            }
            for s in suggestions
        ],
        "resolutions": [
            decision_row(resolution)
            for resolution in dispute.resolutions.select_related("lead").order_by("id")
        ],
        "created_at": dispute.created_at,
    }


# --- Final verdicts ------------------------------------------------------------------------


def verdicts_for_document(*, document: Document) -> list[Verdict]:
    """The final verdicts of an accepted document, ordered by (start, end); empty otherwise.

    Precondition: the caller may see the document as a lead or admin. Seven queries at most.
    """
    return _verdicts_of([document]).get(document.pk, [])


def verdicts_for_documents(
    *, documents: QuerySet[Document], chunk_size: int = 200
) -> Iterator[tuple[Document, list[Verdict]]]:
    """Stream each document with its final verdicts (empty unless accepted), in the
    queryset's order, with a bounded number of queries per chunk of `chunk_size` documents
    and only one chunk in memory at a time (for exports)."""
    rows = documents.iterator(chunk_size=chunk_size)
    while chunk := list(islice(rows, chunk_size)):
        verdicts = _verdicts_of(chunk)
        for document in chunk:
            yield document, verdicts.get(document.pk, [])


def _verdicts_of(documents: list[Document]) -> dict[int, list[Verdict]]:
    """Verdicts of the accepted documents among `documents`, by document id (at most 7
    queries, whatever their number)."""
    accepted = {d.pk: d for d in documents if d.status == DocumentStatus.ACCEPTED}
    if not accepted:
        return {}
    rounds = {pk: d.review_round for pk, d in accepted.items()}
    # Listing querysets defer the text; fetch the accepted ones' texts in one query instead
    # of one per document.
    deferred = [pk for pk, d in accepted.items() if "text" in d.get_deferred_fields()]
    texts = dict(Document.objects.filter(pk__in=deferred).values_list("pk", "text"))
    agreements = {
        agreement.document_id: agreement
        for agreement in DocumentAgreement.objects.filter(
            document_id__in=list(accepted), is_current=True
        ).only("document_id", "round", "reviewers", "agreed")
        if agreement.round == rounds[agreement.document_id]
    }
    round_spans = Span.objects.filter(
        assignment__document_id__in=list(accepted),
        assignment__state=AssignmentState.SUBMITTED,
        assignment__round=F("assignment__document__review_round"),
    )
    span_rows = round_spans.values_list(
        "pk",
        "assignment__document_id",
        "assignment__reviewer__username",
        "start",
        "end",
        "label",
        "source",
        "note",
    )
    raw = list(span_rows)
    # A subquery, not the spans' ids: a chunk of an export holds thousands of spans, and a
    # list of thousands of parameters cost more than all the rest of the read.
    evidence = _evidence_of(round_spans.values("pk"))
    spans: dict[int, dict[int, SpanRecord]] = {}
    for pk, document_id, reviewer, start, end, label, source, note in raw:
        spans.setdefault(document_id, {})[pk] = SpanRecord(
            pk, reviewer, start, end, label, source, note, tuple(evidence.get(pk, ()))
        )
    disputes: dict[int, dict[int, list[int]]] = {}
    through = Dispute.spans.through.objects.filter(
        dispute__document_id__in=list(accepted),
        dispute__round=F("dispute__document__review_round"),
    ).values_list("dispute__document_id", "dispute_id", "span_id")
    for document_id, dispute_id, span_id in through:
        disputes.setdefault(document_id, {}).setdefault(dispute_id, []).append(span_id)
    decisions = _decisions_of(list(accepted))
    result: dict[int, list[Verdict]] = {}
    for pk, document in accepted.items():
        agreement = agreements.get(pk)
        result[pk] = build_verdicts(
            document_id=pk,
            text=texts[pk] if pk in texts else document.text,  # noqa: SIM401 - .get() would load a deferred text first
            reviewers=agreement.reviewers if agreement else [],
            spans=spans.get(pk, {}),
            agreed=[
                AgreedRecord(a["start"], a["end"], a["label"], a["source"], tuple(a["spans"]))
                for a in (agreement.agreed if agreement else [])
            ],
            disputes=[
                DisputeRecord(dispute_id, tuple(span_ids))
                for dispute_id, span_ids in sorted(disputes.get(pk, {}).items())
            ],
            decisions=decisions.get(pk, []),
        )
    return result


def _decisions_of(document_ids: list[int]) -> dict[int, list[DecisionRecord]]:
    """Every decision of the documents' current rounds, oldest first, by document id."""
    decisions: dict[int, list[DecisionRecord]] = {}
    rows = (
        Resolution.objects.filter(document_id__in=document_ids, round=F("document__review_round"))
        .order_by("id")
        .values_list(
            "pk",
            "document_id",
            "dispute_id",
            "no_span",
            "start",
            "end",
            "label",
            "source",
            "claim_rating",
            "rationale",
            "lead__username",
            "created_at",
        )
    )
    for row in rows:
        decisions.setdefault(row[1], []).append(DecisionRecord(row[0], *row[2:]))
    return decisions


# --- Figures --------------------------------------------------------------------------------


def agreement_for_project(*, project: Project) -> dict[str, Any]:
    """The body of GET /projects/{id}/agreement: the project's agreement figures, from the
    running total of its documents' stored statistics (current rounds only; kept by the
    services as documents complete, settle and reopen), with the disputes' and documents'
    counts. Four queries whatever the project's size. Precondition: the caller leads or
    administers the project."""
    labels = list(
        Label.objects.filter(project=project).order_by("ordering").values_list("value", flat=True)
    )
    total = (
        ProjectAgreement.objects.filter(project=project).values_list("totals", flat=True).first()
    )
    figures = figures_from_total(total or {}, labels)
    disputes: dict[str, Any] = {"open": 0, "resolved": 0, "withdrawn": 0, "by_kind": {}}
    counts = (
        Dispute.objects.filter(document__project=project)
        .values_list("status", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for status, kind, n in counts:
        disputes[status] = disputes.get(status, 0) + n
        by_kind = disputes["by_kind"].setdefault(kind, {})
        by_kind[status] = by_kind.get(status, 0) + n
    statuses = dict(
        Document.objects.filter(project=project)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("status", "n")
    )
    return {
        "project": project.pk,
        "documents_by_status": {status: statuses.get(status, 0) for status in DocumentStatus},
        "disputes": disputes,
        **figures,
    }
