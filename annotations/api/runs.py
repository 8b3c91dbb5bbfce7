"""Pre-annotation runs: their state and progress, visible to every member of the project."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from annotations.api.common import ProjectScopedView, errors
from annotations.models import PreannotationRun
from annotations.permissions import IsProjectMember
from annotations.selectors import run_get, runs_visible


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
