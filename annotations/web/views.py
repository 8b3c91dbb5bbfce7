"""The frontend's pages: thin views that read through selectors and write through services.

Anything outside the caller's projects (or, for a reviewer, anyone else's work) answers 404,
exactly as the API does, because the same selectors decide.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from annotations import services
from annotations.api.outputs import AssignmentDetailOutputSerializer, LabelOutputSerializer
from annotations.exceptions import NotFound
from annotations.models import AssignmentState, Project
from annotations.selectors import assignment_get, project_get, project_overviews


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required ran first
    return user


def _project_or_404(request: HttpRequest, project_id: int) -> Project:
    try:
        project, _role = project_get(user=request.user, project_id=project_id)
    except NotFound as error:
        raise Http404(error.message) from error
    return project


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My projects: what waits for me, my progress, and each project's pre-annotation state."""
    return render(request, "web/home.html", {"overviews": project_overviews(user=_user(request))})


@require_POST
@login_required
def claim_next(request: HttpRequest, project_id: int) -> HttpResponse:
    """Claim the next document (or get back the one I hold) and open it; home if none is left."""
    project = _project_or_404(request, project_id)
    claim = services.assignment_claim_next(project=project, reviewer=_user(request))
    if claim is None:
        messages.info(request, f"Nothing is left for you to review in {project.name}.")
        return redirect("web:home")
    return redirect("web:workspace", assignment_id=claim.assignment.pk)


@require_GET
@login_required
def workspace(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """The review workspace: the text with its zones, suggestions and my spans.

    Editable only for the assignment's own reviewer while it is open; leads see others' work
    read-only (the selector already hides it from other reviewers: 404).
    """
    try:
        assignment = assignment_get(user=request.user, assignment_id=assignment_id, detail=True)
    except NotFound as error:
        raise Http404(error.message) from error
    project = assignment.project
    editable = (
        assignment.reviewer_id == request.user.pk and assignment.state == AssignmentState.ACTIVE
    )
    labels = LabelOutputSerializer(project.labels.all(), many=True).data
    data: dict[str, Any] = {
        "assignment": AssignmentDetailOutputSerializer(assignment).data,
        "project": {"id": project.pk, "name": project.name, "labels": labels},
        "editable": editable,
        "urls": {"api": "/api/v1/", "home": reverse("web:home")},
    }
    return render(
        request,
        "web/workspace.html",
        {
            "assignment": assignment,
            "project": project,
            "labels": labels,
            "editable": editable,
            "workspace": data,
        },
    )
