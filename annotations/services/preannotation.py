"""Pre-annotation: requesting runs, running one document, recording failure, re-dispatching.

A run holds one item per document. The task for an item is idempotent: it re-checks the item's
state under a row lock before and after the (lock-free) engine call, and replaces the engine's
zones and suggestions for the document in one transaction, so a retried, redelivered or
duplicated message can never store the same suggestions twice. Reviewers' spans are never
touched: they copy what they accepted and only keep a nullable link to the suggestion.

Sending to the broker happens after commit (`dispatch_items`). If the broker is down, items stay
recorded as queued with no `sent_at`, and `preannotation_dispatch_pending` (periodic) sends them
when it is back: nothing is lost and nothing runs inline in a web request.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from annotations import preannotation as engine
from annotations.exceptions import InvalidInput, NotFound
from annotations.models import (
    Document,
    DocumentStatus,
    PreannotationItem,
    PreannotationRun,
    Project,
    RunState,
    Suggestion,
    Zone,
)
from annotations.services.audit import audit_record

logger = logging.getLogger(__name__)

# An item sent this long ago and still not started is presumed lost and sent again; one started
# this long ago and not finished belongs to a dead worker. Both are safe: the task is idempotent.
RESEND_QUEUED_AFTER = timedelta(minutes=10)


def _running_stale_after() -> timedelta:
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def preannotation_request(
    *,
    project: Project,
    documents: Sequence[Document] | None = None,
    force: bool = False,
    requested_by: User | None = None,
) -> PreannotationRun:
    """Create a run for `documents` (all of the project's when None) and send it after commit.

    Without `force`, documents this engine version has already annotated are finished at once
    without re-running. Documents still waiting for their first reviews are held back from the
    queue (`preannotating`) until their item finishes; documents already in review keep their
    status. Raises InvalidInput if a document belongs to another project or none is given.
    May be called inside a caller's transaction (it opens a savepoint-free block); the broker is
    only contacted after the outermost commit.
    """
    chosen = (
        list(documents) if documents is not None else list(project.documents.only("id", "status"))
    )
    if documents is not None and not chosen:
        raise InvalidInput(
            "Choose at least one document to pre-annotate.",
            fields={"document_ids": ["This list may not be empty."]},
        )
    foreign = [d.pk for d in chosen if d.project_id != project.pk]
    if foreign:
        raise InvalidInput(
            f"Documents {foreign} are not in project {project.name!r}.",
            fields={"document_ids": [f"Not in this project: {foreign}"]},
        )
    with transaction.atomic(savepoint=False):
        run = PreannotationRun.objects.create(
            project=project,
            engine=engine.ENGINE_NAME,
            engine_version=engine.ENGINE_VERSION,
            force=force,
            documents_total=len(chosen),
            requested_by=requested_by,
            state=RunState.QUEUED if chosen else RunState.DONE,
            finished_at=None if chosen else timezone.now(),
        )
        items = PreannotationItem.objects.bulk_create(
            [PreannotationItem(run=run, document_id=d.pk) for d in chosen], batch_size=1000
        )
        Document.objects.filter(
            pk__in=[d.pk for d in chosen], status=DocumentStatus.READY, assignments__isnull=True
        ).update(status=DocumentStatus.PREANNOTATING)
        audit_record(
            actor=requested_by,
            action="preannotation.requested",
            entity=run,
            project=project,
            after={
                "documents": len(chosen),
                "force": force,
                "engine": run.engine,
                "version": run.engine_version,
            },
        )
        item_ids = [item.pk for item in items]
        transaction.on_commit(lambda: dispatch_items(item_ids))
    return run


def dispatch_items(item_ids: Sequence[int]) -> int:
    """Send a task for each item; mark each sent. Returns how many were sent.

    Called after commit. A broker error stops the sending and leaves the rest unsent (queued,
    `sent_at` empty) for the dispatcher to retry; it is logged, never raised into the request.
    """
    from kombu.exceptions import OperationalError as BrokerError

    from annotations.tasks.preannotation import preannotate_item

    sent: list[int] = []
    try:
        for item_id in item_ids:
            if settings.CELERY_TASK_ALWAYS_EAGER:
                # Mark first: eager tasks run inside apply_async and finish before it returns.
                PreannotationItem.objects.filter(pk=item_id).update(sent_at=timezone.now())
            preannotate_item.apply_async(args=(item_id,))
            sent.append(item_id)
    except (BrokerError, OSError) as error:
        logger.warning(
            "Broker unavailable; %d pre-annotation item(s) stay queued: %s",
            len(item_ids) - len(sent),
            error,
        )
    if sent and not settings.CELERY_TASK_ALWAYS_EAGER:
        PreannotationItem.objects.filter(pk__in=sent, sent_at__isnull=True).update(
            sent_at=timezone.now()
        )
    return len(sent)


def preannotation_dispatch_pending() -> int:
    """Send again every item that was never sent, was lost in the broker, or whose worker died.

    Runs periodically (beat). Idempotent: a duplicate message finds the item done and returns.
    """
    moment = timezone.now()
    pending = PreannotationItem.objects.filter(
        Q(state=RunState.QUEUED, sent_at__isnull=True)
        | Q(state=RunState.QUEUED, sent_at__lt=moment - RESEND_QUEUED_AFTER)
        | Q(state=RunState.RUNNING, started_at__lt=moment - _running_stale_after())
    ).values_list("pk", flat=True)
    return dispatch_items(list(pending[:10_000]))


def preannotation_run_item(*, item_id: int) -> bool:
    """Pre-annotate the item's document and store the result; True if work was done.

    Idempotent: returns False at once if the item is missing or already finished. The engine
    runs outside any transaction (it is pure CPU); the result is stored under a row lock on the
    item, re-checked, so concurrent or repeated deliveries store it exactly once. Raises
    django.db.OperationalError on lock or connection trouble (transient: the task retries).
    """
    with transaction.atomic():
        # Lock only the item (of=self): items of one run must not contend on the run's row.
        item = (
            PreannotationItem.objects.select_for_update(no_key=True, nowait=True, of=("self",))
            .select_related("run")
            .filter(pk=item_id)
            .first()
        )
        if item is None or item.state in (RunState.DONE, RunState.FAILED):
            return False
        now = timezone.now()
        PreannotationItem.objects.filter(pk=item.pk).update(
            state=RunState.RUNNING, attempts=F("attempts") + 1, started_at=now
        )
        PreannotationRun.objects.filter(pk=item.run_id, state=RunState.QUEUED).update(
            state=RunState.RUNNING, started_at=now
        )
        run = item.run

    document = Document.objects.get(pk=item.document_id)
    already = (
        not run.force
        and Suggestion.objects.filter(
            document=document, engine=run.engine, engine_version=run.engine_version
        ).exists()
    )
    analysis = None if already else engine.analyse(document.text)

    with transaction.atomic():
        item = PreannotationItem.objects.select_for_update(no_key=True).get(pk=item_id)
        if item.state in (RunState.DONE, RunState.FAILED):
            return False
        if analysis is not None:
            _replace_engine_output(document, analysis)
            _fill_metadata_from_structure(document, analysis)
        _finish_item(item, state=RunState.DONE)
    return analysis is not None


def preannotation_item_fail(*, item_id: int, error: str) -> None:
    """Record that an item failed for good (retries exhausted or a non-transient error).

    The document is released to the queue all the same (reviewers can work without
    suggestions), and the error is kept on the item and the run for the admin and API.
    """
    with transaction.atomic():
        item = PreannotationItem.objects.select_for_update(no_key=True).filter(pk=item_id).first()
        if item is None or item.state in (RunState.DONE, RunState.FAILED):
            return
        item.error = error[:2000]
        _finish_item(item, state=RunState.FAILED)


def preannotation_item_note_retry(*, item_id: int, error: str) -> None:
    """Keep the last transient error on an item about to be retried (best effort).

    Skips a row locked by someone else: the lock may be the very failure being retried, and
    waiting for it here would stall the worker.
    """
    with transaction.atomic():
        item = (
            PreannotationItem.objects.select_for_update(no_key=True, skip_locked=True)
            .filter(pk=item_id, state__in=[RunState.QUEUED, RunState.RUNNING])
            .first()
        )
        if item is not None:
            item.error = f"retrying after: {error}"[:2000]
            item.save(update_fields=["error"])


def run_for_project(*, project: Project, run_id: int) -> PreannotationRun:
    """The run `run_id` of `project`; NotFound otherwise."""
    run = PreannotationRun.objects.filter(project=project, pk=run_id).first()
    if run is None:
        raise NotFound(f"No pre-annotation run {run_id} in this project.")
    return run


def _replace_engine_output(document: Document, analysis: engine.Analysis) -> None:
    """Swap this engine's zones and suggestions for the new ones (any earlier version too)."""
    Zone.objects.filter(document=document, engine=analysis.engine).delete()
    Suggestion.objects.filter(document=document, engine=analysis.engine).delete()
    Zone.objects.bulk_create(
        [
            Zone(
                document=document,
                engine=analysis.engine,
                engine_version=analysis.version,
                kind=str(zone.kind),
                start=zone.start,
                end=zone.end,
                metadata=dict(zone.metadata),
            )
            for zone in analysis.zones
        ]
    )
    Suggestion.objects.bulk_create(
        [
            Suggestion(
                document=document,
                engine=analysis.engine,
                engine_version=analysis.version,
                start=s.start,
                end=s.end,
                label=str(s.label),
                reason=s.reason[:500],
                confidence=max(0.0, min(1.0, s.confidence)),
                source_name=(s.source or "")[:300],
            )
            for s in analysis.suggestions
        ],
        batch_size=1000,
    )


def _fill_metadata_from_structure(document: Document, analysis: engine.Analysis) -> None:
    """Fill what import could not know from the structure the engine found; audited.

    Only blanks are filled, never a value someone gave. The title is replaced only when import
    guessed it from the first line (which may be page chrome such as "Menu Close") and the
    engine found the headline. Author, outlet and date are taken only from a page holding one
    article: on a compilation, the first article's byline is not the page's.
    """
    articles = [z for z in analysis.zones if z.kind == engine.ZoneKind.ARTICLE]
    if not articles:
        return
    found = articles[0].metadata
    changes: dict[str, object] = {}
    headline = (found.get("title") or "").strip()[:500]
    if document.metadata.get("title_from_first_line") and headline and headline != document.title:
        changes["title"] = headline
    if len(articles) == 1:
        for field in ("author", "outlet"):
            value = (found.get(field) or "").strip()[:300]
            if value and not getattr(document, field):
                changes[field] = value
        if document.published_on is None and found.get("published"):
            try:
                changes["published_on"] = date.fromisoformat(found["published"][:10])
            except ValueError:
                logger.info("Unreadable date %r in document %s", found["published"], document.pk)
    if not changes:
        return
    before = {field: str(getattr(document, field) or "") for field in changes}
    Document.objects.filter(pk=document.pk).update(**changes)
    audit_record(
        actor=None,
        action="document.metadata_from_structure",
        entity=document,
        project=Project(pk=document.project_id),
        before=before,
        after={field: str(value) for field, value in changes.items()},
    )


def _finish_item(item: PreannotationItem, *, state: str) -> None:
    """Mark the item finished, count it on the run, release the document, close the run.

    Precondition: the item row is locked in the current transaction and was not finished.
    """
    now = timezone.now()
    item.state = state
    item.finished_at = now
    if state == RunState.DONE:
        item.error = ""
    item.save(update_fields=["state", "finished_at", "error"])
    counter = "documents_done" if state == RunState.DONE else "documents_failed"
    PreannotationRun.objects.filter(pk=item.run_id).update(**{counter: F(counter) + 1})
    Document.objects.filter(pk=item.document_id, status=DocumentStatus.PREANNOTATING).update(
        status=DocumentStatus.READY
    )
    # The last item to finish closes the run; the lock on the run row orders concurrent finishers.
    run = PreannotationRun.objects.select_for_update(no_key=True).get(pk=item.run_id)
    if run.documents_done + run.documents_failed >= run.documents_total and run.finished_at is None:
        failures = list(
            run.items.filter(state=RunState.FAILED).values_list("document_id", "error")[:5]
        )
        run.state = (
            RunState.FAILED if run.documents_failed and not run.documents_done else RunState.DONE
        )
        run.error = "; ".join(f"document {doc}: {err}" for doc, err in failures)
        run.finished_at = now
        run.save(update_fields=["state", "error", "finished_at"])
        audit_record(
            actor=None,
            action="preannotation.finished",
            entity=run,
            project=run.project,
            after={"state": run.state, "done": run.documents_done, "failed": run.documents_failed},
        )
