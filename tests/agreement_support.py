"""Driving documents through reviews with the real services, for the agreement tests."""

from __future__ import annotations

from typing import Any

from annotations import services
from annotations.models import Assignment, Document

SpanSpec = tuple[int, int, str] | tuple[int, int, str, str]


def submit_review(document: Document, reviewer: Any, *spans: SpanSpec) -> Assignment:
    """Claim `document` for `reviewer`, mark `spans` (start, end, label[, source]) and submit;
    no spans submits "nothing to mark"."""
    claim = services.assignment_claim_next(project=document.project, reviewer=reviewer)
    assert claim is not None
    assignment = claim.assignment
    assert assignment.document_id == document.pk
    for spec in spans:
        services.span_create(
            assignment=assignment,
            actor=reviewer,
            start=spec[0],
            end=spec[1],
            label=spec[2],
            source=spec[3] if len(spec) > 3 else "",
        )
    assignment.refresh_from_db()
    return services.assignment_submit(
        assignment=assignment,
        actor=reviewer,
        version=assignment.version,
        nothing_to_mark=not spans,
    )


def claim_span(document: Document) -> tuple[int, int]:
    """Offsets of the factory text's claim "The minister said ... would close."."""
    start = document.text.index("The minister")
    return start, document.text.index("close.") + len("close.")


def opinion_span(document: Document) -> tuple[int, int]:
    start = document.text.index("This is")
    return start, len(document.text)
