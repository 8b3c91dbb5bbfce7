"""An assignment's changes of state: released (skipped) or submitted."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, OuterRef

from annotations import clock
from annotations.exceptions import InvalidInput, NotFound
from annotations.models import Assignment, AssignmentState, Document, DocumentStatus, Span
from annotations.selectors import assignments_own
from annotations.services.agreement import agreement_record
from annotations.services.audit import audit_record
from annotations.services.review.open_work import check_open
from annotations.services.review.queue import document_refresh_status


def assignment_release(
    *, assignment: Assignment, actor: User, version: int | None = None, now: datetime | None = None
) -> Assignment:
    """Give up (skip) an open assignment: its place returns to the queue, its spans are kept.

    The same document is not handed to this reviewer again. Raises NotFound unless the
    assignment is the actor's own, WrongState if it is not open, StaleVersion on a stale
    `version`. Locks the document then the assignment in a durable transaction; writes an audit
    row.
    """
    now = now or clock.now()
    with transaction.atomic(durable=True):
        document, locked = _lock_for_transition(assignment, actor=actor)
        check_open(locked, version=version, now=now, check_lease=False)
        locked.state = AssignmentState.RELEASED
        locked.version += 1
        locked.save(update_fields=["state", "version"])
        document_refresh_status(document=document, project=locked.project)
        audit_record(
            actor=actor,
            action="assignment.released",
            entity=locked,
            project=locked.project,
            before={"state": AssignmentState.ACTIVE},
            after={"state": AssignmentState.RELEASED},
        )
    return locked


def assignment_submit(
    *,
    assignment: Assignment,
    actor: User,
    version: int,
    nothing_to_mark: bool = False,
    now: datetime | None = None,
) -> Assignment:
    """Freeze the assignment as a finished review; the round's last review settles agreement.

    The document then moves on to `accepted` or `disputed` (see `agreement_record`).

    Needs at least one span, or `nothing_to_mark=True` with none. Raises NotFound unless the
    assignment is the actor's own, InvalidInput (`nothing_to_mark`), WrongState (already
    submitted, expired, released), LeaseExpired, StaleVersion. Locks the document then the
    assignment in a durable transaction; writes an audit row.
    """
    now = now or clock.now()
    with transaction.atomic(durable=True):
        document, locked = _lock_for_transition(assignment, actor=actor)
        check_open(locked, version=version, now=now)
        has_spans = cast(Any, locked).has_spans
        if not has_spans and not nothing_to_mark:
            raise InvalidInput(
                "Mark at least one span, or submit with nothing_to_mark set to true.",
                fields={
                    "nothing_to_mark": [
                        "The assignment has no spans: set it to true to confirm there is "
                        "nothing to mark."
                    ]
                },
            )
        if has_spans and nothing_to_mark:
            raise InvalidInput(
                "nothing_to_mark contradicts the spans on this assignment.",
                fields={"nothing_to_mark": ["The assignment has spans; delete them or omit this."]},
            )
        locked.state = AssignmentState.SUBMITTED
        locked.submitted_at = now
        locked.nothing_to_mark = nothing_to_mark
        locked.version += 1
        locked.save(update_fields=["state", "submitted_at", "nothing_to_mark", "version"])
        document_refresh_status(document=document, project=locked.project)
        if document.status == DocumentStatus.REVIEWED:
            # The round's last review: align, open disputes, accept or dispute the document.
            agreement_record(document=document, project=locked.project, actor=actor, now=now)
        audit_record(
            actor=actor,
            action="assignment.submitted",
            entity=locked,
            project=locked.project,
            before={"state": AssignmentState.ACTIVE},
            after={"state": AssignmentState.SUBMITTED, "nothing_to_mark": nothing_to_mark},
        )
    return locked


def _lock_for_transition(assignment: Assignment, *, actor: User) -> tuple[Document, Assignment]:
    """Lock the actor's own assignment for a change of state: its document, then itself.

    Parent before child (the document's status follows its assignments). Only the actor's own
    assignment, in a project they still belong to, is found (else NotFound), so the views need
    no lookup of their own first; only the assignment's id is read. The locked assignment comes
    with `has_spans`, which submitting needs, in the same query.
    """
    yours = assignments_own(user=actor).filter(pk=assignment.pk)
    try:
        document = (
            Document.objects.select_for_update(no_key=True, of=("self",))
            .only("id", "status", "project_id", "review_round")
            .get(pk__in=yours.values("document_id"))
        )
    except Document.DoesNotExist:
        raise NotFound("No such assignment of yours.") from None
    locked = (
        Assignment.objects.select_for_update(no_key=True, of=("self",))
        .select_related("project")
        .annotate(has_spans=Exists(Span.objects.filter(assignment=OuterRef("pk"))))
        .get(pk=assignment.pk)
    )
    return document, locked
