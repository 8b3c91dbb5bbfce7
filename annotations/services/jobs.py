"""Background jobs: create, send, take, advance, finish, fail, re-send, and expire their files.

The lifecycle of every kind of job is the same:

1. `job_create` records the job (queued) and, after commit, `job_dispatch` sends one task
   message. If the broker is down the job stays queued with no `sent_at`, and the periodic
   `jobs_dispatch_pending` sends it later: nothing runs inline in a web request.
2. The task calls `job_run`, which *takes* the job (running, `attempts` + 1) under its row lock
   and calls the runner of its kind with a `JobTicket`. The ticket's attempt number is the
   worker's right to write: `job_advance` and `job_finish` check it under the row lock, so a
   worker that was presumed dead and replaced can never write over its successor.
3. A runner commits its work in batches, each batch in the same transaction as `job_advance`
   (progress, report, cursor). A crash therefore loses nothing committed and repeats nothing:
   the next attempt resumes from the committed report. A runner that has used its time slice
   returns `JobStep.CONTINUE` and the job is sent again; one that waits for other work (a
   pre-annotation run) returns `JobStep.WAIT` and is finished by that work.
4. `job_finish` (done, final report, optional result file and expiry) or `job_fail` (failed,
   with the error; the report still says truthfully what was committed before the failure).

Adding a kind: write `<kind>_job_run(job, ticket) -> JobResult | JobStep` (idempotent,
resumable from `job.report`) and add it to `_runners()`. A runner that makes a file writes it
to `job_result_target(...)` and returns `JobResult(report, result_path, job_result_expiry())`;
`GET /jobs/{id}/download` then streams it to the project's leads and admins until it expires.
"""

from __future__ import annotations

import enum
import logging
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q

from annotations import clock
from annotations.models import FINISHED_JOB_STATES, Job, JobKind, JobState, Project
from annotations.services.audit import audit_record

logger = logging.getLogger(__name__)

# A job sent this long ago and still queued is presumed lost in the broker and sent again.
RESEND_QUEUED_AFTER = timedelta(minutes=10)


class JobStep(enum.Enum):
    """What a runner that has not finished its job asks for."""

    CONTINUE = "continue"  # progress is committed; send the job again for the next slice
    WAIT = "wait"  # other work (e.g. a pre-annotation run) finishes the job


@dataclass(frozen=True)
class JobResult:
    """A finished job: its final report and, for exports, the file and when it expires."""

    report: Mapping[str, Any]
    result_path: str = ""
    expires_at: datetime | None = None


@dataclass(frozen=True)
class JobTicket:
    """A worker's hold on a job: only the holder of the latest attempt may write to it."""

    job_id: int
    attempt: int
    # time.monotonic() after which a runner should commit, return CONTINUE and let go.
    deadline: float = field(compare=False)

    def out_of_time(self) -> bool:
        return time.monotonic() >= self.deadline


class JobLost(Exception):
    """The job was finished or taken over by another attempt: this worker must stop writing."""


Runner = Callable[[Job, JobTicket], "JobResult | JobStep"]


def _runners() -> dict[str, Runner]:
    # Imported here: runners depend on services that depend on this module.
    from annotations.services.export_jobs import export_job_run
    from annotations.services.imports import import_job_run
    from annotations.services.preannotation_jobs import preannotation_job_run

    return {
        JobKind.IMPORT: import_job_run,
        JobKind.PREANNOTATE: preannotation_job_run,
        JobKind.EXPORT: export_job_run,
    }


def job_files_dir() -> Path:
    """The folder shared by web and workers where uploads and job results are kept."""
    return Path(settings.FACTCHECK_JOB_FILES_DIR)


def job_stale_after() -> timedelta:
    """A running job whose worker has committed nothing for this long belongs to a dead worker:
    no task outlives the hard time limit, and every task takes its job afresh."""
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def job_slice_seconds() -> float:
    """How long one task works on a job before committing and sending it again (half the soft
    time limit, so a slow last batch still ends well before the limit)."""
    return settings.CELERY_TASK_SOFT_TIME_LIMIT / 2


