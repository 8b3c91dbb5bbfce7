"""Background jobs the caller may see: those of projects they lead, and their own."""

from __future__ import annotations

from typing import TypedDict

from django.db.models import Count, Q, QuerySet, Sum

from annotations.exceptions import NotFound
from annotations.models import Job, JobKind, Membership, PreannotationRun
from annotations.selectors.access import LEAD_ROLES, AnyUser


def jobs_visible(*, user: AnyUser) -> QuerySet[Job]:
    """Jobs of projects where `user` is a lead or an admin (all for superusers), and jobs they
    started themselves; nothing for anyone else. Newest first."""
    if not user.is_authenticated:
        return Job.objects.none()
    jobs = Job.objects.select_related("project", "created_by").order_by("-created_at", "-id")
    if getattr(user, "is_superuser", False):
        return jobs
    led = Membership.objects.filter(user_id=user.pk, role__in=LEAD_ROLES).values("project_id")
    return jobs.filter(Q(project_id__in=led) | Q(created_by_id=user.pk))


def job_get(*, user: AnyUser, job_id: int) -> Job:
    """One job the caller may see; NotFound otherwise (whether or not it exists)."""
    job = jobs_visible(user=user).filter(pk=job_id).first()
    if job is None:
        raise NotFound("No such job.")
    return job


class PreannotationProgress(TypedDict):
    total: int
    done: int
    failed: int
    finished: bool


def job_preannotation_progress(*, job: Job) -> PreannotationProgress | None:
    """An import job's pre-annotation as one: documents sent, done and failed over all the
    runs its batches started, and whether all is over (the import finished and every run
    closed). None for other kinds of job. One query, however many batches."""
    if job.kind != JobKind.IMPORT:
        return None
    totals = PreannotationRun.objects.filter(import_job=job).aggregate(
        total=Sum("documents_total", default=0),
        done=Sum("documents_done", default=0),
        failed=Sum("documents_failed", default=0),
        open=Count("pk", filter=Q(finished_at__isnull=True)),
    )
    return {
        "total": totals["total"],
        "done": totals["done"],
        "failed": totals["failed"],
        "finished": job.is_finished and not totals["open"],
    }
