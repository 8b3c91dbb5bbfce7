"""Exports of final verdicts, streamed: a project's (narrowed by filters) or one document's.

Leads and admins of the project only: reviewers get 403, everyone else 404. The body is written
while it is sent (`StreamingHttpResponse` over a server-side cursor), so a large project never
sits in memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations.api.common import ProjectScopedView, caller, errors
from annotations.api.jobs import JobOutputSerializer, job_response
from annotations.exports import FORMATS, encode
from annotations.models import DocumentStatus, Project
from annotations.permissions import IsProjectLead
from annotations.selectors import document_get
from annotations.selectors.exports import (
    ExportFilters,
    export_build,
    export_documents,
    export_filters_check,
)
from annotations.services.export_jobs import export_job_create


class _FormatIsOurs(DefaultContentNegotiation):
    """`?format=` names the export format here, not one of DRF's renderers; errors are JSON."""

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class ExportInputSerializer(serializers.Serializer[Any]):
    format = serializers.ChoiceField(choices=sorted(FORMATS))
    status = serializers.ChoiceField(
        choices=DocumentStatus.choices, required=False, allow_blank=True
    )
    # Declared fields leave the class (DRF's metaclass), so shadowing Field.label is safe.
    label = serializers.SlugField(  # type: ignore[assignment]
        required=False, allow_blank=True, max_length=50
    )
    published_from = serializers.DateField(required=False)
    published_to = serializers.DateField(required=False)


_FORMAT_PARAMETER = OpenApiParameter(
    "format",
    str,
    required=True,
    enum=sorted(FORMATS),
    description="; ".join(f"`{name}`: {fmt.description}" for name, fmt in FORMATS.items()),
)
_FILE = OpenApiResponse(
    response=OpenApiTypes.BINARY,
    description="The export as a file (Content-Disposition: attachment), streamed.",
)
# One entry per media type the formats answer with: HTML and CSV as files, JSON and JSON-LD
# as any JSON (our JSON is an object, Label Studio's an array of tasks).
_FILES: dict[int | tuple[int, str], Any] = {
    (200, media): (
        OpenApiResponse(OpenApiTypes.ANY, description=_FILE.description)
        if media.endswith("json")
        else _FILE
    )
    for media in sorted({fmt.content_type.split(";")[0] for fmt in FORMATS.values()})
}


def export_http_response(
    *,
    project: Project,
    fmt_name: str,
    filters: ExportFilters,
    exported_by: str,
    base_url: str,
    stem: str,
) -> StreamingHttpResponse:
    """The export streamed as a file download (shared by the API and the admin).

    Precondition: the caller may export the project and the filters were checked.
    """
    fmt = FORMATS[fmt_name]
    export = export_build(
        project=project,
        filters=filters,
        exported_by=exported_by,
        base_url=base_url.rstrip("/"),
        history=fmt.history,
    )
    response = StreamingHttpResponse(encode(fmt.write(export)), content_type=fmt.content_type)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-") or "export"
    response["Content-Disposition"] = f'attachment; filename="{safe}.{fmt.extension}"'
    # Verdicts are not for shared caches; the page may be reloaded for a fresh copy.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class ProjectExportView(ProjectScopedView):
    """Download the project's final verdicts in one format, narrowed by status, label and the
    documents' publication dates; a large export runs as a background job (202)."""

    permission_classes = [IsAuthenticated, IsProjectLead]
    content_negotiation_class = _FormatIsOurs

    @extend_schema(
        operation_id="project_export",
        parameters=[
            _FORMAT_PARAMETER,
            OpenApiParameter("status", str, enum=DocumentStatus.values, description="Filter."),
            OpenApiParameter("label", str, description="Only final spans with this label."),
            OpenApiParameter("published_from", OpenApiTypes.DATE, description="On or after."),
            OpenApiParameter("published_to", OpenApiTypes.DATE, description="On or before."),
        ],
        responses={
            **_FILES,
            202: OpenApiResponse(
                JobOutputSerializer,
                description="Over FACTCHECK_EXPORT_INLINE_MAX_DOCUMENTS documents: a background "
                "job; poll its `url`, then download from its `download_url`.",
            ),
            **errors(400, 401, 403, 404),
        },
    )
    def get(self, request: Request, project_id: int) -> StreamingHttpResponse | Response:
        project = self.get_project()
        data = ExportInputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        filters = ExportFilters(
            status=values.get("status") or "",
            label=values.get("label") or "",
            published_from=values.get("published_from"),
            published_to=values.get("published_to"),
        )
        export_filters_check(project=project, filters=filters)
        documents = export_documents(project=project, filters=filters).count()
        if documents > settings.FACTCHECK_EXPORT_INLINE_MAX_DOCUMENTS:
            job = export_job_create(
                project=project,
                fmt_name=values["format"],
                filters=filters,
                created_by=caller(request),
                base_url=request.build_absolute_uri("/"),
            )
            return job_response(job, status=status.HTTP_202_ACCEPTED)
        return export_http_response(
            project=project,
            fmt_name=values["format"],
            filters=filters,
            exported_by=caller(request).get_username(),
            base_url=request.build_absolute_uri("/"),
            stem=f"{project.name}-verdicts",
        )


class DocumentExportView(APIView):
    """Download one document's final verdicts (and its reviews and disputes) in one format."""

    permission_classes = [IsAuthenticated, IsProjectLead]
    content_negotiation_class = _FormatIsOurs

    class DocumentExportInputSerializer(serializers.Serializer[Any]):
        format = serializers.ChoiceField(choices=sorted(FORMATS))

    @extend_schema(
        operation_id="document_export",
        parameters=[_FORMAT_PARAMETER],
        responses={**_FILES, **errors(400, 401, 403, 404)},
    )
    def get(self, request: Request, document_id: int) -> StreamingHttpResponse:
        document = document_get(user=request.user, document_id=document_id)
        self.check_object_permissions(request, document)
        data = self.DocumentExportInputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        return export_http_response(
            project=document.project,
            fmt_name=data.validated_data["format"],
            filters=ExportFilters(document_ids=(document.pk,)),
            exported_by=caller(request).get_username(),
            base_url=request.build_absolute_uri("/"),
            stem=f"document-{document.pk}",
        )
