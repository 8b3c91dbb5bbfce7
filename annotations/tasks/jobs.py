"""Background job tasks: run one slice of a job, re-send pending ones, remove expired files."""

from __future__ import annotations

import logging
from typing import Any

from billiard.einfo import ExceptionInfo
from celery import Task, shared_task

from annotations.services import jobs as service
from annotations.tasks.policy import IDEMPOTENT_TASK_OPTIONS

logger = logging.getLogger(__name__)


class JobTask(Task[Any, Any]):
    """Records a job's terminal failure (retries exhausted) on the job itself."""

    def on_failure(
        self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: ExceptionInfo
    ) -> None:
        service.job_fail(job_id=args[0], error=f"{type(exc).__name__}: {exc}")


@shared_task(base=JobTask, name="annotations.jobs.run", **IDEMPOTENT_TASK_OPTIONS)
def run_job(job_id: int, takeover_attempt: int | None = None) -> None:
    """Run one slice of a job (idempotent and resumable; see services.jobs.job_run)."""
    service.job_run(job_id=job_id, takeover_attempt=takeover_attempt)


@shared_task(name="annotations.jobs.dispatch_pending", ignore_result=True)
def dispatch_pending() -> None:
    """Send jobs that were never sent, were lost, or whose worker died."""
    sent = service.jobs_dispatch_pending()
    if sent:
        logger.info("Re-sent %d job(s)", sent)


@shared_task(name="annotations.jobs.remove_expired", ignore_result=True)
def remove_expired() -> None:
    """Remove result files (exports) past their expiry."""
    removed = service.jobs_remove_expired()
    if removed:
        logger.info("Removed %d expired job file(s)", removed)
