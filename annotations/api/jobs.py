"""Background jobs: poll one for progress and its report; download a finished export's file."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations import clock
from annotations.api.common import errors
from annotations.exceptions import Forbidden, Gone, WrongState
from annotations.models import Job, JobState
from annotations.selectors import LEAD_ROLES, job_get, job_preannotation_progress, project_role
from annotations.selectors.jobs import PreannotationProgress
from annotations.services.jobs import job_result_file


class PreannotationProgressSerializer(serializers.Serializer[Any]):
    """Describes `selectors.job_preannotation_progress` in the schema."""

    total = serializers.IntegerField()
    done = serializers.IntegerField()
    failed = serializers.IntegerField()
    finished = serializers.BooleanField()


class JobOutputSerializer(serializers.ModelSerializer[Job]):
    """A job's state, progress and report; `url` polls it, `download_url` fetches its file."""

    progress = serializers.SerializerMethodField(help_text="Share done, 0 to 1.")
    url = serializers.SerializerMethodField(help_text="Poll this for progress and the report.")
    download_url = serializers.SerializerMethodField(
        help_text=(
            "The finished job's file until `expires_at` (an export; an import's per-line "
            "report, one JSON object per record); null if none."
        )
    )
    preannotation = serializers.SerializerMethodField(
        help_text=(
            "Imports: the pre-annotation of the imported documents as one, over all batches: "
            "`total`, `done`, `failed`, and `finished` once the import is over and every "
            "document is pre-annotated or failed. Null for other jobs."
        )
    )
    report = serializers.DictField(
        read_only=True,
        help_text=(
            "What the job has committed so far; final once done or failed. Imports: "
            "`counts` of `imported`, `duplicates`, `refused` (with reasons) and `warnings`; "
            "the first 1,000 records of each (`truncated` if there were more: the file at "
            "`download_url` has every record, one per line); `total`; `summary`. "
            "Pre-annotation: `run` and the run's counts."
        ),
    )

    class Meta:
        model = Job
        fields = [
            "id",
            "project",
            "kind",
            "state",
            "progress_done",
            "progress_total",
            "progress",
            "report",
            "error",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "url",
            "download_url",
            "preannotation",
        ]

    def get_progress(self, job: Job) -> float:
        if job.state == JobState.DONE:
            return 1.0
        return job.progress_done / job.progress_total if job.progress_total else 0.0

    @extend_schema_field(PreannotationProgressSerializer(allow_null=True))
    def get_preannotation(self, job: Job) -> PreannotationProgress | None:
        return job_preannotation_progress(job=job)

    def get_url(self, job: Job) -> str:
        return reverse("annotations:job", args=[job.pk])

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download_url(self, job: Job) -> str | None:
        if job.state != JobState.DONE or not job.result_path:
            return None
        return reverse("annotations:job-download", args=[job.pk])


def job_response(job: Job, *, status: int = 200) -> Response:
    """A job in the API's shape, with `Location` pointing at its poll URL (for 202 answers)."""
    data = JobOutputSerializer(job).data
    return Response(data, status=status, headers={"Location": data["url"]})


class JobDetailView(APIView):
    """One background job: state (queued, running, done, failed), progress and report.

    Visible to leads and admins of its project and to whoever started it; 404 to others.
    """

    @extend_schema(responses={200: JobOutputSerializer, **errors(401, 404)})
    def get(self, request: Request, job_id: int) -> Response:
        return job_response(job_get(user=request.user, job_id=job_id))


class JobDownloadView(APIView):
    """A finished job's result file (an export), streamed; leads and admins of its project."""

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, as an attachment."
            ),
            **errors(401, 403, 404, 409, 410),
        }
    )
    def get(self, request: Request, job_id: int) -> FileResponse:
        job = job_get(user=request.user, job_id=job_id)
        if project_role(user=request.user, project_id=job.project_id) not in LEAD_ROLES:
            raise Forbidden("Only leads and admins of the project may download its files.")
        if job.state != JobState.DONE or not (job.result_path or job.expires_at):
            raise WrongState(f"Job {job.pk} has no file to download (it is {job.state}).")
        path = job_result_file(job)
        if path is None or (job.expires_at is not None and job.expires_at <= clock.now()):
            raise Gone(f"The file of job {job.pk} has expired and was removed.")
        # One media type whatever the format, as the schema declares; the name says the rest.
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=path.name,
            content_type="application/octet-stream",
        )