def job_create(
    *,
    project: Project,
    kind: JobKind,
    created_by: User | None,
    params: Mapping[str, Any] | None = None,
    total: int = 0,
) -> Job:
    """Record a queued job and send it to the workers after commit.

    Opens a durable transaction; writes an audit row. The broker is contacted only after
    commit (`job_dispatch`); if it is down the job stays queued for `jobs_dispatch_pending`.
    """
    with transaction.atomic(durable=True):
        job = Job.objects.create(
            project=project,
            kind=kind,
            created_by=created_by,
            params=dict(params or {}),
            progress_total=total,
        )
        audit_record(
            actor=created_by,
            action="job.created",
            entity=job,
            project=project,
            after={"kind": kind, "total": total},
        )
        job_id = job.pk
        transaction.on_commit(lambda: job_dispatch(job_id=job_id))
    return job


def job_dispatch(*, job_id: int, takeover_attempt: int | None = None) -> bool:
    """Send the job's task and mark it sent; return whether it was sent.

    Called after commit, never inside a transaction. A broker error is logged and leaves the
    job unsent for the dispatcher; it is never raised into the request. `takeover_attempt`
    tells the worker that the dispatcher judged that attempt abandoned.
    """
    from kombu.exceptions import OperationalError as BrokerError

    from annotations.tasks.jobs import run_job

    try:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            # Mark first: an eager task runs inside apply_async and finishes before it returns.
            Job.objects.filter(pk=job_id).update(sent_at=clock.now())
            run_job.apply_async(args=(job_id, takeover_attempt))
        else:
            run_job.apply_async(args=(job_id, takeover_attempt))
            Job.objects.filter(pk=job_id, state__in=[JobState.QUEUED, JobState.RUNNING]).update(
                sent_at=clock.now()
            )
    except (BrokerError, OSError) as error:
        logger.warning("Broker unavailable; job %s stays queued: %s", job_id, error)
        return False
    return True


def jobs_dispatch_pending(*, now: datetime | None = None) -> int:
    """Send again every job never sent, lost in the broker, or abandoned by a dead worker.

    Runs periodically (beat). Safe to repeat: taking a job is guarded by its row lock and
    attempt number, so a duplicate message finds the job taken or finished and does nothing.
    """
    moment = now or clock.now()
    pending = list(
        Job.objects.filter(
            Q(state=JobState.QUEUED, sent_at__isnull=True)
            | Q(state=JobState.QUEUED, sent_at__lt=moment - RESEND_QUEUED_AFTER)
        ).values_list("pk", flat=True)[:1000]
    )
    abandoned = list(
        Job.objects.filter(
            state=JobState.RUNNING, heartbeat_at__lt=moment - job_stale_after()
        ).values_list("pk", "attempts")[:1000]
    )
    sent = sum(job_dispatch(job_id=job_id) for job_id in pending)
    sent += sum(
        job_dispatch(job_id=job_id, takeover_attempt=attempt) for job_id, attempt in abandoned
    )
    return sent


def job_run(*, job_id: int, takeover_attempt: int | None = None) -> None:
    """Take the job and run one slice of it with its kind's runner (the task's body).

    Idempotent: a finished job, or one another live worker holds, is left alone. Transient
    database errors propagate (the task retries); a runner's other error fails the job with
    that error. Out of its time slice (or interrupted by the soft time limit after committing
    progress) the job is sent again and resumes from its committed report.
    """
    from celery.exceptions import SoftTimeLimitExceeded
    from django.db import InterfaceError, OperationalError

    ticket = _job_take(job_id=job_id, takeover_attempt=takeover_attempt)
    if ticket is None:
        return
    job = Job.objects.select_related("project").get(pk=job_id)
    runner = _runners()[job.kind]
    progress_before = (job.progress_done, dict(job.report))
    try:
        outcome = runner(job, ticket)
    except (OperationalError, InterfaceError):
        raise
    except JobLost:
        logger.info("Job %s went to another attempt; attempt %s stops", job_id, ticket.attempt)
        return
    except SoftTimeLimitExceeded:
        current = Job.objects.only("progress_done", "report").get(pk=job_id)
        if (current.progress_done, current.report) == progress_before:
            job_fail(
                job_id=job_id,
                attempt=ticket.attempt,
                error="The job made no progress within the task's soft time limit.",
            )
            return
        outcome = JobStep.CONTINUE
    except Exception as error:
        logger.exception("Job %s failed", job_id)
        job_fail(job_id=job_id, attempt=ticket.attempt, error=f"{type(error).__name__}: {error}")
        return
    if outcome is JobStep.CONTINUE:
        if _job_requeue(ticket):
            job_dispatch(job_id=job_id)
    elif isinstance(outcome, JobResult):
        job_finish(job_id=job_id, attempt=ticket.attempt, result=outcome)


