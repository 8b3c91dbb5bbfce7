"""The plain records every export writer reads: one project, then its documents one at a time.

No Django import. One selector (`annotations.selectors.exports`) builds these from the database,
a chunk of documents at a time, so a writer sees one `DocumentRecord` at a time and memory stays
flat however large the project. Final spans are the agreement contract's `Verdict`s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from annotations.agreement.verdicts import ReviewerVersion, Verdict, VerdictEvidence

# Raised when a record shape changes in a way a reader of an older export must know about.
FORMAT_VERSION = "1.0"
FORMAT_NAME = "factcheck-export"
GENERATOR = "factcheck"
RATINGS = ("supported", "contradicted", "unverifiable", "misleading")

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "GENERATOR",
    "RATINGS",
    "DecisionRecord",
    "DisputeRecord",
    "DocumentRecord",
    "EvidenceRecord",
    "Export",
    "LabelRecord",
    "ProjectRecord",
    "ReviewRecord",
    "ReviewerVersion",
    "SpanRecord",
    "Verdict",
    "VerdictEvidence",
    "ZoneRecord",
]


@dataclass(frozen=True)
class LabelRecord:
    value: str
    name: str
    color: str  # "#rrggbb"
    description: str = ""


@dataclass(frozen=True)
class ProjectRecord:
    id: int
    name: str
    description: str
    reviews_required: int
    dispute_tolerance: int
    labels: tuple[LabelRecord, ...]
    exported_at: dt.datetime
    exported_by: str = ""
    # The body of GET /projects/{id}/agreement (None when not computed for this export).
    agreement: Mapping[str, Any] | None = None
    # Where links in the export point (e.g. "https://desk.example"); "" gives urn: identifiers.
    base_url: str = ""
    # How the export was narrowed (status, label, dates, document), for the reader to see.
    filters: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ZoneRecord:
    kind: str
    start: int
    end: int
    engine: str
    engine_version: str


@dataclass(frozen=True)
class EvidenceRecord:
    url: str
    stance: str
    title: str
    quoted_passage: str
    added_by: str
    added_at: dt.datetime | None


@dataclass(frozen=True)
class SpanRecord:
    """One span a reviewer marked (their own, as submitted or left)."""

    id: int
    start: int
    end: int
    quote: str
    label: str
    source: str
    note: str
    from_suggestion: bool
    evidence: tuple[EvidenceRecord, ...] = ()


@dataclass(frozen=True)
class ReviewRecord:
    """One reviewer's pass over a document (submitted, or expired/released with its spans)."""

    reviewer: str
    state: str
    claimed_at: dt.datetime | None
    submitted_at: dt.datetime | None
    nothing_to_mark: bool
    spans: tuple[SpanRecord, ...] = ()


@dataclass(frozen=True)
class DecisionRecord:
    """A lead's decision: the resolution of a dispute, or the rating of an agreed span."""

    id: int
    kind: str  # resolution | rating
    lead: str
    created_at: dt.datetime | None
    rationale: str
    rating: str = ""
    no_span: bool = False
    start: int | None = None
    end: int | None = None
    label: str = ""
    source: str = ""
    dispute_id: int | None = None
    supersedes_id: int | None = None


@dataclass(frozen=True)
class DisputeRecord:
    id: int
    kind: str  # label | presence | boundary | source
    status: str  # open | resolved
    start: int
    end: int
    created_at: dt.datetime | None
    span_ids: tuple[int, ...] = ()
    resolutions: tuple[DecisionRecord, ...] = ()


@dataclass(frozen=True)
class DocumentRecord:
    id: int
    title: str
    text: str
    text_sha256: str
    status: str
    source_url: str = ""
    author: str = ""
    outlet: str = ""
    published_on: dt.date | None = None
    created_at: dt.datetime | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    zones: tuple[ZoneRecord, ...] = ()
    reviews: tuple[ReviewRecord, ...] = ()
    disputes: tuple[DisputeRecord, ...] = ()
    ratings: tuple[DecisionRecord, ...] = ()
    verdicts: tuple[Verdict, ...] = ()


@dataclass(frozen=True)
class Export:
    """What a writer is given: the project, then its documents as a (lazy) iterable.

    `scope` is "project" or "document"; a document export is a project export of one document.
    """

    project: ProjectRecord
    documents: Iterable[DocumentRecord]
    scope: str = "project"


def document_iri(project: ProjectRecord, document_id: int) -> str:
    """A stable identifier of a document's stored text, a URL when a base URL is known."""
    if project.base_url:
        return f"{project.base_url.rstrip('/')}/api/v1/documents/{document_id}"
    return f"urn:factcheck:document:{document_id}"


def verdict_anchor(verdict: Verdict) -> str:
    """The fragment naming a final span inside a report: stable for the same offsets."""
    return f"d{verdict.document_id}-{verdict.start}-{verdict.end}"
