"""The final verdicts of settled documents, as plain frozen dataclasses (no Django import).

A copy of the dataclasses fixed in the agreement/exports contract, so the export writers can be
built before the agreement work lands; the agreement branch's version of this module replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
    label: str  # a label value of the project, e.g. sourced / unsourced / opinion
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
