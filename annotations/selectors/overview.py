"""What the home page shows a member: per project, what waits for them and how far they are."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from annotations.models import (
    Assignment,
    AssignmentState,
    Dispute,
    DisputeStatus,
    Document,
    DocumentAgreement,
    DocumentStatus,
    Membership,
    PreannotationRun,
    Project,
    Role,
)
from annotations.selectors.access import LEAD_ROLES, projects_visible


@dataclass(frozen=True)
class ProjectOverview:
    project: Project
    role: str
    open_assignment_id: int | None  # the document the member holds now, if any
    waiting: int  # documents the queue could still hand this member
    submitted: int  # reviews this member has submitted here
    documents: int
    documents_by_status: dict[str, int]  # by the status's label, e.g. "Needs reviews"
    run: PreannotationRun | None  # the newest pre-annotation run
    open_disputes: int | None  # for leads and admins; None for reviewers

    @property
    def is_lead(self) -> bool:
        return self.role in LEAD_ROLES

    @property
    def progress_percent(self) -> int:
        """Share of this member's reviewable work done: submitted / (submitted + waiting)."""
        total = self.submitted + self.waiting + (1 if self.open_assignment_id else 0)
        return round(100 * self.submitted / total) if total else 100

    @property
    def run_percent(self) -> int:
        return round(100 * self.run.progress) if self.run is not None else 0


def project_overviews(*, user: User) -> list[ProjectOverview]:
    """The caller's projects (name order) with their queue, progress and pre-annotation state.

    The documents counted as waiting follow the queue's rule (ready, and not reviewed or
    skipped by this user: their own expired work counts, it comes back to them). A handful of
    queries per project; members belong to few projects.
    """
    projects = list(projects_visible(user=user).order_by("name"))
    roles = dict(
        Membership.objects.filter(user=user, project__in=projects).values_list("project_id", "role")
    )
    overviews = []
    for project in projects:
        role = Role.ADMIN if user.is_superuser else roles.get(project.pk, Role.REVIEWER)
        mine = Assignment.objects.filter(project=project, reviewer=user)
        taken_by_me = Assignment.objects.filter(document=OuterRef("pk"), reviewer=user).exclude(
            state=AssignmentState.EXPIRED
        )
        waiting = (
            Document.objects.filter(project=project, status=DocumentStatus.READY)
            .exclude(Exists(taken_by_me))
            .count()
        )
        counts = mine.aggregate(
            submitted=Count("pk", filter=Q(state=AssignmentState.SUBMITTED)),
        )
        open_id = mine.filter(state=AssignmentState.ACTIVE).values_list("pk", flat=True).first()
        by_status = {
            DocumentStatus(status).label: n
            for status, n in Document.objects.filter(project=project)
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        }
        overviews.append(
            ProjectOverview(
                project=project,
                role=str(role),
                open_assignment_id=open_id,
                waiting=waiting,
                submitted=counts["submitted"],
                documents=sum(by_status.values()),
                documents_by_status=by_status,
                run=PreannotationRun.objects.filter(project=project)
                .order_by("-created_at", "-id")
                .first(),
                open_disputes=Dispute.objects.filter(
                    document__project=project, status=DisputeStatus.OPEN
                ).count()
                if role in LEAD_ROLES
                else None,
            )
        )
    return overviews


def current_document_agreements(*, project: Project) -> QuerySet[DocumentAgreement]:
    """The project's documents' current-round agreement, least agreed first (no alpha last).

    Precondition: the caller leads or administers the project.
    """
    return (
        DocumentAgreement.objects.filter(project=project, is_current=True)
        .select_related("document")
        .defer("document__text", "stats", "agreed", "verdict_stats")
        .order_by(models.F("alpha").asc(nulls_last=True), "document_id")
    )
