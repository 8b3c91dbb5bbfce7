"""Leads' decisions: resolving disputes, rating agreed spans, reopening documents.

Every decision is a new append-only `Resolution` row (a later one `supersedes` the earlier),
taken under the document's row lock (parent first, then the dispute), with an audit row.

Two leads resolving one dispute at once: both send the dispute's `version` (the number of
decisions taken on it) that they saw; the second to get the lock finds it raised and gets 409
with the current state. The database backs this up: one first decision per dispute (partial
unique constraint), and one successor per decision (`supersedes` is one-to-one).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from annotations import clock
from annotations.exceptions import InvalidInput, StaleVersion, WrongState, constraint_name
from annotations.models import (
    ClaimRating,
    Dispute,
    DisputeStatus,
    Document,
    DocumentAgreement,
    DocumentStatus,
    Label,
    Resolution,
    ResolutionKind,
)
from annotations.selectors.agreement import decision_row
from annotations.services.agreement import (
    agreement_settle,
    agreement_totals_change,
    open_disputes_left,
)
from annotations.services.audit import audit_record

SOURCE_MAX_CHARS = 300
REASON_MAX_CHARS = 2000
_SETTLED = (DocumentStatus.DISPUTED, DocumentStatus.ACCEPTED)


def dispute_snapshot(dispute: Dispute) -> dict[str, Any]:
    """The dispute's current state and latest decision, as sent with a 409."""
    latest = dispute.resolutions.order_by("-id").first()
    return {
        "id": dispute.pk,
        "status": dispute.status,
        "version": dispute.version,
        "latest_resolution": decision_row(latest) if latest else None,
    }


def _checked_decision(
    *,
    text: str,
    labels: list[str],
    no_span: bool,
    start: int | None,
    end: int | None,
    label: str,
    source: str,
    rating: str,
    rationale: str,
) -> None:
    errors: dict[str, list[str]] = {}
    if not rationale.strip():
        errors["rationale"] = ["Say why: a decision needs a rationale."]
    if rating and rating not in ClaimRating.values:
        errors["rating"] = [f"Must be one of {', '.join(ClaimRating.values)}, or empty."]
    if len(source) > SOURCE_MAX_CHARS:
        errors["source"] = [f"At most {SOURCE_MAX_CHARS} characters."]
    if no_span:
        for name, value in (("start", start), ("end", end), ("label", label), ("source", source)):
            if value not in (None, ""):
                errors[name] = ["Leave this out when the verdict is no span."]
        if rating:
            errors["rating"] = ["There is no claim to rate when the verdict is no span."]
    else:
        if start is None:
            errors["start"] = ["Required unless no_span is true."]
        elif start > len(text):
            errors["start"] = [f"Out of range: the text has {len(text)} code points."]
        if end is None:
            errors["end"] = ["Required unless no_span is true."]
        elif end > len(text):
            errors["end"] = [f"Out of range: the text has {len(text)} code points."]
        elif start is not None and end <= start:
            errors["end"] = ["Must be greater than start."]
        if label not in labels:
            errors["label"] = [f"Unknown label {label!r}; this project's labels are {labels}."]
    _refuse(errors)


def _refuse(errors: dict[str, list[str]]) -> None:
    """Raise InvalidInput naming every wrong field, the first in the message."""
    if errors:
        name, reasons = next(iter(errors.items()))
        raise InvalidInput(f"{name}: {reasons[0]}", fields=errors)


def _lock_document(document_id: int) -> Document:
    return (
        Document.objects.select_for_update(no_key=True)
        .select_related("project")
        .get(pk=document_id)
    )


