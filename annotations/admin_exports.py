"""Admin actions that download exports: one per format, on projects and on documents.

Kept beside `admin.py` so that file only lists the actions. An action on projects exports one
project; an action on documents exports the selected documents of one project.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase

from annotations.api.exports import export_http_response
from annotations.exports import FORMATS, Format
from annotations.models import Document, Project
from annotations.selectors.exports import ExportFilters

Action = Callable[[Any, HttpRequest, QuerySet[Any]], HttpResponseBase | None]


def _project_action(fmt: Format) -> Action:
    @admin.action(description=f"Export verdicts as {fmt.name} ({fmt.description})")
    def action(
        modeladmin: Any, request: HttpRequest, queryset: QuerySet[Project]
    ) -> HttpResponseBase | None:
        projects = list(queryset[:2])
        if len(projects) != 1:
            modeladmin.message_user(
                request, "Select exactly one project to export.", messages.ERROR
            )
            return None
        return export_http_response(
            project=projects[0],
            fmt_name=fmt.name,
            filters=ExportFilters(),
            exported_by=request.user.get_username(),
            base_url=request.build_absolute_uri("/"),
            stem=f"{projects[0].name}-verdicts",
        )

    action.__name__ = f"export_project_{fmt.name}"
    return action


def _document_action(fmt: Format) -> Action:
    @admin.action(description=f"Export the selected documents as {fmt.name}")
    def action(
        modeladmin: Any, request: HttpRequest, queryset: QuerySet[Document]
    ) -> HttpResponseBase | None:
        rows = list(queryset.values_list("pk", "project_id"))
        projects = {project_id for _, project_id in rows}
        if len(projects) != 1:
            modeladmin.message_user(
                request, "Select documents of exactly one project to export.", messages.ERROR
            )
            return None
        project = Project.objects.get(pk=projects.pop())
        ids = tuple(sorted(pk for pk, _ in rows))
        return export_http_response(
            project=project,
            fmt_name=fmt.name,
            filters=ExportFilters(document_ids=ids),
            exported_by=request.user.get_username(),
            base_url=request.build_absolute_uri("/"),
            stem=f"document-{ids[0]}" if len(ids) == 1 else f"{project.name}-selection",
        )

    action.__name__ = f"export_documents_{fmt.name}"
    return action


PROJECT_EXPORT_ACTIONS = [_project_action(fmt) for fmt in FORMATS.values()]
DOCUMENT_EXPORT_ACTIONS = [_document_action(fmt) for fmt in FORMATS.values()]
