"""The review workflow: claiming from the queue, leases, spans, evidence and submitting.

Concurrency design (see STYLE.md section 4):

- A claim is one short `durable` transaction. It first expires the project's lapsed leases,
  then returns the caller's open assignment if they hold one, then picks the next document with
  one `SELECT ... FOR UPDATE SKIP LOCKED` query ordered by priority then age, and writes the
  assignment. Claimers do not wait on each other: each skips the document the other holds.
  Only when every candidate is locked (the tail of a queue, where a document's last places are
  being taken) does a claim wait for the first one rather than wrongly answer "nothing left".
- On PostgreSQL a caller with no open or expired work in the project (the usual claim) takes a
  short path, `_claim_fresh`: the same pick as one plain statement, then one statement that
  fills the place (assignment, document status, audit row) and reads the page's zones and
  suggestions. The second runs after the lock is granted, so its snapshot sees every
  assignment committed before; whatever the short path cannot settle goes the general way.
- The database backs it up: a reviewer has one assignment per document and one open assignment
  per project, and each of a document's review places (`slot`) holds one reviewer at a time.
- On SQLite, `select_for_update` is a no-op; the settings' `transaction_mode: IMMEDIATE` takes
  the database's write lock at BEGIN instead, so claims run one after another and are just as
  exclusive.
- Lock order is parent before child: document, then assignment.
- A document's status follows its assignments and is recomputed under the document's lock by
  `_document_refresh_status`: `ready` while places are free, `in_review` when all are taken,
  `reviewed` when all are submitted (and at once `accepted` or `disputed`, by
  `services.agreement`). Only the document's current `review_round` counts: a reopened
  document's earlier rounds stay as history.

Leases: a claim runs until `lease_expires_at`; every write on the assignment (span, evidence)
renews it for the project's `lease_minutes`. A lapsed lease is expired lazily by the next claim
in the project and by the periodic task (`assignments_expire`); the expired assignment and its
spans are kept. A write on a lapsed lease is refused (409 `lease_expired`); the reviewer then
asks the queue again and, if the document still has a free place, gets the same assignment back
revived with its spans (the next claim prefers the caller's own expired work). A released
(skipped) document is not handed to the same reviewer again.

Optimistic versioning: every change of an assignment or its spans or evidence raises the
assignment's `version`. Writes that replace or remove something (span update and delete,
evidence delete, submit) must send the version they are based on; creates may. A stale version
is refused with 409 and the current state, never silently overwritten.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from annotations import clock
from annotations.exceptions import (
    InvalidInput,
    LeaseExpired,
    NotFound,
    StaleVersion,
    WrongState,
    constraint_name,
    quoted,
)
from annotations.models import (
    Assignment,
    AssignmentState,
    Document,
    DocumentStatus,
    EvidenceLink,
    EvidenceStance,
    Label,
    Project,
    Span,
    Suggestion,
)
from annotations.selectors import assignments_visible
from annotations.services.agreement import agreement_record
from annotations.services.audit import audit_record, audit_record_each, audit_record_many

QUOTE_CONTEXT_CHARS = 32
SOURCE_MAX_CHARS = 300
EVIDENCE_URL_MAX_CHARS = 2000
EVIDENCE_TITLE_MAX_CHARS = 500
_EVIDENCE_URL_VALIDATOR = URLValidator(schemes=["http", "https"])
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Documents a claim tries before giving up when every candidate turns out to be full (only
# possible if a status was stale); each try is one indexed query.
CLAIM_ATTEMPTS = 5
EXPIRE_BATCH = 1000

_OCCUPYING = (AssignmentState.ACTIVE, AssignmentState.SUBMITTED)


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
            document=document, round=document.review_round, state__in=_OCCUPYING
        ).values_list("slot", "state")
    )
    taken = {slot for slot, _ in occupying}
    free = [slot for slot in range(project.reviews_required) if slot not in taken]
    if not free:
        _document_refresh_status(
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
    _document_refresh_status(
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


def _document_refresh_status(
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
                document=document, round=document.review_round, state__in=_OCCUPYING
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
        _document_refresh_status(document=document, project=document.project)
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
        _check_open(locked, version=version, now=now, check_lease=False)
        locked.state = AssignmentState.RELEASED
        locked.version += 1
        locked.save(update_fields=["state", "version"])
        _document_refresh_status(document=document, project=locked.project)
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
        _check_open(locked, version=version, now=now)
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
        _document_refresh_status(document=document, project=locked.project)
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
    yours = assignments_visible(user=actor).filter(pk=assignment.pk, reviewer_id=actor.pk)
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


def _check_open(
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


# --- Spans and evidence ---------------------------------------------------------------------


def _lock_open_assignment(
    assignment_id: int,
    *,
    actor: User,
    version: int | None,
    now: datetime,
    label: str | None = None,
    suggestion: int | None = None,
) -> Assignment:
    """Lock the actor's own assignment for a write and check it is open, leased and current.

    Only the actor's own assignment, in a project they still belong to, is found: anything else
    is NotFound, so a write can never land on someone else's work whatever the caller checked
    (views turn it into 403 for a lead who may see the assignment). Span and evidence writes
    lock the assignment only (`of=self`): they never change the document, whose text comes
    along in the same query. With `label` (and `suggestion`), whether the project has that label
    (and the document that suggestion) comes along too, as `label_known` (`suggestion_known`),
    saving a round trip each on every span write.
    """
    assignments = (
        assignments_visible(user=actor)
        .filter(pk=assignment_id, reviewer_id=actor.pk)
        .select_for_update(no_key=True, of=("self",))
        .select_related("project", "document")
    )
    if label is not None:
        assignments = assignments.annotate(
            label_known=Exists(Label.objects.filter(project=OuterRef("project"), value=label))
        )
    if suggestion is not None:
        assignments = assignments.annotate(
            suggestion_known=Exists(
                Suggestion.objects.filter(pk=suggestion, document=OuterRef("document"))
            )
        )
    locked = assignments.first()
    if locked is None:
        raise NotFound("No such assignment of yours.")
    _check_open(locked, version=version, now=now)
    return locked


def _touch(assignment: Assignment, now: datetime) -> None:
    """Raise the version and renew the lease: every write is activity."""
    assignment.version += 1
    assignment.lease_expires_at = now + timedelta(minutes=assignment.project.lease_minutes)
    Assignment.objects.filter(pk=assignment.pk).update(
        version=assignment.version, lease_expires_at=assignment.lease_expires_at
    )


def _checked_offsets(text: str, *, start: Any, end: Any, quote: str | None) -> tuple[int, int, str]:
    errors: dict[str, list[str]] = {}
    if not isinstance(start, int) or isinstance(start, bool) or start < 0:
        errors["start"] = ["Must be a whole number of code points, 0 or more."]
    if not isinstance(end, int) or isinstance(end, bool) or end < 0:
        errors["end"] = ["Must be a whole number of code points, 0 or more."]
    if errors:
        raise InvalidInput(_first(errors), fields=errors)
    if start > len(text):
        errors["start"] = [f"Out of range: the text has {len(text)} code points."]
    elif end > len(text):
        errors["end"] = [f"Out of range: the text has {len(text)} code points."]
    elif end == start:
        errors["end"] = ["The span is empty: end must be greater than start."]
    elif end < start:
        errors["end"] = ["The span is inverted: end must be greater than start."]
    if errors:
        raise InvalidInput(_first(errors), fields=errors)
    actual = text[start:end]
    if quote is not None and quote != actual:
        raise InvalidInput(
            "quote: Does not match the text at these offsets.",
            fields={
                "quote": [f"Does not match the text at [{start}:{end}], which is {quoted(actual)}."]
            },
        )
    return start, end, actual


def _first(errors: Mapping[str, list[str]]) -> str:
    name, reasons = next(iter(errors.items()))
    return f"{name}: {reasons[0]}"


def _checked_label(project: Project, label: str, *, known: bool | None = None) -> str:
    if known is None:
        known = Label.objects.filter(project=project, value=label).exists()
    if not known:
        values = ", ".join(Label.objects.filter(project=project).values_list("value", flat=True))
        raise InvalidInput(
            f"label: Unknown label {quoted(label)}.",
            fields={
                "label": [f"Unknown label {quoted(label)}; this project's labels are {values}."]
            },
        )
    return label


def _checked_source(source: str) -> str:
    if len(source) > SOURCE_MAX_CHARS:
        raise InvalidInput(
            "source: Too long.",
            fields={"source": [f"At most {SOURCE_MAX_CHARS} characters."]},
        )
    return source


def _checked_suggestion(suggestion_id: int | None, *, known: bool) -> int | None:
    if suggestion_id is not None and not known:
        raise InvalidInput(
            "suggestion: Not a suggestion on this document.",
            fields={"suggestion": [f"No suggestion {suggestion_id} on this document."]},
        )
    return suggestion_id


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    return text[max(0, start - QUOTE_CONTEXT_CHARS) : start], text[end : end + QUOTE_CONTEXT_CHARS]


def _span_state(span: Span) -> dict[str, Any]:
    return {"start": span.start, "end": span.end, "label": span.label, "source": span.source}


def span_create(
    *,
    assignment: Assignment,
    actor: User,
    start: int,
    end: int,
    label: str,
    quote: str | None = None,
    source: str = "",
    note: str = "",
    suggestion: int | None = None,
    version: int | None = None,
    now: datetime | None = None,
) -> Span:
    """Add a span to one's own open assignment; the server fills quote, prefix and suffix.

    Only the assignment's id is read: it is locked and read again here. Offsets are code
    points, end exclusive. Raises NotFound unless the assignment is the actor's own,
    InvalidInput naming the field (start, end, label, quote, source, suggestion),
    WrongState/LeaseExpired/StaleVersion (409). Locks the assignment in a durable transaction;
    renews the lease, raises the version; writes an audit row.
    """
    now = now or clock.now()
    with transaction.atomic(durable=True):
        locked = _lock_open_assignment(
            assignment.pk, actor=actor, version=version, now=now, label=label, suggestion=suggestion
        )
        span = _new_span(
            locked,
            start=start,
            end=end,
            label=_checked_label(locked.project, label, known=cast(Any, locked).label_known),
            quote=quote,
            source=source,
            note=note,
            suggestion=_checked_suggestion(
                suggestion, known=getattr(locked, "suggestion_known", True)
            ),
        )
        span.save()
        _touch(locked, now)
        audit_record(
            actor=actor,
            action="span.created",
            entity=span,
            project=locked.project,
            after=_span_state(span),
        )
    span.assignment = locked
    return span


def spans_create(
    *,
    assignment: Assignment,
    actor: User,
    spans: Sequence[Mapping[str, Any]],
    version: int | None = None,
    now: datetime | None = None,
) -> list[Span]:
    """Add several spans to one's own open assignment at once: all of them or none.

    Each item takes the arguments of `span_create` (start, end, label, and optionally quote,
    source, note, suggestion). The assignment's version rises once. Raises InvalidInput naming
    the item and field (e.g. `spans.2.start`) for the first wrong item, and what `span_create`
    raises otherwise. Locks the assignment in a durable transaction; renews the lease; writes
    one audit row per span in one insert.
    """
    now = now or clock.now()
    if not spans:
        raise InvalidInput("Send at least one span.", fields={"spans": ["The list is empty."]})
    with transaction.atomic(durable=True):
        locked = _lock_open_assignment(assignment.pk, actor=actor, version=version, now=now)
        labels = set(Label.objects.filter(project=locked.project).values_list("value", flat=True))
        asked = {item["suggestion"] for item in spans if item.get("suggestion") is not None}
        suggestions = set(
            Suggestion.objects.filter(pk__in=asked, document_id=locked.document_id).values_list(
                "pk", flat=True
            )
            if asked
            else ()
        )
        created = []
        for index, item in enumerate(spans):
            try:
                created.append(
                    _new_span(
                        locked,
                        start=item.get("start"),
                        end=item.get("end"),
                        label=_checked_label(
                            locked.project, item.get("label", ""), known=item.get("label") in labels
                        ),
                        quote=item.get("quote"),
                        source=item.get("source", ""),
                        note=item.get("note", ""),
                        suggestion=_checked_suggestion(
                            item.get("suggestion"), known=item.get("suggestion") in suggestions
                        ),
                    )
                )
            except InvalidInput as error:
                raise InvalidInput(
                    f"spans.{index}.{error.message}",
                    fields={
                        f"spans.{index}.{name}": reasons for name, reasons in error.fields.items()
                    },
                ) from error
        Span.objects.bulk_create(created)
        _touch(locked, now)
        audit_record_each(
            actor=actor,
            action="span.created",
            project=locked.project,
            changes=[(span, None, _span_state(span)) for span in created],
        )
    for span in created:
        span.assignment = locked
    return created


def _new_span(
    assignment: Assignment,
    *,
    start: Any,
    end: Any,
    label: str,
    quote: str | None,
    source: str,
    note: str,
    suggestion: int | None,
) -> Span:
    """An unsaved span on the locked assignment, its offsets and quote checked against the text."""
    text = assignment.document.text
    start, end, quote_text = _checked_offsets(text, start=start, end=end, quote=quote)
    prefix, suffix = _context(text, start, end)
    return Span(
        assignment=assignment,
        start=start,
        end=end,
        quote=quote_text,
        prefix=prefix,
        suffix=suffix,
        label=label,
        source=_checked_source(source),
        note=note,
        suggestion_id=suggestion,
    )


_UNSET: Any = object()


def span_update(
    *,
    span: Span,
    actor: User,
    version: int,
    start: int = _UNSET,
    end: int = _UNSET,
    label: str = _UNSET,
    quote: str | None = None,
    source: str = _UNSET,
    note: str = _UNSET,
    now: datetime | None = None,
) -> Span:
    """Change a span of one's own open assignment (resize, relabel, source, note).

    Unset arguments keep their value. Same checks and errors as `span_create`, plus StaleVersion
    when `version` is not the assignment's current one, NotFound if the span is gone. Locks the
    assignment then the span in a durable transaction; renews the lease, raises the version;
    writes an audit row.
    """
    now = now or clock.now()
    with transaction.atomic(durable=True):
        locked = _lock_open_assignment(span.assignment_id, actor=actor, version=version, now=now)
        current = Span.objects.select_for_update(no_key=True).filter(pk=span.pk).first()
        if current is None:
            # Deleted (by the reviewer, in another tab) since the caller looked it up.
            raise NotFound("No such span.")
        before = _span_state(current)
        if start is not _UNSET or end is not _UNSET or quote is not None:
            text = locked.document.text
            new_start = current.start if start is _UNSET else start
            new_end = current.end if end is _UNSET else end
            current.start, current.end, current.quote = _checked_offsets(
                text, start=new_start, end=new_end, quote=quote
            )
            current.prefix, current.suffix = _context(text, current.start, current.end)
        if label is not _UNSET:
            current.label = _checked_label(locked.project, label)
        if source is not _UNSET:
            current.source = _checked_source(source)
        if note is not _UNSET:
            current.note = note
        current.save()
        _touch(locked, now)
        audit_record(
            actor=actor,
            action="span.updated",
            entity=current,
            project=locked.project,
            before=before,
            after=_span_state(current),
        )
    current.assignment = locked
    return current


def span_delete(*, span: Span, actor: User, version: int, now: datetime | None = None) -> int:
    """Delete a span (and its evidence) from one's own open assignment; return the new version.

    Raises WrongState/LeaseExpired/StaleVersion (409). Locks the assignment in a durable
    transaction; renews the lease, raises the version; writes an audit row with the old span.
    """
    now = now or clock.now()
    with transaction.atomic(durable=True):
        locked = _lock_open_assignment(span.assignment_id, actor=actor, version=version, now=now)
        current = Span.objects.filter(pk=span.pk).first()
        if current is None:
            raise NotFound("No such span.")
        audit_record(
            actor=actor,
            action="span.deleted",
            entity=current,
            project=locked.project,
            before=_span_state(current),
        )
        current.delete()
        _touch(locked, now)
    return locked.version


def evidence_add(
    *,
    span: Span,
    actor: User,
    url: str,
    stance: str,
    title: str = "",
    quoted_passage: str = "",
    version: int | None = None,
    now: datetime | None = None,
) -> EvidenceLink:
    """Attach an evidence link (http or https only) to a span of one's own open assignment.

    Raises InvalidInput (url, stance, title), WrongState/LeaseExpired/StaleVersion (409). Locks
    the assignment in a durable transaction; renews the lease, raises the version; writes an
    audit row.
    """
    now = now or clock.now()
    url = url.strip()
    if len(url) > EVIDENCE_URL_MAX_CHARS:
        raise InvalidInput(
            "url: Too long.", fields={"url": [f"At most {EVIDENCE_URL_MAX_CHARS} characters."]}
        )
    try:
        # The model field's own validator: a host, no blank space, and never a ValueError from
        # urlsplit on input such as "http://[::1". It lets control characters through.
        _EVIDENCE_URL_VALIDATOR(url)
        if _CONTROL_CHARS.search(url):
            raise ValidationError("control characters")
    except ValidationError as error:
        raise InvalidInput(
            "url: Only http and https links are accepted.",
            fields={"url": ["Must be an http:// or https:// address with a host."]},
        ) from error
    if not _public_host(url):
        raise InvalidInput(
            "url: Not a public address.",
            fields={
                "url": [
                    "Must point to a public site, not localhost or a private, loopback, "
                    "link-local or reserved address."
                ]
            },
        )
    # Store the scheme in lower case: the database's check compares case-sensitively.
    scheme, rest = url.split("://", 1)
    url = f"{scheme.lower()}://{rest}"
    if stance not in EvidenceStance.values:
        raise InvalidInput(
            f"stance: Unknown stance {quoted(stance)}.",
            fields={"stance": [f"Must be one of {', '.join(EvidenceStance.values)}."]},
        )
    if len(title) > EVIDENCE_TITLE_MAX_CHARS:
        raise InvalidInput(
            "title: Too long.",
            fields={"title": [f"At most {EVIDENCE_TITLE_MAX_CHARS} characters."]},
        )
    with transaction.atomic(durable=True):
        locked = _lock_open_assignment(span.assignment_id, actor=actor, version=version, now=now)
        if not Span.objects.filter(pk=span.pk).exists():
            raise NotFound("No such span.")
        link = EvidenceLink.objects.create(
            span=span,
            url=url,
            title=title,
            stance=stance,
            quoted_passage=quoted_passage,
            added_by=actor,
        )
        _touch(locked, now)
        audit_record(
            actor=actor,
            action="evidence.added",
            entity=link,
            project=locked.project,
            after={
                "span": span.pk,
                "url": url,
                "stance": stance,
                "title": title,
                "quoted_passage": quoted_passage,
            },
        )
    link.span = span
    span.assignment = locked
    return link


def evidence_delete(
    *, link: EvidenceLink, actor: User, version: int, now: datetime | None = None
) -> int:
    """Remove an evidence link from a span of one's own open assignment; return the new version.

    Raises WrongState/LeaseExpired/StaleVersion (409). Locks the assignment in a durable
    transaction; renews the lease, raises the version; writes an audit row.
    """
    now = now or clock.now()
    with transaction.atomic(durable=True):
        locked = _lock_open_assignment(
            link.span.assignment_id, actor=actor, version=version, now=now
        )
        audit_record(
            actor=actor,
            action="evidence.deleted",
            entity=link,
            project=locked.project,
            before={
                "span": link.span_id,
                "url": link.url,
                "stance": link.stance,
                "title": link.title,
                "quoted_passage": link.quoted_passage,
            },
        )
        EvidenceLink.objects.filter(pk=link.pk).delete()
        _touch(locked, now)
    return locked.version


def _public_host(url: str) -> bool:
    """False for links to this machine or a private network: evidence is for every reviewer and
    lead to open, and a link to `localhost` or `169.254.169.254` only ever reaches the reader's
    own network (a way to aim a colleague's browser at an intranet page). No DNS lookup: names
    are judged by their spelling only, so this is a guard against mistakes and crude tricks.
    """
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True
    return address.is_global