def dispute_resolve(
    *,
    dispute: Dispute,
    actor: User,
    version: int,
    rationale: str,
    no_span: bool = False,
    start: int | None = None,
    end: int | None = None,
    label: str = "",
    source: str = "",
    rating: str = "",
    now: datetime | None = None,
) -> Resolution:
    """Decide a dispute: the final span (start, end, label, source, optional claim rating) or
    no span, with a rationale. A later decision on the same dispute supersedes the earlier.

    Raises InvalidInput naming the field; StaleVersion (409, with `current`) when `version` is
    not the dispute's current count of decisions; WrongState (409) when the dispute belongs to
    an earlier round of a reopened document. Locks the document then the dispute in a durable
    transaction. Side effects: inserts a Resolution, marks the dispute resolved, moves the
    document to `accepted` when this was its last open dispute (and stores the reviewers'
    agreement with the final verdicts); audit rows for each.
    """
    now = now or clock.now()
    with transaction.atomic(durable=True):
        document = _lock_document(dispute.document_id)
        locked = Dispute.objects.select_for_update(no_key=True).get(pk=dispute.pk)
        if locked.round != document.review_round or locked.status == DisputeStatus.WITHDRAWN:
            raise WrongState(
                "This dispute belongs to an earlier round of a reopened document.",
                fields={"dispute": ["Withdrawn: the document was reopened."]},
                extra={"current": dispute_snapshot(locked)},
            )
        if version != locked.version:
            raise StaleVersion(
                f"The dispute has had {locked.version} decision(s) since the version "
                f"{version} you based this on. Reload and try again.",
                fields={"version": [f"Stale: the current version is {locked.version}."]},
                extra={"current": dispute_snapshot(locked)},
            )
        labels = list(
            Label.objects.filter(project=document.project)
            .order_by("ordering")
            .values_list("value", flat=True)
        )
        _checked_decision(
            text=document.text,
            labels=labels,
            no_span=no_span,
            start=start,
            end=end,
            label=label,
            source=source,
            rating=rating,
            rationale=rationale,
        )
        previous = locked.resolutions.order_by("-id").first()
        try:
            with transaction.atomic():
                resolution = Resolution.objects.create(
                    kind=ResolutionKind.RESOLUTION,
                    document=document,
                    round=locked.round,
                    dispute=locked,
                    lead=actor,
                    no_span=no_span,
                    start=None if no_span else start,
                    end=None if no_span else end,
                    label="" if no_span else label,
                    source="" if no_span else source.strip(),
                    claim_rating=rating,
                    rationale=rationale.strip(),
                    supersedes=previous,
                )
        except IntegrityError as error:
            # Only reachable if the lock above were bypassed: the database keeps one chain.
            if constraint_name(error) not in (
                "resolution_one_first_per_dispute",
                "annotations_resolution_supersedes_id_key",
            ):
                raise
            raise StaleVersion(
                "Another decision was taken on this dispute at the same time. Reload.",
                fields={"version": ["Stale."]},
                extra={"current": dispute_snapshot(locked)},
            ) from error
        before = {"status": locked.status, "version": locked.version}
        locked.status = DisputeStatus.RESOLVED
        locked.version += 1
        locked.save(update_fields=["status", "version"])
        audit_record(
            actor=actor,
            action="resolution.created",
            entity=resolution,
            project=document.project,
            after=decision_row(resolution),
        )
        audit_record(
            actor=actor,
            action="dispute.resolved",
            entity=locked,
            project=document.project,
            before=before,
            after={"status": locked.status, "version": locked.version},
        )
        if document.status == DocumentStatus.DISPUTED and not open_disputes_left(document=document):
            Document.objects.filter(pk=document.pk).update(status=DocumentStatus.ACCEPTED)
            audit_record(
                actor=actor,
                action="document.accepted",
                entity=document,
                project=document.project,
                before={"status": document.status},
                after={"status": DocumentStatus.ACCEPTED, "round": document.review_round},
            )
            document.status = DocumentStatus.ACCEPTED
        if document.status == DocumentStatus.ACCEPTED:
            agreement_settle(document=document, project=document.project, now=now)
    resolution.dispute = locked
    return resolution


