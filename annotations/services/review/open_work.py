"""What every write on an open assignment shares: the lock that finds only the writer's own
work, the checks that it is open, leased and current, and the version bump."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from annotations.exceptions import LeaseExpired, NotFound, StaleVersion, WrongState
from annotations.models import Assignment, AssignmentState, Label, Span, Suggestion
from annotations.selectors import assignments_visible


def check_open(
    assignment: Assignment, *, version: int | None, now: datetime, check_lease: bool = True
) -> None:
    """Refuse a change to an assignment that is not open, has lapsed, or moved on."""
    if assignment.state != AssignmentState.ACTIVE:
        reason = {
            AssignmentState.SUBMITTED: "was submitted; submitted work cannot change",
            AssignmentState.EXPIRED: "expired; ask the queue for the next document to resume",
            AssignmentState.RELEASED: "was released",
        }.get(AssignmentState(assignment.state), "is not open")
        raise WrongState(
            f"This assignment {reason}.",
            fields={"assignment": [f"The assignment {reason}."]},
            extra={"current": assignment_snapshot(assignment)},
        )
    if check_lease and assignment.lease_expires_at < now:
        raise LeaseExpired(
            "The lease on this assignment has run out; ask the queue for the next document "
            "to get it back if its place is still free.",
            fields={"assignment": ["The lease has run out."]},
            extra={"current": assignment_snapshot(assignment)},
        )
    if version is not None and version != assignment.version:
        raise StaleVersion(
            f"The assignment changed since version {version}; it is now version "
            f"{assignment.version}. Reload and try again.",
            fields={"version": [f"Stale: the current version is {assignment.version}."]},
            extra={"current": assignment_snapshot(assignment)},
        )


def assignment_snapshot(assignment: Assignment) -> dict[str, Any]:
    """The assignment's current state and spans, as sent with a 409 so the client can recover.

    Only ever the assignment's own reviewer's work, so blind review holds.
    """
    spans = Span.objects.filter(assignment_id=assignment.pk).order_by("start", "end", "id")
    return {
        "id": assignment.pk,
        "state": assignment.state,
        "version": assignment.version,
        "lease_expires_at": assignment.lease_expires_at.isoformat(),
        "spans": [
            {
                "id": span.pk,
                "start": span.start,
                "end": span.end,
                "label": span.label,
                "quote": span.quote,
                "source": span.source,
                "note": span.note,
                "suggestion": span.suggestion_id,
            }
            for span in spans
        ],
    }


def lock_open_assignment(
    assignment_id: int,
    *,
    actor: User,
    version: int | None,
    now: datetime,
    labels: Collection[str] = (),
    suggestions: Collection[int] = (),
) -> Assignment:
    """Lock the actor's own assignment for a write and check it is open, leased and current.

    Only the actor's own assignment, in a project they still belong to, is found: anything else
    is NotFound, so a write can never land on someone else's work whatever the caller checked
    (views turn it into 403 for a lead who may see the assignment). Span and evidence writes
    lock the assignment only (`of=self`): they never change the document, whose text comes
    along in the same query. With `labels` (and `suggestions`), how many of those distinct
    values the project has as labels (the document has as suggestions) comes along too, as
    `labels_known` (`suggestions_known`), saving a round trip each on every span write.
    """
    assignments = (
        assignments_visible(user=actor)
        .filter(pk=assignment_id, reviewer_id=actor.pk)
        .select_for_update(no_key=True, of=("self",))
        .select_related("project", "document")
    )
    if labels:
        assignments = assignments.annotate(
            labels_known=_count(
                Label.objects.filter(project=OuterRef("project"), value__in=set(labels)),
                by="project",
            )
        )
    if suggestions:
        assignments = assignments.annotate(
            suggestions_known=_count(
                Suggestion.objects.filter(pk__in=set(suggestions), document=OuterRef("document")),
                by="document",
            )
        )
    locked = assignments.first()
    if locked is None:
        raise NotFound("No such assignment of yours.")
    check_open(locked, version=version, now=now)
    return locked


def _count(rows: QuerySet[Any], *, by: str) -> Coalesce:
    """The number of `rows` (filtered on one outer row's `by`), as a subquery; 0 for none."""
    grouped = rows.order_by().values(by).annotate(count=Count("pk")).values("count")
    return Coalesce(Subquery(grouped), 0)


def touch(assignment: Assignment, now: datetime) -> None:
    """Raise the version and renew the lease: every write is activity."""
    assignment.version += 1
    assignment.lease_expires_at = now + timedelta(minutes=assignment.project.lease_minutes)
    Assignment.objects.filter(pk=assignment.pk).update(
        version=assignment.version, lease_expires_at=assignment.lease_expires_at
    )
