"""Pre-annotation runs of a project."""

from __future__ import annotations

from django.db.models import QuerySet

from annotations.exceptions import NotFound
from annotations.models import PreannotationRun, Project


def runs_visible(*, project: Project) -> QuerySet[PreannotationRun]:
    """A project's runs, newest first. Precondition: the caller has checked membership."""
    return PreannotationRun.objects.filter(project=project).order_by("-created_at", "-id")


def run_get(*, project: Project, run_id: int) -> PreannotationRun:
    """One run of the project; NotFound for a run of another project."""
    run = runs_visible(project=project).filter(pk=run_id).first()
    if run is None:
        raise NotFound("No such pre-annotation run.")
    return run
