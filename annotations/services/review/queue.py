"""Claiming from the queue, lapsed leases, and a document's status following its assignments."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from annotations import clock
from annotations.exceptions import constraint_name
from annotations.models import Assignment, AssignmentState, Document, DocumentStatus, Project
from annotations.services.audit import audit_record, audit_record_many

# Documents a claim tries before giving up when every candidate turns out to be full (only
# possible if a status was stale); each try is one indexed query.
CLAIM_ATTEMPTS = 5
EXPIRE_BATCH = 1000

OCCUPYING = (AssignmentState.ACTIVE, AssignmentState.SUBMITTED)


@dataclass(frozen=True)
class Claim:
    """The result of asking the queue: the assignment, and whether this call created it."""

    assignment: Assignment
    created: bool
    # The document's zones and suggestions as output rows, when the claim's own statement
    # brought them along (PostgreSQL's short path: two fewer round trips); else None.
    zones: list[dict[str, Any]] | None = None
    suggestions: list[dict[str, Any]] | None = None


# --- Queue ----------------------------------------------------------------------------------


def assignment_claim_next(
    *, project: Project, reviewer: User, now: datetime | None = None
) -> Claim | None:
    """Give `reviewer` their open assignment in `project`, or claim the next document for them.

    Returns the open assignment (lease renewed, `created=False`) if they hold one; else revives
    their own expired assignment on a document that still has a free place; else claims the
    `ready` document that has waited longest (priority first, then age) that they have not
    reviewed or skipped; None when nothing is left. Membership is the caller's check.

    Opens its own durable transaction (row locks skip rows other claims hold); first expires the
    project's lapsed leases. Side effects: inserts or revives an Assignment, may move the
    document to `in_review`, writes audit rows.
    """
    now = now or clock.now()
    try:
        with transaction.atomic(durable=True):
            _expire_lapsed(now=now, project=project)
            return _claim_locked(project=project, reviewer=reviewer, now=now)
    except IntegrityError as error:
        # The same reviewer claimed twice at once (two tabs): the database let one win.
        if constraint_name(error) != "assignment_one_open_per_reviewer_and_project":
            raise
    current = Assignment.objects.filter(
        project=project, reviewer=reviewer, state=AssignmentState.ACTIVE
    ).first()
    return Claim(current, created=False) if current is not None else None


def _claim_locked(*, project: Project, reviewer: User, now: datetime) -> Claim | None:
    if connection.vendor == "postgresql":
        claim = _claim_fresh(project=project, reviewer=reviewer, now=now)
        if claim is not None:
            return claim
    lease = timedelta(minutes=project.lease_minutes)
    # One look at the reviewer's own open and expired work here (active sorts first): most
    # claims find neither, and one query serves both questions.
    mine = list(
        Assignment.objects.filter(
            project=project,
            reviewer=reviewer,
            state__in=[AssignmentState.ACTIVE, AssignmentState.EXPIRED],
        )
        .order_by("state", "-id")
        .values_list("pk", "state", "document_id")[:101]
    )
    if mine and mine[0][1] == AssignmentState.ACTIVE:
        open_ = (
            Assignment.objects.select_for_update(no_key=True)
            .filter(pk=mine[0][0], state=AssignmentState.ACTIVE)
            .first()
        )
        if open_ is not None:
            # Asking again is activity: renew, do not hand out a second document.
            Assignment.objects.filter(pk=open_.pk).update(lease_expires_at=now + lease)
            open_.lease_expires_at = now + lease
            return Claim(open_, created=False)

    ready = Document.objects.select_for_update(skip_locked=True, of=("self",)).filter(
        project=project, status=DocumentStatus.READY
    )
    # Own expired work first, so a reviewer whose lease ran out gets their spans back. The ids
    # come from the reviewer's own (few) assignments: joining from the documents' side would
    # scan the project's whole ready queue.
    expired_documents = [
        document for _, state, document in mine if state == AssignmentState.EXPIRED
    ]
    revivable = ready.filter(pk__in=expired_documents).order_by("-priority", "created_at", "id")
    taken_by_me = Assignment.objects.filter(
        document=OuterRef("pk"), round=OuterRef("review_round"), reviewer=reviewer
    ).exclude(state=AssignmentState.EXPIRED)
    fresh = ready.filter(~Exists(taken_by_me)).order_by("-priority", "created_at", "id")
    for candidates in (revivable, fresh) if expired_documents else (fresh,):
        for _ in range(CLAIM_ATTEMPTS):
            document = candidates.first()
            if document is None and candidates is fresh:
                # Every candidate may merely be locked by other claims that will leave places
                # free (a document has several). Then, and only then, wait for the first one
                # instead of answering "nothing left": PostgreSQL re-checks the row once its
                # holder commits and moves on to the next if it is no longer ready.
                document = candidates.select_for_update(of=("self",), skip_locked=False).first()
            if document is None:
                break
            claim = _claim_document(
                document=document,
                reviewer=reviewer,
                project=project,
                now=now,
                revive=candidates is revivable,
            )
            if claim is not None:
                return claim
    return None


# Fills the first free place of the locked document `doc` in one statement: the insert, the
# document's status (in_review once its last place is taken) and the audit row. Nothing is
# written when no place is free (a stale status): the caller then takes the general path, which
# corrects it. It must run as a statement of its own after the lock is taken, so that its
# snapshot sees every assignment committed before the lock was granted.
_CLAIM_FRESH_SQL = """
WITH occupying AS (
    SELECT slot FROM annotations_assignment
    WHERE document_id = %(document)s AND round = %(round)s AND state IN ('active', 'submitted')
), free AS (
    SELECT place AS slot FROM generate_series(0, %(required)s - 1) AS place
    WHERE place NOT IN (SELECT slot FROM occupying)
    ORDER BY place
    LIMIT 1
), created AS (
    INSERT INTO annotations_assignment (
        project_id, document_id, reviewer_id, state, slot, round, claimed_at,
        lease_expires_at, submitted_at, nothing_to_mark, version
    )
    SELECT %(project)s, %(document)s, %(reviewer)s, 'active', slot, %(round)s, %(now)s,
        %(lease_end)s, NULL, false, 1
    FROM free
    RETURNING id, slot
), filled AS (
    UPDATE annotations_document SET status = 'in_review'
    WHERE id = %(document)s AND EXISTS (SELECT 1 FROM created)
        AND (SELECT count(*) FROM occupying) + 1 >= %(required)s
    RETURNING id
), audited AS (
    INSERT INTO annotations_auditevent (
        actor_id, project_id, action, entity_type, entity_id, before, after, created_at
    )
    SELECT %(reviewer)s, %(project)s, 'assignment.claimed', 'assignment', id, NULL,
        jsonb_build_object('state', 'active', 'document', %(document)s, 'slot', slot),
        %(audited_at)s
    FROM created
)
SELECT id, slot, EXISTS (SELECT 1 FROM filled),
    (SELECT json_agg(json_build_object(
        'id', id, 'kind', kind, 'start', start, 'end', "end", 'engine', engine,
        'engine_version', engine_version) ORDER BY start, "end" DESC, id)
     FROM annotations_zone WHERE document_id = %(document)s),
    (SELECT json_agg(json_build_object(
        'id', id, 'start', start, 'end', "end", 'label', label, 'reason', reason,
        'confidence', confidence, 'source_name', source_name, 'engine', engine,
        'engine_version', engine_version) ORDER BY start, "end", id)
     FROM annotations_suggestion WHERE document_id = %(document)s)
