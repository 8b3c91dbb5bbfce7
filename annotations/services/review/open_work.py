"""What every write on an open assignment shares: the lock that finds only the writer's own
work, the checks that it is open, leased and current, and the version bump."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Model
from django.db.models.expressions import RawSQL

from annotations.exceptions import LeaseExpired, NotFound, StaleVersion, WrongState
from annotations.models import Assignment, AssignmentState, Label, Span, Suggestion
from annotations.selectors import assignments_own


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
        assignments_own(user=actor)
        .filter(pk=assignment_id)
        .select_for_update(no_key=True, of=("self",))
        .select_related("project", "document")
        .order_by()
    )
    if labels:
        assignments = assignments.annotate(
            labels_known=_count_among(Label, "value", labels, where_same="project_id")
        )
    if suggestions:
        assignments = assignments.annotate(
            suggestions_known=_count_among(Suggestion, "id", suggestions, where_same="document_id")
        )
    try:
        locked = assignments.get()
    except Assignment.DoesNotExist:
        raise NotFound("No such assignment of yours.") from None
    check_open(locked, version=version, now=now)
    return locked


def _count_among(
    model: type[Model], column: str, values: Collection[Any], *, where_same: str
) -> RawSQL:
    """How many rows of `model` whose `column` is one of `values` share the locked
    assignment's `where_same` (its project or document), as a subquery of the lock.

    Written out rather than built from a queryset: the ORM's grouped-count subquery took
    longer to build (about 1.9 ms a write) than the separate query it saves, this takes 0.7.
    """
    distinct = sorted(set(values))
    placeholders = ", ".join(["%s"] * len(distinct))
    table, outer = model._meta.db_table, Assignment._meta.db_table
    sql = (
        f"SELECT COUNT(*) FROM {table} AS counted WHERE counted.{where_same} = "  # noqa: S608
        f"{outer}.{where_same} AND counted.{column} IN ({placeholders})"
    )
    return RawSQL(sql, distinct)  # noqa: S611 - identifiers from the models; values bound


def touch(assignment: Assignment, now: datetime) -> None:
    """Raise the version and renew the lease: every write is activity."""
    assignment.version += 1
    assignment.lease_expires_at = now + timedelta(minutes=assignment.project.lease_minutes)
    Assignment.objects.filter(pk=assignment.pk).update(
        version=assignment.version, lease_expires_at=assignment.lease_expires_at
    )
