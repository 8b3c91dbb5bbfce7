"""Final verdicts of a settled document: the agreed spans plus the leads' latest decisions.

Plain, frozen records (the contract the exports and the frontend code against) and the one
function that builds them from what the services stored: the agreed clusters, the disputes and
the latest decision on each dispute or agreed span. No Django import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

AGREED = "agreed"
RESOLVED = "resolved"


@dataclass(frozen=True)
class VerdictEvidence:
    url: str
    stance: str  # supports | refutes | context
    title: str
    quoted_passage: str
    added_by: str  # username


@dataclass(frozen=True)
class ReviewerVersion:
    """What one reviewer did at this place (blind-review history, leads only)."""

    reviewer: str  # username
    label: str  # "" when this reviewer marked nothing here
    start: int | None
    end: int | None
    source: str
    note: str


@dataclass(frozen=True)
class Verdict:
    """One final span of a settled (accepted) document."""

    document_id: int
    start: int  # code points, end exclusive
    end: int
    quote: str  # text[start:end]
    label: str
    source: str  # for sourced: whose word it is ("" otherwise)
    rating: str  # "" or supported | contradicted | unverifiable | misleading
    rationale: str  # the lead's rationale ("" for an agreed span nobody rated)
    provenance: str  # "agreed" (all reviewers alike) | "resolved" (a lead's decision)
    decided_by: str  # lead username for resolved or rated spans, else ""
    decided_at: datetime | None
    reviewers: tuple[ReviewerVersion, ...]
    evidence: tuple[VerdictEvidence, ...]  # every reviewer's evidence on the spans behind it
    dispute_id: int | None
    resolution_id: int | None  # the latest decision (resolution or rating) behind it


@dataclass(frozen=True)
class SpanRecord:
    """A reviewer's submitted span as the verdicts need it."""

    id: int
    reviewer: str
    start: int
    end: int
    label: str
    source: str
    note: str
    evidence: tuple[VerdictEvidence, ...] = ()


@dataclass(frozen=True)
class AgreedRecord:
    """One final span of an agreed cluster, as stored when the round completed."""

    start: int
    end: int
    label: str
    source: str
    span_ids: tuple[int, ...]


@dataclass(frozen=True)
class DisputeRecord:
    id: int
    span_ids: tuple[int, ...]


@dataclass(frozen=True)
class DecisionRecord:
    """The latest decision on a dispute (`dispute_id`) or on an agreed span (a rating)."""

    id: int
    dispute_id: int | None
    no_span: bool
    start: int | None
    end: int | None
    label: str
    source: str
    rating: str
    rationale: str
    lead: str
    created_at: datetime


def build_verdicts(
    *,
    document_id: int,
    text: str,
    reviewers: Sequence[str],
    spans: Mapping[int, SpanRecord],
    agreed: Iterable[AgreedRecord],
    disputes: Iterable[DisputeRecord],
    decisions: Iterable[DecisionRecord],
) -> list[Verdict]:
    """The document's final spans, ordered by (start, end).

    An agreed span carries the latest rating of it if a lead rated it (same start and end). A
    dispute yields the span of its latest resolution, or nothing when that says "no span" or
    when it has none yet (the caller asks only for settled documents). `reviewers` are all the
    round's reviewers, so that one who marked nothing at a disputed place shows as such.
    """
    resolutions: dict[int, DecisionRecord] = {}
    ratings: dict[tuple[int, int], DecisionRecord] = {}
    for taken in decisions:
        if taken.dispute_id is not None:
            resolutions[taken.dispute_id] = taken
        elif taken.start is not None and taken.end is not None:
            ratings[(taken.start, taken.end)] = taken
    verdicts: list[Verdict] = []
    for record in agreed:
        behind = [spans[span_id] for span_id in record.span_ids if span_id in spans]
        rating = ratings.get((record.start, record.end))
        verdicts.append(
            Verdict(
                document_id=document_id,
                start=record.start,
                end=record.end,
                quote=text[record.start : record.end],
                label=record.label,
                source=record.source,
                rating=rating.rating if rating else "",
                rationale=rating.rationale if rating else "",
                provenance=AGREED,
                decided_by=rating.lead if rating else "",
                decided_at=rating.created_at if rating else None,
                reviewers=_versions(behind, ()),
                evidence=_evidence(behind),
                dispute_id=None,
                resolution_id=rating.id if rating else None,
            )
        )
    for dispute in disputes:
        decision = resolutions.get(dispute.id)
        if decision is None or decision.no_span or decision.start is None or decision.end is None:
            continue
        behind = [spans[span_id] for span_id in dispute.span_ids if span_id in spans]
        marked = {span.reviewer for span in behind}
        verdicts.append(
            Verdict(
                document_id=document_id,
                start=decision.start,
                end=decision.end,
                quote=text[decision.start : decision.end],
                label=decision.label,
                source=decision.source,
                rating=decision.rating,
                rationale=decision.rationale,
                provenance=RESOLVED,
                decided_by=decision.lead,
                decided_at=decision.created_at,
                reviewers=_versions(behind, [r for r in reviewers if r not in marked]),
                evidence=_evidence(behind),
                dispute_id=dispute.id,
                resolution_id=decision.id,
            )
        )
    verdicts.sort(key=lambda verdict: (verdict.start, verdict.end, verdict.label))
    return verdicts


def _versions(spans: Sequence[SpanRecord], unmarked: Iterable[str]) -> tuple[ReviewerVersion, ...]:
    versions = [
        ReviewerVersion(span.reviewer, span.label, span.start, span.end, span.source, span.note)
        for span in spans
    ]
    versions.extend(ReviewerVersion(name, "", None, None, "", "") for name in unmarked)
    return tuple(sorted(versions, key=lambda v: (v.reviewer, v.start or 0, v.end or 0)))


def _evidence(spans: Sequence[SpanRecord]) -> tuple[VerdictEvidence, ...]:
    return tuple(link for span in spans for link in span.evidence)
