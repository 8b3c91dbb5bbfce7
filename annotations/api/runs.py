"""Pre-annotation runs: their state and progress, visible to every member of the project."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from annotations import services
from annotations.api.common import ProjectScopedView, caller, errors
from annotations.api.jobs import JobOutputSerializer, job_response
from annotations.models import PreannotationRun
from annotations.permissions import IsProjectLead, IsProjectMember
from annotations.selectors import run_get, runs_visible

# The largest value of a BigAutoField primary key.
MAX_ID = 2**63 - 1


class RunOutputSerializer(serializers.ModelSerializer[PreannotationRun]):
    progress = serializers.FloatField(read_only=True, help_text="Share finished, 0 to 1.")

    class Meta:
        model = PreannotationRun
        fields = [
            "id",
            "project",
            "engine",
            "engine_version",
            "state",
            "force",
            "documents_total",
            "documents_done",
            "documents_failed",
            "progress",
            "error",
            "requested_by",
            "job",
            "created_at",
            "started_at",
            "finished_at",
        ]


class RunListView(ProjectScopedView, ListAPIView[PreannotationRun]):
    """The project's pre-annotation runs, newest first."""

    permission_classes = [IsAuthenticated, IsProjectMember]
    serializer_class = RunOutputSerializer

    def get_queryset(self) -> QuerySet[PreannotationRun]:
        return runs_visible(project=self.get_project())

    @extend_schema(responses={200: RunOutputSerializer(many=True), **errors(401, 404)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class RunDetailView(ProjectScopedView):
    """One run: state (queued, running, done, failed), progress and error."""

    permission_classes = [IsAuthenticated, IsProjectMember]

    @extend_schema(responses={200: RunOutputSerializer, **errors(401, 404)})
    def get(self, request: Request, project_id: int, run_id: int) -> Response:
        run = run_get(project=self.get_project(), run_id=run_id)
        return Response(RunOutputSerializer(run).data)


class PreannotateView(ProjectScopedView):
    """Start pre-annotating (all documents, or the ones listed); leads and admins only.

    Always a background job, whatever the number of documents: the answer is 202 with the
    job (its `url` and the `Location` header poll it); the job starts a run, follows its
    progress and ends with the run's counts and failures. Reviewers' work is never touched;
    re-running replaces the engine's own suggestions.
    """

    permission_classes = [IsAuthenticated, IsProjectLead]

    class PreannotateInputSerializer(serializers.Serializer[Any]):
        document_ids = serializers.ListField(
            # Bounded by the id column (bigint): SQLite raises OverflowError on a larger value
            # in an IN list (Django guards only `exact` lookups against that).
            child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
            required=False,
            allow_empty=False,
            max_length=100_000,
            help_text="Documents of this project to pre-annotate; omit for all of them.",
        )
        force = serializers.BooleanField(
            default=False, help_text="Re-run documents this engine version already annotated."
        )

    @extend_schema(
        operation_id="preannotate",
        request=PreannotateInputSerializer,
        responses={202: JobOutputSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = self.get_project()
        data = self.PreannotateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.preannotation_job_request(
            project=project,
            document_ids=data.validated_data.get("document_ids"),
            force=data.validated_data["force"],
            requested_by=caller(request),
        )
        return job_response(job, status=status.HTTP_202_ACCEPTED)
