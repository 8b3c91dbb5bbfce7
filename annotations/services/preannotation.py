"""Pre-annotation: requesting runs, running one document, recording failure, re-dispatching.

A run holds one item per document. The task for an item is idempotent: it re-checks the item's
state under a row lock before and after the (lock-free) engine call, and replaces the engine's
zones and suggestions for the document in one transaction under the document's row lock, the
newest run winning, so a retried, redelivered or duplicated message, or two runs for the same
document, can never store two sets (unique constraints back this). Reviewers' spans are never
touched: a suggestion a span accepted is kept when the rest are replaced.

Sending to the broker happens after commit (`dispatch_items`). If the broker is down, items stay
recorded as queued with no `sent_at`, and `preannotation_dispatch_pending` (periodic) sends them
when it is back: nothing is lost and nothing runs inline in a web request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q
from django.utils import timezone

from annotations import preannotation as engine
from annotations.exceptions import InvalidInput, quoted
from annotations.models import (
    Document,
    DocumentStatus,
    Job,
    JobState,
    PreannotationItem,
    PreannotationOutput,
    PreannotationRun,
    Project,
    RunState,
    Span,
    Suggestion,
    Zone,
)
from annotations.services.audit import audit_record
from annotations.services.bulk import bulk_insert

logger = logging.getLogger(__name__)

# An item sent this long ago and still not started is presumed lost and sent again; one started
# this long ago and not finished belongs to a dead worker. Both are safe: the task is idempotent.
RESEND_QUEUED_AFTER = timedelta(minutes=10)
# Documents per task: enough to share each task's transactions and broker round trip, few
# enough that a batch of large documents stays far inside the task time limit.
BATCH_SIZE = 20
# Text per task: the engine's slowest known input runs at about 0.03 MB/s, so a full batch
# takes well under a minute; a document larger than this is sent alone.
BATCH_BYTES = 512 * 1024
# Redis serves lower numbers first (kombu's steps 0, 3, 6, 9; unset is 0): a background job's
# single message is taken before the thousands of batches a large import has queued.
BATCH_PRIORITY = 6


def _running_stale_after() -> timedelta:
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def preannotation_request(
    *,
    project: Project,
    documents: Sequence[Document] | None = None,
    force: bool = False,
    requested_by: User | None = None,
    job: Job | None = None,
    import_job: Job | None = None,
) -> PreannotationRun:
    """Create a run for `documents` (all of the project's when None) and send it after commit.

    Without `force`, documents this engine version has already annotated are finished at once
    without re-running. Documents still waiting for their first reviews are held back from the
    queue (`preannotating`) until their item finishes; documents already in review keep their
    status. Raises InvalidInput if a document belongs to another project or none is given.
    With `job`, the run is that job's work: its progress is the job's, and closing the run
    finishes the job. With `import_job`, the run is one batch of that import's documents, counted
    in the import job's pre-annotation progress (`job_preannotation_progress`).
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
            f"Documents {_ids(foreign)} are not in project {quoted(project.name)}.",
            fields={"document_ids": [f"Not in this project: {_ids(foreign)}."]},
        )
    with transaction.atomic(savepoint=False):
        run = PreannotationRun.objects.create(
            project=project,
            engine=engine.ENGINE_NAME,
            engine_version=engine.ENGINE_VERSION,
            force=force,
            documents_total=len(chosen),
            requested_by=requested_by,
            job=job,
            import_job=import_job,
            state=RunState.QUEUED if chosen else RunState.DONE,
            finished_at=None if chosen else timezone.now(),
        )
        items = bulk_insert([PreannotationItem(run=run, document_id=d.pk) for d in chosen])
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
        # Documents fresh from an import carry their text: their sizes need no query.
        sizes = (
            {item.pk: len(d.text.encode("utf-8")) for item, d in zip(items, chosen, strict=True)}
            if all("text" in d.__dict__ for d in chosen)
            else None
        )
        transaction.on_commit(lambda: dispatch_items(item_ids, sizes=sizes))
    return run


