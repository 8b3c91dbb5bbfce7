"""Pre-annotation tasks: one document per task, and the periodic dispatcher."""

from __future__ import annotations

import logging
from typing import Any

from billiard.einfo import ExceptionInfo
from celery import Task, shared_task
from django.db import DatabaseError

from annotations.services import preannotation as service
from annotations.tasks.policy import IDEMPOTENT_TASK_OPTIONS

logger = logging.getLogger(__name__)


class PreannotationTask(Task[Any, Any]):
    """Records retries and terminal failures on the item, so the admin and API can show them."""

    def on_retry(
        self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: ExceptionInfo
    ) -> None:
        logger.warning("Retrying pre-annotation items %s after %r", args[0], exc)
        try:
            service.preannotation_items_note_retry(item_ids=args[0], error=repr(exc))
        except DatabaseError:
            logger.warning("Could not record the retry of items %s", args[0], exc_info=True)

    def on_failure(
        self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: ExceptionInfo
    ) -> None:
        service.preannotation_items_fail(item_ids=args[0], error=f"{type(exc).__name__}: {exc}")


@shared_task(
    base=PreannotationTask, name="annotations.preannotate_items", **IDEMPOTENT_TASK_OPTIONS
)
def preannotate_items(item_ids: list[int]) -> None:
    """Pre-annotate a batch of run items' documents (idempotent; see preannotation_run_items)."""
    service.preannotation_run_items(item_ids=item_ids)


@shared_task(name="annotations.preannotation_dispatch_pending", ignore_result=True)
def preannotation_dispatch_pending() -> None:
    """Send items that were never sent, were lost, or whose worker died."""
    sent = service.preannotation_dispatch_pending()
    if sent:
        logger.info("Re-sent %d pre-annotation item(s)", sent)
