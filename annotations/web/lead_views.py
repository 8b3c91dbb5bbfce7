"""The lead's pages: the agreement dashboard, the dispute queue and the dispute workspace.

Leads and admins of the project only: a reviewer of the project gets 403 (as from the API),
anyone else 404. Figures come from `agreement_for_project` (the API's body), disputes from
the same selectors the API uses; resolving goes through the API from the page's script.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from annotations.api.exports import export_http_response
from annotations.api.outputs import LabelOutputSerializer
from annotations.exceptions import NotFound
from annotations.exports import FORMATS
from annotations.models import ClaimRating, DocumentStatus, Project
from annotations.selectors import (
    LEAD_ROLES,
    agreement_for_project,
    current_document_agreements,
    dispute_detail,
    dispute_get,
    disputes_visible,
    project_get,
    project_role,
)
from annotations.selectors.exports import ExportFilters
from annotations.web.chart import bar_chart
from annotations.web.forms import DisputeFilterForm

SERIES_COLOURS = ("#1f4e8c", "#a05a00")


def _lead_project(request: HttpRequest, project_id: int) -> Project:
    try:
        project, role = project_get(user=request.user, project_id=project_id)
    except NotFound as error:
        raise Http404(error.message) from error
    if role not in LEAD_ROLES:
        raise PermissionDenied("Only the project's leads and admins see this page.")
    return project


def _value(figure: Any, key: str = "value") -> float | None:
    return figure.get(key) if isinstance(figure, dict) else None


@require_GET
@login_required
def agreement_dashboard(request: HttpRequest, project_id: int) -> HttpResponse:
    """Agreement per label, per reviewer pair, per reviewer and per document, with a chart."""
    project = _lead_project(request, project_id)
    figures = agreement_for_project(project=project)
    labels = list(project.labels.all())
    rows = []
    for label in labels:
        entry = figures["labels"].get(label.value, {})
        rows.append(
            {
                "label": label,
                "alpha": entry.get("alpha"),
                "exact": entry.get("span_exact"),
                "overlap": entry.get("span_overlap"),
            }
        )
    chart = bar_chart(
        [
            (
                row["label"].name,
                [
                    ("alpha", _value(row["alpha"])),
                    ("span F1 (overlap)", _value(row["overlap"], "f1")),
                ],
            )
            for row in rows
        ],
        SERIES_COLOURS,
    )
    return render(
        request,
        "web/agreement.html",
        {
            "project": project,
            "figures": figures,
            "label_rows": rows,
            "chart": chart,
            "series": list(zip(("alpha", "span F1 (overlap)"), SERIES_COLOURS, strict=True)),
            "documents": current_document_agreements(project=project)[:500],
        },
    )


@require_GET
@login_required
def dispute_queue(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project's disputes, oldest first, filtered by status and kind."""
    project = _lead_project(request, project_id)
    form = DisputeFilterForm(request.GET or {"status": "open"})
    if form.is_valid():
        disputes = disputes_visible(
            project=project,
            status=form.cleaned_data["status"] or None,
            kind=form.cleaned_data["kind"] or None,
            document=form.cleaned_data["document"],
        )
    else:
        disputes = disputes_visible(project=project).none()
    page = Paginator(disputes, 50).get_page(request.GET.get("page"))
    return render(request, "web/disputes.html", {"project": project, "form": form, "page": page})


@require_GET
@login_required
def dispute_next(request: HttpRequest, project_id: int) -> HttpResponse:
    """Open the oldest open dispute of the project, or the queue when none is left."""
    project = _lead_project(request, project_id)
    dispute = disputes_visible(project=project, status="open").first()
    if dispute is None:
        messages.success(request, f"No open disputes are left in {project.name}.")
        return redirect("web:disputes", project_id=project.pk)
    return redirect("web:dispute", dispute_id=dispute.pk)


@require_GET
@login_required
def dispute_workspace(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """One dispute: each reviewer's version side by side over the same text, and the verdict."""
    try:
        dispute = dispute_get(user=request.user, dispute_id=dispute_id)
    except NotFound as error:
        raise Http404(error.message) from error
    project = dispute.document.project
    if project_role(user=request.user, project_id=project.pk) not in LEAD_ROLES:
        raise PermissionDenied("Only the project's leads and admins settle disputes.")
    labels = LabelOutputSerializer(project.labels.all(), many=True).data
    data: dict[str, Any] = {
        "dispute": dispute_detail(dispute=dispute),
        "project": {"id": project.pk, "name": project.name, "labels": labels},
        "ratings": [{"value": value, "name": name} for value, name in ClaimRating.choices],
        "urls": {
            "api": "/api/v1/",
            "next": reverse("web:dispute-next", kwargs={"project_id": project.pk}),
        },
    }
    return render(
        request,
        "web/dispute.html",
        {"dispute": dispute, "project": project, "labels": labels, "data": data},
    )


# The report is self-contained (inline CSS and SVG, no scripts); its page allows exactly that.
REPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


@require_GET
@login_required
def reports(request: HttpRequest, project_id: int) -> HttpResponse:
    """Download buttons for every export format, for the project and each settled document.

    The downloads are the API's exports (`/api/v1/.../export`), which the page's session
    authenticates: one rule for who may export, and a large project's export answers with a
    background job there as everywhere.
    """
    project = _lead_project(request, project_id)
    settled = project.documents.filter(status=DocumentStatus.ACCEPTED).order_by("id")
    page = Paginator(settled.only("id", "title"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "web/reports.html",
        {
            "project": project,
            "formats": list(FORMATS.values()),
            "page": page,
            "inline_limit": settings.FACTCHECK_EXPORT_INLINE_MAX_DOCUMENTS,
        },
    )


@require_GET
@login_required
def report(request: HttpRequest, project_id: int) -> StreamingHttpResponse:
    """The project's HTML report, shown in the browser rather than downloaded."""
    project = _lead_project(request, project_id)
    response = export_http_response(
        project=project,
        fmt_name="html",
        filters=ExportFilters(),
        exported_by=request.user.get_username(),
        base_url=request.build_absolute_uri("/"),
        stem=f"{project.name}-report",
    )
    response["Content-Disposition"] = response["Content-Disposition"].replace(
        "attachment", "inline", 1
    )
    response["Content-Security-Policy"] = REPORT_POLICY
    return response
