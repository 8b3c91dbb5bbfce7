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
  `queue.document_refresh_status`: `ready` while places are free, `in_review` when all are taken,
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

from annotations.services.review.evidence import evidence_add, evidence_delete
from annotations.services.review.open_work import assignment_snapshot
from annotations.services.review.queue import Claim, assignment_claim_next, assignments_expire
from annotations.services.review.spans import span_create, span_delete, span_update, spans_create
from annotations.services.review.transitions import assignment_release, assignment_submit

__all__ = [
    "Claim",
    "assignment_claim_next",
    "assignment_release",
    "assignment_snapshot",
    "assignment_submit",
    "assignments_expire",
    "evidence_add",
    "evidence_delete",
    "span_create",
    "span_delete",
    "span_update",
    "spans_create",
]