def dispatch_items(item_ids: Sequence[int], *, sizes: Mapping[int, int] | None = None) -> int:
    """Send the items to the workers in batches (`_batches`); mark them sent. Returns how many.

    Called after commit. All the items are marked sent in one UPDATE before the first message
    (one per import batch, not one per message; and before any worker can hold their rows,
    which it locks with NOWAIT). A broker error stops the sending: the items not sent get
    their mark cleared, so they stay queued for the dispatcher to send; the error is logged,
    never raised into the request.
    """
    from kombu.exceptions import OperationalError as BrokerError

    from annotations.tasks.preannotation import preannotate_items

    batches = _batches(item_ids, sizes=sizes)
    PreannotationItem.objects.filter(pk__in=item_ids).update(sent_at=timezone.now())
    batches_sent = 0
    try:
        for batch in batches:
            preannotate_items.apply_async(args=(batch,), priority=BATCH_PRIORITY)
            batches_sent += 1
    except (BrokerError, OSError) as error:
        unsent = [item_id for batch in batches[batches_sent:] for item_id in batch]
        PreannotationItem.objects.filter(pk__in=unsent, state=RunState.QUEUED).update(sent_at=None)
        logger.warning(
            "Broker unavailable; %d pre-annotation item(s) stay queued: %s", len(unsent), error
        )
        return len(item_ids) - len(unsent)
    return len(item_ids)


class _TextBytes(Func):
    """The size of a text column in bytes (UTF-8), not characters."""

    function = "OCTET_LENGTH"
    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="LENGTH(CAST(%(expressions)s AS BLOB))")


