"""Aligning reviewers' spans of one document into clusters, and finding the disputes.

A cluster is a maximal run of text covered by overlapping spans (of any reviewers): spans that
merely touch (`[0, 5)` and `[5, 9)`) do not overlap and fall into separate clusters. Every
reviewer who submitted the document takes part in every cluster, including one who marked
nothing at all ("nothing to mark"): not marking a place where another reviewer marked
something is a disagreement (`presence`).

A cluster is *agreed* when every reviewer has the same spans in it: usually one each, or the
same nested ones (an opinion sentence holding a sourced quote), matched in text order, each with
the same label, starts and ends each spread by no more than the project's tolerance, and (for
`sourced`) the same source after normalising case, spacing and punctuation. Otherwise it is a
dispute of one kind, the first that applies in this order: `label` (reviewers chose different
labels), `presence` (some reviewers marked nothing here), `boundary` (boundaries spread beyond
the tolerance, or reviewers split the place into different numbers of spans), `source`. With a
single review there is nothing to compare: every span is agreed.

Plain Python, no Django import: services load rows into these records and save the result.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

SOURCED = "sourced"


class Disagreement(StrEnum):
    """Why a cluster is disputed; the values are those of `annotations.models.DisputeKind`."""

    LABEL = "label"
    PRESENCE = "presence"
    BOUNDARY = "boundary"
    SOURCE = "source"


@dataclass(frozen=True)
class ReviewerSpan:
    """One span of one reviewer, in code points, end exclusive."""

    reviewer: str
    start: int
    end: int
    label: str
    source: str = ""
    span_id: int | None = None


@dataclass(frozen=True)
class Review:
    """One reviewer's submitted review of the document: their spans (possibly none)."""

    reviewer: str
    spans: tuple[ReviewerSpan, ...] = ()


@dataclass(frozen=True)
class Cluster:
    """Overlapping spans of a document, with the verdict of the alignment on them."""

    start: int
    end: int
    spans: tuple[ReviewerSpan, ...]
    missing: tuple[str, ...]  # reviewers with no span here, in review order
    kind: Disagreement | None  # None when all reviewers agree

    @property
    def agreed(self) -> bool:
        return self.kind is None

    def consensus(self) -> list[FinalSpan]:
        """The final spans of an agreed cluster: start, end, label and source of each.

        Usually one; several when every reviewer marked the same nested or neighbouring spans
        here (say an opinion sentence holding a sourced quote), matched in text order. Each
        boundary is the one most reviewers chose, on a tie the wider one (a verdict never cuts
        off text a reviewer included); the source is the most common spelling.
        """
        positions = zip(*_per_reviewer(self.spans).values(), strict=True)
        return [_consensus_of(spans) for spans in positions]


@dataclass(frozen=True)
class FinalSpan:
    """One final span of an agreed cluster and the ids of the reviewers' spans behind it."""

    start: int
    end: int
    label: str
    source: str
    span_ids: tuple[int, ...]


def _consensus_of(spans: Sequence[ReviewerSpan]) -> FinalSpan:
    starts = Counter(span.start for span in spans)
    ends = Counter(span.end for span in spans)
    start = min(starts, key=lambda value: (-starts[value], value))
    end = max(ends, key=lambda value: (ends[value], value))
    sources = Counter(span.source for span in spans)
    source = min(sources, key=lambda value: (-sources[value], value))
    span_ids = tuple(span.span_id for span in spans if span.span_id is not None)
    return FinalSpan(start, end, spans[0].label, source, span_ids)


def _per_reviewer(spans: Iterable[ReviewerSpan]) -> dict[str, list[ReviewerSpan]]:
    """Each reviewer's spans in text order (start, end, label)."""
    per_reviewer: dict[str, list[ReviewerSpan]] = {}
    for span in sorted(spans, key=lambda span: (span.start, span.end, span.label)):
        per_reviewer.setdefault(span.reviewer, []).append(span)
    return per_reviewer


def normalise_source(source: str) -> str:
    """A source as compared between reviewers: NFKC, case-folded, punctuation dropped, single
    spaces ("Dr. Jane  Smith," and "dr jane smith" are the same source)."""
    folded = unicodedata.normalize("NFKC", source).casefold()
    kept = "".join(
        " " if unicodedata.category(char).startswith(("P", "Z")) or char.isspace() else char
        for char in folded
    )
    return " ".join(kept.split())


def align(reviews: Sequence[Review], *, tolerance: int) -> list[Cluster]:
    """Group every reviewer's spans into clusters of overlapping spans, in text order.

    `reviews` holds each submitted review once, including those with no span. `tolerance` is
    the number of code points by which boundaries may differ and still agree.
    """
    spans = sorted(
        (span for review in reviews for span in review.spans),
        key=lambda span: (span.start, span.end, span.reviewer),
    )
    reviewers = [review.reviewer for review in reviews]
    clusters: list[Cluster] = []
    group: list[ReviewerSpan] = []
    group_end = -1
    for span in spans:
        if group and span.start >= group_end:
            clusters.append(_cluster(group, reviewers, tolerance))
            group = []
        group_end = max(group_end, span.end) if group else span.end
        group.append(span)
    if group:
        clusters.append(_cluster(group, reviewers, tolerance))
    return clusters


def _cluster(group: list[ReviewerSpan], reviewers: Sequence[str], tolerance: int) -> Cluster:
    per_reviewer = _per_reviewer(group)
    missing = tuple(reviewer for reviewer in reviewers if reviewer not in per_reviewer)
    return Cluster(
        start=min(span.start for span in group),
        end=max(span.end for span in group),
        spans=tuple(group),
        missing=missing,
        kind=_disagreement(per_reviewer, missing, tolerance) if len(reviewers) > 1 else None,
    )


def _disagreement(
    per_reviewer: dict[str, list[ReviewerSpan]], missing: Sequence[str], tolerance: int
) -> Disagreement | None:
    label_lists = {tuple(span.label for span in spans) for spans in per_reviewer.values()}
    if len({label for labels in label_lists for label in labels}) > 1 and len(label_lists) > 1:
        return Disagreement.LABEL
    if missing:
        return Disagreement.PRESENCE
    if len({len(spans) for spans in per_reviewer.values()}) > 1 or len(label_lists) > 1:
        return Disagreement.BOUNDARY
    source_differs = False
    for position in zip(*per_reviewer.values(), strict=True):
        if _spread(span.start for span in position) > tolerance or (
            _spread(span.end for span in position) > tolerance
        ):
            return Disagreement.BOUNDARY
        if position[0].label == SOURCED and len({normalise_source(s.source) for s in position}) > 1:
            source_differs = True
    return Disagreement.SOURCE if source_differs else None


def _spread(values: Iterable[int]) -> int:
    ordered = sorted(values)
    return ordered[-1] - ordered[0]
