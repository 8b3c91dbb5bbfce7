"""Assignments, spans and evidence, under the blind-review rule.

A reviewer sees only their own assignments and what hangs off them, before and after they
submit; leads and admins see everything in their projects. Anything else is NotFound.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from annotations.exceptions import NotFound
from annotations.models import Assignment, EvidenceLink, Membership, Span, Suggestion, Zone
from annotations.selectors.access import LEAD_ROLES, AnyUser


def assignments_visible(*, user: AnyUser) -> QuerySet[Assignment]:
    """The caller's own assignments in projects they still belong to, plus every assignment of
    projects they lead or admin. Someone removed from a project loses their work there too."""
    if not user.is_authenticated:
        return Assignment.objects.none()
    if getattr(user, "is_superuser", False):
        return Assignment.objects.all()
    memberships = Membership.objects.filter(user_id=user.pk)
    member_of = memberships.values("project_id")
    led = memberships.filter(role__in=LEAD_ROLES).values("project_id")
    return Assignment.objects.filter(
        Q(reviewer_id=user.pk, project_id__in=member_of) | Q(project_id__in=led)
    )


def assignments_own(*, user: AnyUser) -> QuerySet[Assignment]:
    """The caller's own assignments in projects they still belong to (a superuser's anywhere).

    `assignments_visible` narrowed to the caller's own work, said as one EXISTS instead of its
    two membership subqueries: the lock of every span write runs it, and building and running
    the narrower query costs about half as much."""
    if not user.is_authenticated:
        return Assignment.objects.none()
    own = Assignment.objects.filter(reviewer_id=user.pk)
    if getattr(user, "is_superuser", False):
        return own
    member = Membership.objects.filter(user_id=user.pk, project_id=OuterRef("project_id"))
    return own.filter(Exists(member))


def _spans_in_order() -> QuerySet[Span]:
    """Spans as the review page lists them, each with its evidence."""
    return Span.objects.order_by("start", "end", "id").prefetch_related("evidence")


def _detail_prefetches() -> tuple[str | Prefetch[Any], ...]:
    """What the review page needs with an assignment: zones, suggestions, own spans, evidence."""
    return ("document__zones", "document__suggestions", Prefetch("spans", _spans_in_order()))


def assignment_review_material(
    assignment: Assignment, *, new: bool = False
) -> tuple[Sequence[Mapping[str, Any]], Sequence[Mapping[str, Any]], list[Span]]:
    """The document's zones and suggestions (as rows, in display order) and the assignment's
    own spans with their evidence, for an assignment already in hand (e.g. just claimed).

    A `new` assignment (just created, not revived) has no spans yet, so they are not asked for.
    Two or three queries.
    """
    document_id = assignment.document_id
    zones = list(
        Zone.objects.filter(document_id=document_id).order_by("start", "-end", "id").values()
    )
    suggestions = list(
        Suggestion.objects.filter(document_id=document_id).order_by("start", "end", "id").values()
    )
    if new:
        return zones, suggestions, []
    return zones, suggestions, list(_spans_in_order().filter(assignment=assignment))


def assignment_get(*, user: AnyUser, assignment_id: int, detail: bool = False) -> Assignment:
    """One visible assignment (with document, spans and evidence when `detail`); else NotFound."""
    assignments = assignments_visible(user=user).filter(pk=assignment_id).select_related("project")
    if detail:
        assignments = assignments.select_related("document", "reviewer").prefetch_related(
            *_detail_prefetches()
        )
    assignment = assignments.first()
    if assignment is None:
        raise NotFound("No such assignment.")
    return assignment


def span_get(*, user: AnyUser, span_id: int) -> Span:
    """One span of a visible assignment, with its evidence; else NotFound."""
    span = (
        Span.objects.filter(pk=span_id, assignment__in=assignments_visible(user=user))
        .select_related("assignment", "assignment__project")
        .prefetch_related("evidence")
        .first()
    )
    if span is None:
        raise NotFound("No such span.")
    return span


def evidence_get(*, user: AnyUser, evidence_id: int) -> EvidenceLink:
    """One evidence link on a span of a visible assignment; else NotFound."""
    link = (
        EvidenceLink.objects.filter(
            pk=evidence_id, span__assignment__in=assignments_visible(user=user)
        )
        .select_related("span", "span__assignment", "span__assignment__project")
        .first()
    )
    if link is None:
        raise NotFound("No such evidence link.")
    return link