FROM created
"""
# The next ready document of the project the caller has not had, locked; nothing if the caller
# holds open or expired work there (that check does not depend on the document: PostgreSQL runs
# it once, before the scan). The queryset it stands for, built per claim, cost more CPU than
# the rest of the claim; this is what the ORM wrote for it.
_DOCUMENT_COLUMNS = [field.column for field in Document._meta.concrete_fields]
_DOCUMENT_FIELD_NAMES = [field.attname for field in Document._meta.concrete_fields]
# Only the model's own column names are formatted in; the values are parameters.
_PICK_FRESH_SQL = f"""
SELECT {", ".join(f'd."{column}"' for column in _DOCUMENT_COLUMNS)}
FROM annotations_document d
WHERE d.project_id = %(project)s AND d.status = 'ready'
    AND NOT EXISTS (
        SELECT 1 FROM annotations_assignment
        WHERE project_id = %(project)s AND reviewer_id = %(reviewer)s
            AND state IN ('active', 'expired'))
    AND NOT EXISTS (
        SELECT 1 FROM annotations_assignment
        WHERE document_id = d.id AND round = d.review_round AND reviewer_id = %(reviewer)s
            AND state <> 'expired')
ORDER BY d.priority DESC, d.created_at, d.id
LIMIT 1
FOR UPDATE OF d SKIP LOCKED
"""  # noqa: S608


def _from_db(row: Sequence[Any]) -> list[Any]:
    """A document row as the ORM would load it (e.g. JSON decoded by the field)."""
    values = list(row)
    for index, field in enumerate(Document._meta.concrete_fields):
        for converter in cast(Any, field).get_db_converters(connection):
            values[index] = converter(values[index], field, connection)
    return values


def _claim_fresh(*, project: Project, reviewer: User, now: datetime) -> Claim | None:
    """PostgreSQL's short path for the usual claim: a reviewer with no open or expired work in
    the project gets the next ready document they have not had, in two statements (lock the
    document; fill its place) instead of five. None when it does not apply or finds nothing
    unlocked: the general path (`_claim_locked`) then decides, with every rule of its own.

    Precondition: inside the claim's transaction, after the lapsed leases were expired.
    """
    with connection.cursor() as cursor:
        cursor.execute(_PICK_FRESH_SQL, {"project": project.pk, "reviewer": reviewer.pk})
        picked = cursor.fetchone()
    if picked is None:
        return None
    document = Document.from_db(connection.alias, _DOCUMENT_FIELD_NAMES, _from_db(picked))
    lease_end = now + timedelta(minutes=project.lease_minutes)
    with connection.cursor() as cursor:
        cursor.execute(
            _CLAIM_FRESH_SQL,
            {
                "project": project.pk,
                "document": document.pk,
                "reviewer": reviewer.pk,
                "round": document.review_round,
                "required": project.reviews_required,
                "now": now,
                "lease_end": lease_end,
                # What auto_now_add would have stored.
                "audited_at": timezone.now(),
            },
        )
        row = cursor.fetchone()
    if row is None:
        return None
    assignment_id, slot, filled, zones, suggestions = row
    # psycopg decodes `json` values; were a loader to hand over text, decode it here.
    zones, suggestions = (json.loads(v) if isinstance(v, str) else v for v in (zones, suggestions))
    for suggestion in suggestions or ():
        # JSON writes 1.0 as 1: give the float field its type back, as the serializer would.
        suggestion["confidence"] = float(suggestion["confidence"])
    if filled:
        document.status = DocumentStatus.IN_REVIEW
    assignment = Assignment(
        pk=assignment_id,
        project=project,
        document=document,
        reviewer=reviewer,
        state=AssignmentState.ACTIVE,
        slot=slot,
        round=document.review_round,
        claimed_at=now,
        lease_expires_at=lease_end,
    )
    assignment._state.adding = False
    assignment._state.db = connection.alias
    return Claim(assignment, created=True, zones=zones or [], suggestions=suggestions or [])


def _claim_document(
    *, document: Document, reviewer: User, project: Project, now: datetime, revive: bool
) -> Claim | None:
    """Fill a free place of the locked `document`, or fix its stale status and return None.

    With `revive`, the reviewer's own expired assignment on it is brought back, spans kept
    (the fresh queue never offers a document the reviewer has any live assignment on).
    """
    occupying = list(
        Assignment.objects.filter(
            document=document, round=document.review_round, state__in=OCCUPYING
        ).values_list("slot", "state")
    )
    taken = {slot for slot, _ in occupying}
    free = [slot for slot in range(project.reviews_required) if slot not in taken]
    if not free:
        document_refresh_status(
            document=document, project=project, states=[state for _, state in occupying]
        )
        return None
    lease_end = now + timedelta(minutes=project.lease_minutes)
    previous = (
        Assignment.objects.filter(
            document=document, round=document.review_round, reviewer=reviewer
        ).first()
        if revive
        else None
    )
    if previous is not None:
        before = {"state": previous.state, "version": previous.version}
        previous.state = AssignmentState.ACTIVE
        previous.slot = free[0]
        previous.claimed_at = now
        previous.lease_expires_at = lease_end
        previous.version += 1
        previous.save(update_fields=["state", "slot", "claimed_at", "lease_expires_at", "version"])
        assignment, created, action = previous, False, "assignment.revived"
    else:
        before = None
        assignment = Assignment.objects.create(
            project=project,
            document=document,
            reviewer=reviewer,
            round=document.review_round,
            slot=free[0],
            claimed_at=now,
            lease_expires_at=lease_end,
        )
        created, action = True, "assignment.claimed"
    document_refresh_status(
        document=document,
        project=project,
        states=[*(state for _, state in occupying), AssignmentState.ACTIVE],
    )
    audit_record(
        actor=reviewer,
        action=action,
        entity=assignment,
        project=project,
        before=before,
        after={"state": AssignmentState.ACTIVE, "document": document.pk, "slot": free[0]},
    )
    assignment.document = document
    assignment.project = project
    return Claim(assignment, created=created)


def document_refresh_status(
    *, document: Document, project: Project, states: list[str] | None = None
) -> None:
    """Set the locked document's status from its assignments (ready/in_review/reviewed).

    `states` are the states of its active and submitted assignments when the caller already
    knows them (saves a query); otherwise they are read. Precondition: inside a transaction
    holding the document's row lock (or SQLite's write lock). Documents in other states
    (pre-annotating, disputed, accepted) are left alone.
    """
    if document.status not in (
        DocumentStatus.READY,
        DocumentStatus.IN_REVIEW,
        DocumentStatus.REVIEWED,
    ):
        return
    if states is None:
        states = list(
            Assignment.objects.filter(
                document=document, round=document.review_round, state__in=OCCUPYING
            )
            .order_by()
            .values_list("state", flat=True)
        )
    submitted = sum(1 for state in states if state == AssignmentState.SUBMITTED)
    if submitted >= project.reviews_required:
        status = DocumentStatus.REVIEWED
    elif len(states) >= project.reviews_required:
        status = DocumentStatus.IN_REVIEW
    else:
        status = DocumentStatus.READY
    if status != document.status:
        Document.objects.filter(pk=document.pk).update(status=status)
        document.status = status


def assignments_expire(*, now: datetime | None = None, project: Project | None = None) -> int:
    """Expire every active assignment whose lease has lapsed; return how many.

    One guarded UPDATE (`state='active' AND lease_expires_at < now`) per batch, under the
    documents' row locks (taken in id order, skipping documents a claim is holding: the next
    run or claim gets them). Expired assignments keep their spans. The documents' places return
    to the queue. Opens its own transactions; writes one audit row per expired assignment.
    """
    now = now or clock.now()
    total = 0
    while True:
        with transaction.atomic(durable=True):
            expired = _expire_lapsed(now=now, project=project, limit=EXPIRE_BATCH)
        total += expired
        if expired < EXPIRE_BATCH:
            return total


# The documents of the project's lapsed leases, locked in id order, skipping those a claim holds.
_LOCK_LAPSED_SQL = """
SELECT id FROM annotations_document
WHERE id IN (
    SELECT document_id FROM annotations_assignment
    WHERE project_id = %(project)s AND state = 'active' AND lease_expires_at < %(now)s)