def _job_take(*, job_id: int, takeover_attempt: int | None) -> JobTicket | None:
    """Mark the job running for a new attempt, or return None if it is not ours to run.

    Under the job's row lock: a queued job is taken; a running one only if the dispatcher
    judged this very attempt abandoned, or nothing was committed for longer than any task can
    live; a finished one never.
    """
    now = clock.now()
    with transaction.atomic(durable=True):
        job = Job.objects.select_for_update(no_key=True).filter(pk=job_id).first()
        if job is None or job.state in FINISHED_JOB_STATES:
            return None
        if job.state == JobState.RUNNING:
            abandoned = takeover_attempt is not None and takeover_attempt == job.attempts
            stale = job.heartbeat_at is None or job.heartbeat_at < now - job_stale_after()
            if not (abandoned or stale):
                return None
        job.state = JobState.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.save(update_fields=["state", "attempts", "started_at", "heartbeat_at"])
        if job.attempts > 1:
            audit_record(
                actor=None,
                action="job.resumed",
                entity=job,
                project=Project(pk=job.project_id),
                after={"attempt": job.attempts, "done": job.progress_done},
            )
    return JobTicket(job.pk, job.attempts, time.monotonic() + job_slice_seconds())


def _job_locked(ticket: JobTicket) -> Job:
    """The job's row, locked, if this ticket still holds it; else JobLost."""
    job = Job.objects.select_for_update(no_key=True).filter(pk=ticket.job_id).first()
    if job is None or job.state != JobState.RUNNING or job.attempts != ticket.attempt:
        raise JobLost(f"job {ticket.job_id} is no longer held by attempt {ticket.attempt}")
    return job


def job_advance(
    *,
    ticket: JobTicket,
    done: int,
    report: Mapping[str, Any],
    total: int | None = None,
) -> None:
    """Record a runner's progress and report (with its resume cursor).

    Precondition: called inside the transaction that commits the work it reports, so progress
    and work are committed together or not at all (opens no savepoint). Locks the job row.
    Raises JobLost if another attempt has taken the job (the caller's transaction must then
    roll back, which it does when the exception leaves it).
    """
    with transaction.atomic(savepoint=False):
        job = _job_locked(ticket)
        job.progress_total = total if total is not None else job.progress_total
        job.progress_done = min(done, job.progress_total)
        job.report = dict(report)
        job.heartbeat_at = clock.now()
        job.save(update_fields=["progress_total", "progress_done", "report", "heartbeat_at"])


def _job_requeue(ticket: JobTicket) -> bool:
    """Hand the job back to the queue between slices; False if the ticket no longer holds it."""
    with transaction.atomic(durable=True):
        try:
            job = _job_locked(ticket)
        except JobLost:
            return False
        job.state = JobState.QUEUED
        job.sent_at = None
        job.save(update_fields=["state", "sent_at"])
    return True


def job_finish(*, job_id: int, result: JobResult, attempt: int | None = None) -> bool:
    """Mark the job done with its final report (and result file); return False if it was
    already finished or, with `attempt`, if another attempt holds it.

    Durable transaction; locks the job row; writes an audit row.
    """
    with transaction.atomic(durable=True):
        return job_close(job_id=job_id, result=result, attempt=attempt)


def job_fail(*, job_id: int, error: str, attempt: int | None = None) -> bool:
    """Mark the job failed with `error`; return False if it was already finished or, with
    `attempt`, if another attempt holds it.

    The report is kept as committed: it says what was done before the failure. Durable
    transaction; locks the job row; writes an audit row.
    """
    with transaction.atomic(durable=True):
        return job_close(job_id=job_id, error=error, attempt=attempt)


