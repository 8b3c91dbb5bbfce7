"""The one read every export uses: a project's documents as plain records, streamed.

Documents come through `verdicts_for_documents` (a server-side cursor, `chunk_size` documents at
a time) and each chunk's zones, reviews with spans and evidence, disputes and decisions are
loaded in a fixed number of queries, so memory holds one chunk whatever the project's size and
the number of queries grows with the chunks, not the documents.

A document not yet settled that came from one of our exports shows the final spans it was
imported with (provenance `imported`), so exporting an imported project gives back what was
exported; once its own reviews settle it, its own verdicts replace them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

from django.db.models import QuerySet

from annotations.agreement.verdicts import Verdict
from annotations.exceptions import InvalidInput
from annotations.exports.records import (
    DecisionRecord,
    DisputeRecord,
    DocumentRecord,
    EvidenceRecord,
    Export,
    LabelRecord,
    ProjectRecord,
    ReviewRecord,
    SpanRecord,
    ZoneRecord,
)
from annotations.importing_annotated import OUR_ENGINE
from annotations.models import (
    Assignment,
    Dispute,
    Document,
    DocumentStatus,
    EvidenceLink,
    Label,
    Project,
    Resolution,
    Span,
    Suggestion,
    Zone,
)
from annotations.selectors.agreement import agreement_for_project, verdicts_for_documents

EXPORT_CHUNK_SIZE = 200


@dataclass(frozen=True)
class ExportFilters:
    """How a project export is narrowed; empty values narrow nothing."""

    status: str = ""
    label: str = ""
    published_from: dt.date | None = None
    published_to: dt.date | None = None
    document_ids: tuple[int, ...] = ()  # one: a document export; several: a selection

    def described(self) -> dict[str, str]:
        shown = {
            "status": self.status,
            "label": self.label,
            "published_from": self.published_from.isoformat() if self.published_from else "",
            "published_to": self.published_to.isoformat() if self.published_to else "",
            "documents": ", ".join(map(str, self.document_ids)),
        }
        return {key: value for key, value in shown.items() if value}


def export_filters_check(*, project: Project, filters: ExportFilters) -> None:
    """Refuse filters that can match nothing by mistake: InvalidInput naming the field."""
    problems: dict[str, list[str]] = {}
    if filters.status and filters.status not in DocumentStatus.values:
        problems["status"] = [f"must be one of {', '.join(DocumentStatus.values)}"]
    if filters.label and not Label.objects.filter(project=project, value=filters.label).exists():
        problems["label"] = [f"the project has no label {filters.label!r}"]
    if (
        filters.published_from
        and filters.published_to
        and filters.published_from > filters.published_to
    ):
        problems["published_to"] = ["must not be before published_from"]
    if problems:
        raise InvalidInput("Invalid export filters.", fields=problems)


def export_documents(*, project: Project, filters: ExportFilters) -> QuerySet[Document]:
    """The project's documents an export covers, oldest first (a label narrows the spans).

    Precondition: the caller leads or administers the project (it came from `project_get`).
    """
    documents = Document.objects.filter(project=project)
    if filters.document_ids:
        documents = documents.filter(pk__in=filters.document_ids)
    if filters.status:
        documents = documents.filter(status=filters.status)
    if filters.published_from:
        documents = documents.filter(published_on__gte=filters.published_from)
    if filters.published_to:
        documents = documents.filter(published_on__lte=filters.published_to)
    return documents.order_by("id")


def export_build(
    *,
    project: Project,
    filters: ExportFilters,
    exported_by: str = "",
    base_url: str = "",
    chunk_size: int = EXPORT_CHUNK_SIZE,
    on_document: Callable[[], None] | None = None,
    history: bool = True,
) -> Export:
    """The export of a project (or of one document, `filters.document_ids`), ready to write.

    The project record (labels, agreement figures) is read now; the documents are read lazily
    while a writer consumes them, inside whatever request or task streams the result. Without
    `history`, documents carry their final spans only (no zones, reviews, disputes, ratings).
    """
    labels = tuple(
        LabelRecord(label.value, label.name, label.color, label.description)
        for label in Label.objects.filter(project=project).order_by("ordering", "value")
    )
    scope = "document" if len(filters.document_ids) == 1 else "project"
    record = ProjectRecord(
        id=project.pk,
        name=project.name,
        description=project.description,
        reviews_required=project.reviews_required,
        dispute_tolerance=project.dispute_tolerance,
        labels=labels,
        exported_at=dt.datetime.now(tz=dt.UTC),
        exported_by=exported_by,
        agreement=agreement_for_project(project=project) if scope == "project" else None,
        base_url=base_url,
        filters=filters.described(),
    )
    documents = export_records(
        documents=export_documents(project=project, filters=filters),
        label=filters.label,
        chunk_size=chunk_size,
        on_document=on_document,
        history=history,
    )
    return Export(project=record, documents=documents, scope=scope)


def export_records(
    *,
    documents: QuerySet[Document],
    label: str = "",
    chunk_size: int = EXPORT_CHUNK_SIZE,
    on_document: Callable[[], None] | None = None,
    history: bool = True,
) -> Iterator[DocumentRecord]:
    """Stream `documents` as records, a chunk's related rows at a time.

    With `label`, only final spans of that label are kept and documents without one skipped.
    """
    stream = verdicts_for_documents(documents=documents, chunk_size=chunk_size)
    while chunk := list(islice(stream, chunk_size)):
        related = _Related([document.pk for document, _ in chunk], history=history)
        for document, verdicts in chunk:
            record = related.record(document, verdicts)
            if label:
                kept = tuple(v for v in record.verdicts if v.label == label)
                if not kept:
                    if on_document is not None:
                        on_document()
                    continue
                record = replace(record, verdicts=kept)
            yield record
            if on_document is not None:
                on_document()


class _Related:
    """Everything around a chunk of documents, loaded in eight queries (one without history)."""

    def __init__(self, ids: list[int], *, history: bool) -> None:
        self.zones: defaultdict[int, list[ZoneRecord]] = defaultdict(list)
        self.reviews: defaultdict[int, list[ReviewRecord]] = defaultdict(list)
        self.ratings: defaultdict[int, list[DecisionRecord]] = defaultdict(list)
        self.disputes: defaultdict[int, list[DisputeRecord]] = defaultdict(list)
        self.imported: defaultdict[int, list[tuple[int, int, str, str]]] = defaultdict(list)
        for document_id, start, end, label, source in (
            Suggestion.objects.filter(document_id__in=ids, engine=OUR_ENGINE)
            .order_by("start", "end", "id")
            .values_list("document_id", "start", "end", "label", "source_name")
        ):
            self.imported[document_id].append((start, end, label, source))
        if history:
            self._history(ids)

    def _history(self, ids: list[int]) -> None:
        for document_id, kind, start, end, engine, version in Zone.objects.filter(
            document_id__in=ids
        ).values_list("document_id", "kind", "start", "end", "engine", "engine_version"):
            self.zones[document_id].append(ZoneRecord(kind, start, end, engine, version))
        evidence: defaultdict[int, list[EvidenceRecord]] = defaultdict(list)
        for span_id, url, stance, title, passage, added_by, added_at in (
            EvidenceLink.objects.filter(span__assignment__document_id__in=ids)
            .order_by("added_at", "id")
            .values_list(
                "span_id", "url", "stance", "title", "quoted_passage", "added_by__username",
                "added_at",
            )
        ):  # fmt: skip
            evidence[span_id].append(
                EvidenceRecord(url, stance, title, passage, added_by, added_at)
            )
        spans: defaultdict[int, list[SpanRecord]] = defaultdict(list)
        for assignment_id, pk, start, end, quote, label, source, note, suggested in (
            Span.objects.filter(assignment__document_id__in=ids)
            .order_by("start", "end", "id")
            .values_list(
                "assignment_id", "pk", "start", "end", "quote", "label", "source", "note",
                "suggestion_id",
            )
        ):  # fmt: skip
            spans[assignment_id].append(
                SpanRecord(
                    pk, start, end, quote, label, source, note, suggested is not None,
                    tuple(evidence.get(pk, ())),
                )
            )  # fmt: skip
        for pk, document_id, reviewer, state, claimed, submitted, nothing in (
            Assignment.objects.filter(document_id__in=ids)
            .order_by("claimed_at", "id")
            .values_list(
                "pk", "document_id", "reviewer__username", "state", "claimed_at",
                "submitted_at", "nothing_to_mark",
            )
        ):  # fmt: skip
            self.reviews[document_id].append(
                ReviewRecord(reviewer, state, claimed, submitted, nothing, tuple(spans.get(pk, ())))
            )
        decisions: defaultdict[int | None, list[DecisionRecord]] = defaultdict(list)
        for row in (
            Resolution.objects.filter(document_id__in=ids)
            .order_by("created_at", "id")
            .values_list(
                "pk", "kind", "lead__username", "created_at", "rationale", "claim_rating",
                "no_span", "start", "end", "label", "source", "dispute_id", "supersedes_id",
                "document_id",
            )
        ):  # fmt: skip
            decision = DecisionRecord(*row[:-1])
            if decision.dispute_id is not None:
                decisions[decision.dispute_id].append(decision)
            else:
                self.ratings[row[-1]].append(decision)
        members: defaultdict[int, list[int]] = defaultdict(list)
        for dispute_id, span_id in (
            Dispute.spans.through.objects.filter(dispute__document_id__in=ids)
            .order_by("span_id")
            .values_list("dispute_id", "span_id")
        ):
            members[dispute_id].append(span_id)
        for pk, document_id, kind, status, start, end, created in (
            Dispute.objects.filter(document_id__in=ids)
            .order_by("start", "id")
            .values_list("pk", "document_id", "kind", "status", "start", "end", "created_at")
        ):
            self.disputes[document_id].append(
                DisputeRecord(
                    pk, kind, status, start, end, created, tuple(members.get(pk, ())),
                    tuple(decisions.get(pk, ())),
                )
            )  # fmt: skip

    def record(self, document: Document, verdicts: list[Verdict]) -> DocumentRecord:
        return DocumentRecord(
            id=document.pk,
            title=document.title,
            text=document.text,
            text_sha256=document.text_sha256,
            status=document.status,
            source_url=document.source_url,
            author=document.author,
            outlet=document.outlet,
            published_on=document.published_on,
            created_at=document.created_at,
            metadata=document.metadata,
            zones=tuple(self.zones.get(document.pk, ())),
            reviews=tuple(self.reviews.get(document.pk, ())),
            disputes=tuple(self.disputes.get(document.pk, ())),
            ratings=tuple(self.ratings.get(document.pk, ())),
            verdicts=tuple(verdicts) or self._imported_verdicts(document),
        )

    def _imported_verdicts(self, document: Document) -> tuple[Verdict, ...]:
        """The final spans a document was imported with, while it has none of its own."""
        spans = self.imported.get(document.pk)
        if not spans:
            return ()
        kept: dict[tuple[Any, Any, Any], dict[str, Any]] = {}
        imported = document.metadata.get("import") if isinstance(document.metadata, dict) else None
        for item in (imported or {}).get("final_spans") or []:
            if isinstance(item, dict):
                kept[(item.get("start"), item.get("end"), item.get("label"))] = item
        verdicts = []
        for start, end, label, source in spans:
            origin = kept.get((start, end, label), {})
            verdicts.append(
                Verdict(
                    document_id=document.pk,
                    start=start,
                    end=end,
                    quote=document.text[start:end],
                    label=label,
                    source=source,
                    rating=str(origin.get("rating") or ""),
                    rationale=str(origin.get("rationale") or ""),
                    provenance="imported",
                    decided_by=str(origin.get("decided_by") or ""),
                    decided_at=_when(origin.get("decided_at")),
                    reviewers=(),
                    evidence=(),
                    dispute_id=None,
                    resolution_id=None,
                )
            )
        return tuple(verdicts)


def _when(value: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