ORDER BY id
LIMIT %(limit)s
FOR NO KEY UPDATE SKIP LOCKED
"""


def _expire_lapsed(*, now: datetime, project: Project | None, limit: int = EXPIRE_BATCH) -> int:
    lapsed = Assignment.objects.filter(state=AssignmentState.ACTIVE, lease_expires_at__lt=now)
    if project is not None:
        lapsed = lapsed.filter(project=project)
    locking = Document.objects.select_for_update(no_key=True, skip_locked=True, of=("self",))
    if project is not None and connection.vendor == "postgresql":
        # Every claim asks this and nearly always finds nothing: a plain statement costs a
        # fraction of building the queryset below; the documents are then read only if any.
        with connection.cursor() as cursor:
            cursor.execute(_LOCK_LAPSED_SQL, {"project": project.pk, "now": now, "limit": limit})
            locked = [pk for (pk,) in cursor.fetchall()]
        if not locked:
            return 0
        locking = Document.objects.filter(pk__in=locked)
    documents = list(
        locking.filter(pk__in=lapsed.values("document_id"))
        .select_related("project")
        .order_by("id")[:limit]
    )
    if not documents:
        return 0
    expiring = list(lapsed.filter(document__in=documents).values_list("pk", "project_id"))
    count = Assignment.objects.filter(
        pk__in=[pk for pk, _ in expiring],
        state=AssignmentState.ACTIVE,
        lease_expires_at__lt=now,
    ).update(state=AssignmentState.EXPIRED)
    for document in documents:
        document_refresh_status(document=document, project=document.project)
    # One insert per project, not one per assignment: a batch may expire a thousand.
    by_project: dict[int, list[Assignment]] = {}
    for pk, project_id in expiring:
        by_project.setdefault(project_id, []).append(Assignment(pk=pk))
    for project_id, assignments in by_project.items():
        audit_record_many(
            actor=None,
            action="assignment.expired",
            entities=assignments,
            project=Project(pk=project_id),
            before={"state": AssignmentState.ACTIVE},
            after={"state": AssignmentState.EXPIRED},
        )
    return count
