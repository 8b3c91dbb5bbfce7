"""Documents: list and search, detail with zones and suggestions, create from JSON, upload."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations import services
from annotations.api.common import ProjectScopedView, caller, errors
from annotations.api.jobs import JobOutputSerializer, job_response
from annotations.api.outputs import DocumentDetailOutputSerializer, DocumentSummaryOutputSerializer
from annotations.exceptions import InvalidInput
from annotations.importing import Refusal, parse_record
from annotations.models import Document, DocumentStatus
from annotations.permissions import IsProjectLead, IsProjectMember
from annotations.selectors import document_get, documents_visible
from annotations.services.documents import ImportReport


class ImportReportOutputSerializer(serializers.Serializer[Any]):
    """What an upload did, as the import command reports it."""

    class ImportedSerializer(serializers.Serializer[Any]):
        id = serializers.IntegerField()
        title = serializers.CharField()
        origin = serializers.CharField()

    class DuplicateSerializer(serializers.Serializer[Any]):
        origin = serializers.CharField()
        existing_document_id = serializers.IntegerField()

    class RefusedSerializer(serializers.Serializer[Any]):
        origin = serializers.CharField()
        reason = serializers.CharField()

    imported = ImportedSerializer(many=True)
    duplicates = DuplicateSerializer(many=True)
    refused = RefusedSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())
    summary = serializers.CharField()


def _report_data(report: ImportReport) -> dict[str, Any]:
    return {
        "imported": [
            {"id": d.pk, "title": d.title, "origin": d.metadata.get("origin", "")}
            for d in report.imported
        ],
        "duplicates": [
            {"origin": d.origin, "existing_document_id": d.existing_document_id}
            for d in report.duplicates
        ],
        "refused": [{"origin": r.origin, "reason": r.reason} for r in report.refused],
        "warnings": report.warnings,
        "summary": report.summary(),
    }


class DocumentListView(ProjectScopedView, ListAPIView[Document]):
    """The project's documents (without text), filtered, searched and paginated; leads and
    admins add one from JSON."""

    serializer_class = DocumentSummaryOutputSerializer

    class DocumentCreateInputSerializer(serializers.Serializer[Any]):
        text = serializers.CharField(trim_whitespace=False, allow_blank=True)
        title = serializers.CharField(required=False, allow_blank=True, max_length=500)
        url = serializers.CharField(required=False, allow_blank=True, max_length=2000)
        author = serializers.CharField(required=False, allow_blank=True, max_length=300)
        outlet = serializers.CharField(required=False, allow_blank=True, max_length=300)
        published = serializers.CharField(
            required=False, allow_blank=True, help_text="ISO date, YYYY-MM-DD."
        )

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsAuthenticated(), IsProjectLead()]
        return [IsAuthenticated(), IsProjectMember()]

    class DocumentFilterSerializer(serializers.Serializer[Any]):
        status = serializers.ChoiceField(
            choices=DocumentStatus.choices, required=False, allow_blank=True, help_text="Filter."
        )
        search = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=200,
            help_text="Words in the title, author or outlet.",
        )

    def get_queryset(self) -> QuerySet[Document]:
        # The project first: a project the caller may not see is 404 whatever the filters.
        project = self.get_project()
        filters = self.DocumentFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return documents_visible(
            user=self.request.user,
            project=project,
            role=self.request.__dict__["_factcheck_roles"][project.pk],
            status=filters.validated_data.get("status") or None,
            search=filters.validated_data.get("search") or None,
        )

    @extend_schema(
        # The filter serializer documents the parameters: its choices and length limit.
        parameters=[DocumentFilterSerializer],
        responses={200: DocumentSummaryOutputSerializer(many=True), **errors(400, 401, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="document_create",
        request=DocumentCreateInputSerializer,
        responses={201: DocumentDetailOutputSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = self.get_project()
        data = self.DocumentCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = parse_record(
            "api", dict(data.validated_data), max_bytes=settings.FACTCHECK_IMPORT_MAX_BYTES
        )
        if isinstance(item, Refusal):
            field = item.field or "non_field_errors"
            raise InvalidInput(f"{field}: {item.reason}", fields={field: [item.reason]})
        report = services.documents_import(
            project=project, items=[item], imported_by=caller(request)
        )
        if report.duplicates:
            existing = report.duplicates[0].existing_document_id
            return Response(
                {
                    "code": "duplicate",
                    "message": "A document with the same text is already in this project.",
                    "existing_document_id": existing,
                },
                status=status.HTTP_409_CONFLICT,
            )
        document = document_get(user=request.user, document_id=report.imported[0].pk)
        return Response(
            DocumentDetailOutputSerializer(document).data, status=status.HTTP_201_CREATED
        )


class DocumentUploadView(ProjectScopedView):
    """Upload files (.txt, .md, .html, .json, .jsonl) into the project; leads and admins only.

    One rule decides where the work happens: an upload that fits in one import batch (files
    totalling at most 1 MB, holding at most 500 documents) is imported in the request, in one
    transaction, and answered 200 with the report. Anything larger is stored on disk and
    imported by a background job: the answer is 202 with the job (its `url` and the
    `Location` header poll it), whose report ends the same way. Duplicates and refusals are
    reported, as by the import command; the rest are imported.
    """

    permission_classes = [IsAuthenticated, IsProjectLead]
    parser_classes = [MultiPartParser, FormParser]

    class UploadInputSerializer(serializers.Serializer[Any]):
        files = serializers.ListField(child=serializers.FileField(), allow_empty=False)

    @extend_schema(
        operation_id="documents_upload",
        request={"multipart/form-data": UploadInputSerializer},
        responses={
            200: ImportReportOutputSerializer,
            202: JobOutputSerializer,
            **errors(400, 401, 403, 404),
        },
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = self.get_project()
        data = self.UploadInputSerializer(data={"files": request.FILES.getlist("files")})
        data.is_valid(raise_exception=True)
        uploads = data.validated_data["files"]
        items = services.upload_parse_inline(uploads)
        if items is None:
            job = services.import_job_request(
                project=project, uploads=uploads, created_by=caller(request)
            )
            return job_response(job, status=status.HTTP_202_ACCEPTED)
        refused = [item for item in items if isinstance(item, Refusal)]
        if len(refused) == len(items):
            # Nothing to import: a refusal, answered like any other bad input.
            reasons = [f"{item.origin}: {item.reason}" for item in refused]
            raise InvalidInput(f"files: {reasons[0]}", fields={"files": reasons})
        report = services.documents_import(
            project=project, items=items, imported_by=caller(request)
        )
        return Response(_report_data(report))


class DocumentDetailView(APIView):
    """One document with its text, zones and pre-annotation suggestions."""

    @extend_schema(responses={200: DocumentDetailOutputSerializer, **errors(401, 404)})
    def get(self, request: Request, document_id: int) -> Response:
        document = document_get(user=request.user, document_id=document_id)
        return Response(DocumentDetailOutputSerializer(document).data)