def agreed_span_rate(
    *,
    document: Document,
    actor: User,
    start: int,
    end: int,
    rating: str,
    rationale: str,
    now: datetime | None = None,
) -> Resolution:
    """Rate a span all reviewers marked alike (supported, contradicted, unverifiable,
    misleading), with a rationale; a later rating of the same span supersedes the earlier.

    Raises InvalidInput (`start`/`end` when no agreed span lies exactly there, `rating`,
    `rationale`); WrongState (409) when the document's current round is not complete. Locks
    the document in a durable transaction. Side effects: inserts a Resolution of kind
    `rating`, writes an audit row.
    """
    now = now or clock.now()
    with transaction.atomic(durable=True):
        locked = _lock_document(document.pk)
        if locked.status not in _SETTLED:
            raise WrongState(
                f"The document is {locked.status}: its reviews are not all in yet.",
                fields={"document": [f"Status is {locked.status}."]},
            )
        errors: dict[str, list[str]] = {}
        if rating not in ClaimRating.values:
            errors["rating"] = [f"Must be one of {', '.join(ClaimRating.values)}."]
        if not rationale.strip():
            errors["rationale"] = ["Say why: a rating needs a rationale."]
        agreement = DocumentAgreement.objects.get(document_id=locked.pk, round=locked.review_round)
        agreed = next(
            (item for item in agreement.agreed if (item["start"], item["end"]) == (start, end)),
            None,
        )
        if agreed is None:
            errors["start"] = [
                f"No agreed span at [{start}:{end}]; rate an agreed span by its exact offsets "
                "(disputed places get their rating when resolved)."
            ]
        _refuse(errors)
        assert agreed is not None  # noqa: S101 - errors raised above otherwise
        previous = (
            Resolution.objects.filter(
                document_id=locked.pk,
                round=locked.review_round,
                kind=ResolutionKind.RATING,
                start=start,
                end=end,
            )
            .order_by("-id")
            .first()
        )
        resolution = Resolution.objects.create(
            kind=ResolutionKind.RATING,
            document=locked,
            round=locked.review_round,
            lead=actor,
            start=start,
            end=end,
            label=agreed["label"],
            source=agreed["source"],
            claim_rating=rating,
            rationale=rationale.strip(),
            supersedes=previous,
        )
        audit_record(
            actor=actor,
            action="rating.created",
            entity=resolution,
            project=locked.project,
            after=decision_row(resolution),
        )
    return resolution


def document_reopen(
    *, document: Document, actor: User, reason: str, now: datetime | None = None
) -> Document:
    """Send a settled or disputed document back to the queue for another round of reviews.

    The round number goes up; the new round's assignments are added beside the earlier ones,
    whose reviews, disputes and decisions all stay (open disputes of the closed round become
    `withdrawn`). Its figures stop counting in the project's (the new round's will).

    Raises InvalidInput (`reason`), WrongState (409) unless the document is `accepted` or
    `disputed`. Locks the document in a durable transaction. Side effects: updates the
    document (round, status `ready`), its round's disputes and DocumentAgreement; audit row.
    """
    now = now or clock.now()
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            "reason: Say why the document needs another round.", fields={"reason": ["Required."]}
        )
    if len(reason) > REASON_MAX_CHARS:
        raise InvalidInput(
            "reason: Too long.", fields={"reason": [f"At most {REASON_MAX_CHARS} characters."]}
        )
    with transaction.atomic(durable=True):
        locked = _lock_document(document.pk)
        if locked.status not in _SETTLED:
            raise WrongState(
                f"Only accepted or disputed documents can be reopened; this one is "
                f"{locked.status}.",
                fields={"document": [f"Status is {locked.status}."]},
            )
        closed_round = locked.review_round
        withdrawn = Dispute.objects.filter(
            document_id=locked.pk, round=closed_round, status=DisputeStatus.OPEN
        ).update(status=DisputeStatus.WITHDRAWN)
        closed = DocumentAgreement.objects.filter(
            document_id=locked.pk, round=closed_round, is_current=True
        ).first()
        if closed is not None:
            closed.is_current = False
            closed.save(update_fields=["is_current"])
            # The closed round stops counting in the project's figures; the next one will.
            agreement_totals_change(locked.project_id, remove=closed)
        before = {"status": locked.status, "round": closed_round}
        locked.status = DocumentStatus.READY
        locked.review_round = closed_round + 1
        locked.save(update_fields=["status", "review_round"])
        audit_record(
            actor=actor,
            action="document.reopened",
            entity=locked,
            project=locked.project,
            before=before,
            after={
                "status": locked.status,
                "round": locked.review_round,
                "reason": reason,
                "disputes_withdrawn": withdrawn,
                "at": now.isoformat(),
            },
        )
    return locked
