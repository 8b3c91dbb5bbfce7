"""Periodic review upkeep: expiring lapsed leases so their places return to the queue."""

from __future__ import annotations

from celery import shared_task

from annotations import services

EXPIRE_LEASES_TASK = "annotations.review.expire_leases"


@shared_task(name=EXPIRE_LEASES_TASK, ignore_result=True)
def expire_leases() -> int:
    """Expire every lapsed lease (one guarded UPDATE per batch); return how many.

    Idempotent by construction: the UPDATE only touches assignments still active and lapsed,
    so a repeated or overlapping run does nothing twice. Claims also expire lazily, so a late
    or missed run delays nothing but the document status shown to leads.
    """
    return services.assignments_expire()