def _batches(item_ids: Sequence[int], *, sizes: Mapping[int, int] | None = None) -> list[list[int]]:
    """Items in send order, cut into batches of at most BATCH_SIZE documents and BATCH_BYTES of
    text; a document larger than BATCH_BYTES goes alone, so it can slow down no other.

    In-process (eager) tasks gain nothing from batching: one document per task lets the
    command show progress document by document.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return [[item_id] for item_id in item_ids]
    if sizes is None:
        sizes = dict(
            PreannotationItem.objects.filter(pk__in=item_ids)
            .annotate(size=_TextBytes("document__text"))
            .values_list("pk", "size")
        )
    batches: list[list[int]] = []
    batch: list[int] = []
    batch_bytes = 0
    for item_id in item_ids:
        size = sizes.get(item_id, 0)
        if batch and (len(batch) >= BATCH_SIZE or batch_bytes + size > BATCH_BYTES):
            batches.append(batch)
            batch, batch_bytes = [], 0
        batch.append(item_id)
        batch_bytes += size
    if batch:
        batches.append(batch)
    return batches


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


def preannotation_run_items(*, item_ids: Sequence[int]) -> int:
    """Pre-annotate the items' documents and store the results; return how many were stored.

    Idempotent: finished items are skipped, so a repeated, duplicated or redelivered batch does
    nothing more. First the unfinished items are marked running under a NOWAIT row lock (lock
    trouble raises django.db.OperationalError: transient, the task retries). The engine then
    runs outside any transaction, once per document; a document that makes it raise, or that
    is interrupted by the soft time limit, fails alone. Once half the soft time limit is used,
    the documents not yet analysed are handed back to the queue and sent again, so a slow
    document never makes the others of its batch fail. Last, in one transaction, the items are
    locked again and re-checked, then the documents (in id order), and each document's engine
    output is replaced by the newest run's (`_replace_engine_output`).
    """
    from celery.exceptions import SoftTimeLimitExceeded

    with transaction.atomic():
        # Lock only the items (of=self): items of one run must not contend on the run's row.
        items = list(
            PreannotationItem.objects.select_for_update(no_key=True, nowait=True, of=("self",))
            .select_related("run")
            .filter(pk__in=item_ids)
            .exclude(state__in=[RunState.DONE, RunState.FAILED])
            .order_by("pk")
        )
        if not items:
            return 0
        now = timezone.now()
        PreannotationItem.objects.filter(pk__in=[item.pk for item in items]).update(
            state=RunState.RUNNING, attempts=F("attempts") + 1, started_at=now
        )
        PreannotationRun.objects.filter(
            pk__in={item.run_id for item in items}, state=RunState.QUEUED
        ).update(state=RunState.RUNNING, started_at=now)

    documents = Document.objects.in_bulk({item.document_id for item in items})
    already = _already_annotated(items)
    analyses: dict[int, engine.Analysis] = {}
    errors: dict[int, str] = {}
    deferred: set[int] = set()
    budget_ends = time.monotonic() + settings.CELERY_TASK_SOFT_TIME_LIMIT / 2
    out_of_time = False
    for document_id in dict.fromkeys(item.document_id for item in items):
        document = documents.get(document_id)
        if document is None or document_id in already:
            continue
        out_of_time = out_of_time or (bool(analyses or errors) and time.monotonic() > budget_ends)
        if out_of_time:
            deferred.add(document_id)
            continue
        try:
            analyses[document_id] = engine.analyse(document.text)
        except SoftTimeLimitExceeded:
            logger.warning("Document %s ran past the soft time limit", document_id)
            errors[document_id] = (
                f"timed out: the engine ran past the {settings.CELERY_TASK_SOFT_TIME_LIMIT} s "
                f"soft time limit on this document ({len(document.text)} characters)"
            )
            out_of_time = True  # hand the rest back: this task has little time left
        except Exception as error:
            # Whatever the engine trips on in one document must not fail the rest of the batch.
            logger.exception("The engine failed on document %s", document_id)
            errors[document_id] = f"{type(error).__name__}: {error}"

    with transaction.atomic():
        unfinished = list(
            PreannotationItem.objects.select_for_update(no_key=True)
            .filter(pk__in=[item.pk for item in items])
            .exclude(state__in=[RunState.DONE, RunState.FAILED])
            .order_by("pk")
        )
        if not unfinished:
            return 0
        handed_back = [item for item in unfinished if item.document_id in deferred]
        finishing = [item for item in unfinished if item.document_id not in deferred]
        newest_run: dict[int, int] = {}
        for item in finishing:
            if item.document_id in analyses:
                newest_run[item.document_id] = max(item.run_id, newest_run.get(item.document_id, 0))
        stored = _replace_engine_output(
            {doc: (analyses[doc], run_id) for doc, run_id in newest_run.items()}
        )
        for document_id in stored:
            _fill_metadata_from_structure(documents[document_id], analyses[document_id])
        _finish_items(finishing, errors=errors)
        if handed_back:
            ids = [item.pk for item in handed_back]
            PreannotationItem.objects.filter(pk__in=ids).update(state=RunState.QUEUED, sent_at=None)
            transaction.on_commit(lambda: dispatch_items(ids))
    return len(stored)


def preannotation_items_fail(*, item_ids: Sequence[int], error: str) -> None:
    """Record that items failed for good (retries exhausted or a non-transient error).

    Finished items are left alone. The documents are released to the queue all the same
    (reviewers can work without suggestions), and the error is kept on the items and runs for
    the admin and API.
    """
    with transaction.atomic():
        unfinished = list(
            PreannotationItem.objects.select_for_update(no_key=True)
            .filter(pk__in=item_ids)
            .exclude(state__in=[RunState.DONE, RunState.FAILED])
            .order_by("pk")
        )
        _finish_items(unfinished, errors={item.document_id: error for item in unfinished})


def preannotation_items_note_retry(*, item_ids: Sequence[int], error: str) -> None:
    """Keep the last transient error on items about to be retried (best effort).

    Skips rows locked by someone else: the lock may be the very failure being retried, and
    waiting for it here would stall the worker.
    """
    with transaction.atomic():
        free = PreannotationItem.objects.select_for_update(no_key=True, skip_locked=True).filter(
            pk__in=item_ids, state__in=[RunState.QUEUED, RunState.RUNNING]
        )
        PreannotationItem.objects.filter(pk__in=list(free.values_list("pk", flat=True))).update(
            error=f"retrying after: {error}"[:2000]
        )


def _already_annotated(items: Sequence[PreannotationItem]) -> set[int]:
    """Documents of non-forced runs that the run's engine version has already annotated."""
    wanted: dict[tuple[str, str], list[int]] = {}
    for item in items:
        if not item.run.force:
            wanted.setdefault((item.run.engine, item.run.engine_version), []).append(
                item.document_id
            )
    done: set[int] = set()
    for (name, version), document_ids in wanted.items():
        done.update(
            PreannotationOutput.objects.filter(
                document_id__in=document_ids, engine=name, engine_version=version
            ).values_list("document_id", flat=True)
        )
    return done


def engine_rows(analyses: Mapping[int, engine.Analysis]) -> tuple[list[Zone], list[Suggestion]]:
    """The zones and suggestions (unsaved) that store each document's analysis, keyed by the
    document's id, fitted to the fields' limits."""
    zones = [
        Zone(
            document_id=document_id,
            engine=analysis.engine,
            engine_version=analysis.version,
            kind=str(zone.kind),
            start=zone.start,
            end=zone.end,
            metadata=dict(zone.metadata),
        )
        for document_id, analysis in analyses.items()
        for zone in analysis.zones
    ]
    suggestions = [
        Suggestion(
            document_id=document_id,
            engine=analysis.engine,
            engine_version=analysis.version,
            start=s.start,
            end=s.end,
            label=str(s.label),
            reason=s.reason[:500],
            confidence=max(0.0, min(1.0, s.confidence)),
            source_name=(s.source or "")[:300],
        )
        for document_id, analysis in analyses.items()
        for s in analysis.suggestions
    ]
    return zones, suggestions