def job_close(
    *,
    job_id: int,
    result: JobResult | None = None,
    error: str | None = None,
    attempt: int | None = None,
) -> bool:
    """Finish the job: done with `result`, or failed with `error` (the report kept, or
    replaced by `result`'s when both are given). Returns False, changing nothing, if it was
    already finished or, with `attempt`, if another attempt holds it.

    Precondition: called inside a transaction (it opens no savepoint), for work that finishes
    a job as part of its own commit (e.g. the last document of a pre-annotation run). Locks
    the job row; writes an audit row; removes the job's stored inputs after commit.
    """
    with transaction.atomic(savepoint=False):
        job = Job.objects.select_for_update(no_key=True).filter(pk=job_id).first()
        if job is None or job.is_finished:
            return False
        if attempt is not None and job.attempts != attempt:
            return False
        now = clock.now()
        if result is not None:
            job.report = dict(result.report)
            job.result_path = result.result_path
            job.expires_at = result.expires_at
        if error is None:
            job.state = JobState.DONE
            job.progress_done = job.progress_total
            job.error = ""
        else:
            job.state = JobState.FAILED
            job.error = error[:2000]
        job.finished_at = now
        job.save()
        audit_record(
            actor=None,
            action="job.finished" if error is None else "job.failed",
            entity=job,
            project=Project(pk=job.project_id),
            after={
                "kind": job.kind,
                "state": job.state,
                "done": job.progress_done,
                "total": job.progress_total,
                **({"error": job.error[:500]} if error is not None else {}),
                **({"file": job.result_path} if job.result_path else {}),
            },
        )
        _remove_inputs_on_commit(job)
    return True


def job_result_target(*, job_id: int, filename: str) -> tuple[Path, str]:
    """Where a runner writes a job's result file: (absolute path to write, the relative path
    to give `JobResult.result_path`). Creates the job's folder under `results/`."""
    relative = Path("results") / str(job_id) / Path(filename).name
    absolute = job_files_dir() / relative
    absolute.parent.mkdir(parents=True, exist_ok=True)
    return absolute, str(relative)


def job_result_expiry(*, now: datetime | None = None) -> datetime:
    """When a result file made now expires (FACTCHECK_JOB_RESULT_HOURS later)."""
    return (now or clock.now()) + timedelta(hours=settings.FACTCHECK_JOB_RESULT_HOURS)


def job_result_file(job: Job) -> Path | None:
    """The job's result file on disk if it is inside the jobs folder and exists, else None."""
    if not job.result_path:
        return None
    root = job_files_dir().resolve()
    path = (root / job.result_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def jobs_remove_expired(*, now: datetime | None = None) -> int:
    """Remove result files whose expiry has passed and forget them; return how many.

    Runs periodically (beat). Each job is cleared in its own short transaction with an audit
    row, guarded on the path it removed, so overlapping runs remove each file once.
    """
    moment = now or clock.now()
    expired = list(
        Job.objects.filter(expires_at__lt=moment)
        .exclude(result_path="")
        .values_list("pk", "result_path", "project_id")[:1000]
    )
    root = job_files_dir().resolve()
    removed = 0
    for job_id, result_path, project_id in expired:
        path = (root / result_path).resolve()
        if path.is_relative_to(root):
            path.unlink(missing_ok=True)
            if path.parent != root and not any(path.parent.iterdir()):
                path.parent.rmdir()
        with transaction.atomic(durable=True):
            cleared = Job.objects.filter(pk=job_id, result_path=result_path).update(result_path="")
            if cleared:
                audit_record(
                    actor=None,
                    action="job.file_removed",
                    entity=Job(pk=job_id),
                    project=Project(pk=project_id),
                    before={"file": result_path},
                )
                removed += 1
    return removed


def job_folder_remove(relative: str) -> None:
    """Remove a folder of the jobs folder (a stored upload) and all in it (best effort)."""
    root = job_files_dir().resolve()
    folder = (root / relative).resolve()
    if folder.is_relative_to(root) and folder != root:
        shutil.rmtree(folder, ignore_errors=True)


def _remove_inputs_on_commit(job: Job) -> None:
    """Once a job is finished, its stored inputs (`params["files_dir"]`) are no longer needed."""
    folder = job.params.get("files_dir")
    if folder:
        transaction.on_commit(lambda: job_folder_remove(str(folder)))
