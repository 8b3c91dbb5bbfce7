"""The review queue and assignments: claim next, list, read, release (skip), submit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations import services
from annotations.api.common import (
    ProjectScopedView,
    caller,
    errors,
    explaining_not_your_assignment,
)
from annotations.api.outputs import (
    AssignmentDetailOutputSerializer,
    AssignmentOutputSerializer,
    assignment_data,
    assignment_detail_data,
)
from annotations.models import Assignment, AssignmentState, Span
from annotations.permissions import IsAssignmentOwner, IsProjectMember
from annotations.selectors import assignment_get, assignment_review_material, assignments_visible


def _detail(request: Request, assignment_id: int) -> dict[str, Any]:
    assignment = assignment_get(user=request.user, assignment_id=assignment_id, detail=True)
    return AssignmentDetailOutputSerializer(assignment).data


class QueueNextView(ProjectScopedView):
    """Claim the next document of the project, or get back the one you hold."""

    permission_classes = [IsAuthenticated, IsProjectMember]

    @extend_schema(
        operation_id="queue_next",
        request=None,
        responses={
            201: OpenApiResponse(
                AssignmentDetailOutputSerializer, "A new assignment (or your expired one revived)."
            ),
            200: OpenApiResponse(
                AssignmentDetailOutputSerializer,
                "The open assignment you already hold; its lease is renewed.",
            ),
            204: OpenApiResponse(None, "Nothing left for you to review in this project."),
            **errors(401, 404),
        },
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = self.get_project()
        claim = services.assignment_claim_next(project=project, reviewer=caller(request))
        if claim is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        # The claim is the caller's own: answer with it as it is, without looking it up again.
        zones: Sequence[Mapping[str, Any]]
        suggestions: Sequence[Mapping[str, Any]]
        spans: list[Span]
        if claim.zones is not None and claim.suggestions is not None:
            zones, suggestions, spans = claim.zones, claim.suggestions, []
        else:
            zones, suggestions, spans = assignment_review_material(
                claim.assignment, new=claim.created
            )
        return Response(
            assignment_detail_data(
                claim.assignment, zones=zones, suggestions=suggestions, spans=spans
            ),
            status=status.HTTP_201_CREATED if claim.created else status.HTTP_200_OK,
        )


class ProjectAssignmentsView(ProjectScopedView, ListAPIView[Assignment]):
    """Assignments of the project: your own, or everyone's for leads and admins."""

    permission_classes = [IsAuthenticated, IsProjectMember]
    serializer_class = AssignmentOutputSerializer

    class AssignmentFilterSerializer(serializers.Serializer[Any]):
        state = serializers.ChoiceField(
            choices=AssignmentState.choices, required=False, allow_blank=True, help_text="Filter."
        )

    def get_queryset(self) -> Any:
        # The project first: a project the caller may not see is 404 whatever the filters.
        project = self.get_project()
        filters = self.AssignmentFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        assignments = assignments_visible(user=self.request.user).filter(project=project)
        state = filters.validated_data.get("state")
        if state:
            assignments = assignments.filter(state=state)
        return assignments.order_by("-claimed_at", "-id")

    @extend_schema(
        parameters=[AssignmentFilterSerializer],
        responses={200: AssignmentOutputSerializer(many=True), **errors(400, 401, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class AssignmentDetailView(APIView):
    """One assignment with its document and its own spans."""

    @extend_schema(responses={200: AssignmentDetailOutputSerializer, **errors(401, 404)})
    def get(self, request: Request, assignment_id: int) -> Response:
        return Response(_detail(request, assignment_id))


class AssignmentReleaseView(APIView):
    """Give the document back (skip it); you will not be handed it again."""

    permission_classes = [IsAuthenticated, IsAssignmentOwner]

    class ReleaseInputSerializer(serializers.Serializer[Any]):
        version = serializers.IntegerField(
            required=False, min_value=1, help_text="The version you based this on (optional)."
        )

    @extend_schema(
        operation_id="assignment_release",
        request=ReleaseInputSerializer,
        responses={200: AssignmentOutputSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, assignment_id: int) -> Response:
        data = self.ReleaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with explaining_not_your_assignment(self, request, assignment_id):
            released = services.assignment_release(
                assignment=Assignment(pk=assignment_id),
                actor=caller(request),
                version=data.validated_data.get("version"),
            )
        return Response(assignment_data(released))


class AssignmentSubmitView(APIView):
    """Submit your review; it is frozen from then on."""

    permission_classes = [IsAuthenticated, IsAssignmentOwner]

    class SubmitInputSerializer(serializers.Serializer[Any]):
        version = serializers.IntegerField(min_value=1, help_text="The version you based this on.")
        nothing_to_mark = serializers.BooleanField(
            default=False, help_text="Required (true) to submit without any span."
        )

    @extend_schema(
        operation_id="assignment_submit",
        request=SubmitInputSerializer,
        responses={200: AssignmentOutputSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, assignment_id: int) -> Response:
        data = self.SubmitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with explaining_not_your_assignment(self, request, assignment_id):
            submitted = services.assignment_submit(
                assignment=Assignment(pk=assignment_id),
                actor=caller(request),
                **data.validated_data,
            )
        return Response(assignment_data(submitted))