def _replace_engine_output(outputs: dict[int, tuple[engine.Analysis, int]]) -> set[int]:
    """Store each document's analysis as its engine output, unless a newer run already has;
    return the documents stored.

    Precondition: inside a transaction. Locks the documents (in id order) first, so two runs
    storing one document take turns and the second sees the first's rows: the newest run
    (highest id) wins and an older run finishing later stores nothing. The output row is
    unique per document and engine, and zones and suggestions are unique per engine output,
    so no interleaving can leave a document with two sets. Suggestions a span accepted are
    kept (the span's link never changes); an identical new one is then not added again.
    """
    if not outputs:
        return set()
    list(
        Document.objects.select_for_update(no_key=True)
        .filter(pk__in=outputs)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    name = next(iter(outputs.values()))[0].engine
    current = {
        output.document_id: output
        for output in PreannotationOutput.objects.filter(document_id__in=outputs, engine=name)
    }
    storing = {
        document_id: analysis
        for document_id, (analysis, run_id) in outputs.items()
        if document_id not in current
        or current[document_id].run_id is None
        or current[document_id].run_id <= run_id  # type: ignore[operator]
    }
    if not storing:
        return set()
    now = timezone.now()
    Zone.objects.filter(document_id__in=storing, engine=name).delete()
    Suggestion.objects.filter(document_id__in=storing, engine=name).exclude(
        Exists(Span.objects.filter(suggestion=OuterRef("pk")))
    ).delete()
    zones, suggestions = engine_rows(storing)
    Zone.objects.bulk_create(zones, batch_size=1000, ignore_conflicts=True)
    # A kept suggestion (accepted by a span) that the new output repeats stays as it is.
    Suggestion.objects.bulk_create(suggestions, batch_size=1000, ignore_conflicts=True)
    for document_id, analysis in storing.items():
        PreannotationOutput.objects.update_or_create(
            document_id=document_id,
            engine=name,
            defaults={
                "engine_version": analysis.version,
                "run_id": outputs[document_id][1],
                "stored_at": now,
            },
        )
    return set(storing)


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


def _finish_items(items: Sequence[PreannotationItem], *, errors: dict[int, str]) -> None:
    """Mark items finished (failed where their document has an error), count them on their
    runs, release their documents to the queue, and close the runs they complete.

    Precondition: the item rows are locked in the current transaction and were not finished.
    Runs are locked in id order, so concurrent batches of one run never deadlock.
    """
    if not items:
        return
    now = timezone.now()
    failed = [item for item in items if item.document_id in errors]
    done = [item for item in items if item.document_id not in errors]
    PreannotationItem.objects.filter(pk__in=[item.pk for item in done]).update(
        state=RunState.DONE, finished_at=now, error=""
    )
    for item in failed:
        PreannotationItem.objects.filter(pk=item.pk).update(
            state=RunState.FAILED, finished_at=now, error=errors[item.document_id][:2000]
        )
    Document.objects.filter(
        pk__in={item.document_id for item in items}, status=DocumentStatus.PREANNOTATING
    ).update(status=DocumentStatus.READY)
    for run_id in sorted({item.run_id for item in items}):
        done_here = sum(1 for item in done if item.run_id == run_id)
        failed_here = sum(1 for item in failed if item.run_id == run_id)
        PreannotationRun.objects.filter(pk=run_id).update(
            documents_done=F("documents_done") + done_here,
            documents_failed=F("documents_failed") + failed_here,
        )
        _close_run_if_complete(run_id, now)


def _close_run_if_complete(run_id: int, now: datetime) -> None:
    """Close the run once every document is finished; the run's row lock orders finishers.

    A run started by a job carries the job's progress, and closing the run finishes the job
    in the same transaction.
    """
    run = PreannotationRun.objects.select_for_update(no_key=True).get(pk=run_id)
    if run.job_id is not None:
        Job.objects.filter(pk=run.job_id, state=JobState.RUNNING).update(
            progress_done=run.documents_done + run.documents_failed, heartbeat_at=now
        )
    if run.documents_done + run.documents_failed < run.documents_total or run.finished_at:
        return
    failures = list(run.items.filter(state=RunState.FAILED).values_list("document_id", "error")[:5])
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
    if run.job_id is not None:
        from annotations.services.preannotation_jobs import preannotation_job_close

        preannotation_job_close(run=run)


def _ids(ids: list[int]) -> str:
    """Ids for a message, as words (the first 20), not a Python list."""
    return ", ".join(map(str, ids[:20])) + (" and more" if len(ids) > 20 else "")
