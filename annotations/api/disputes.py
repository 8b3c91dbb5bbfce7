"""Disputes: the queue of a project's disputes, one dispute side by side, and resolving it.

Leads and admins only. A project's reviewers get 403 (they can see the project, never the
disputes: review is blind before and after submitting); everyone else gets 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations import services
from annotations.api.common import ProjectScopedView, caller, errors
from annotations.api.verdicts import DecisionOutputSerializer
from annotations.models import ClaimRating, Dispute, DisputeKind, DisputeStatus
from annotations.permissions import IsProjectLead
from annotations.selectors import dispute_detail, dispute_get, disputes_visible


class DisputeOutputSerializer(serializers.ModelSerializer[Dispute]):
    quote = serializers.CharField(read_only=True, help_text="The text the dispute covers.")
    document_title = serializers.CharField(read_only=True)

    class Meta:
        model = Dispute
        fields = [
            "id",
            "document",
            "document_title",
            "round",
            "start",
            "end",
            "quote",
            "kind",
            "status",
            "version",
            "created_at",
        ]


class DisputeDetailOutputSerializer(serializers.Serializer[Any]):
    """A dispute with everything needed to settle it."""

    class DocumentRefSerializer(serializers.Serializer[Any]):
        id = serializers.IntegerField()
        title = serializers.CharField()
        status = serializers.CharField()
        round = serializers.IntegerField()

    class VersionSerializer(serializers.Serializer[Any]):
        class SpanSerializer(serializers.Serializer[Any]):
            class EvidenceSerializer(serializers.Serializer[Any]):
                url = serializers.CharField()
                stance = serializers.CharField()
                title = serializers.CharField()
                quoted_passage = serializers.CharField()
                added_by = serializers.CharField()

            id = serializers.IntegerField()
            start = serializers.IntegerField()
            end = serializers.IntegerField()
            quote = serializers.CharField()
            # DRF's metaclass takes declared fields off the class; the names are safe.
            label = serializers.CharField()  # type: ignore[assignment]
            source = serializers.CharField()  # type: ignore[assignment]
            note = serializers.CharField()
            suggestion = serializers.IntegerField(allow_null=True)
            evidence = EvidenceSerializer(many=True)

        reviewer = serializers.CharField()
        nothing_to_mark = serializers.BooleanField(
            help_text="Submitted with nothing marked anywhere in the document."
        )
        spans = SpanSerializer(many=True, help_text="Empty: marked nothing here.")

    class SuggestionSerializer(serializers.Serializer[Any]):
        id = serializers.IntegerField()
        start = serializers.IntegerField()
        end = serializers.IntegerField()
        label = serializers.CharField()  # type: ignore[assignment]
        source_name = serializers.CharField()
        reason = serializers.CharField()
        confidence = serializers.FloatField()
        engine = serializers.CharField()
        engine_version = serializers.CharField()

    class ResolutionRowSerializer(serializers.Serializer[Any]):
        id = serializers.IntegerField()
        kind = serializers.CharField()
        no_span = serializers.BooleanField()
        start = serializers.IntegerField(allow_null=True)
        end = serializers.IntegerField(allow_null=True)
        label = serializers.CharField()  # type: ignore[assignment]
        source = serializers.CharField()  # type: ignore[assignment]
        rating = serializers.CharField()
        rationale = serializers.CharField()
        lead = serializers.CharField()
        supersedes = serializers.IntegerField(allow_null=True)
        created_at = serializers.DateTimeField()

    id = serializers.IntegerField()
    document = DocumentRefSerializer()
    round = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=DisputeKind.choices)
    status = serializers.ChoiceField(choices=DisputeStatus.choices)
    version = serializers.IntegerField(help_text="Send it with a resolve.")
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    quote = serializers.CharField()
    context_before = serializers.CharField()
    context_after = serializers.CharField()
    context_start = serializers.IntegerField(help_text="Offset where context_before starts.")
    versions = VersionSerializer(many=True, help_text="Each reviewer of the round, by name.")
    suggestions = SuggestionSerializer(many=True, help_text="Pre-annotations that lay here.")
    resolutions = ResolutionRowSerializer(many=True, help_text="Every decision, oldest first.")
    created_at = serializers.DateTimeField()


class ProjectDisputesView(ProjectScopedView, ListAPIView[Dispute]):
    """The project's disputes, oldest first, filtered by status, kind, label or document."""

    permission_classes = [IsAuthenticated, IsProjectLead]
    serializer_class = DisputeOutputSerializer

    class DisputeFilterSerializer(serializers.Serializer[Any]):
        status = serializers.ChoiceField(
            choices=DisputeStatus.choices, required=False, allow_blank=True
        )
        kind = serializers.ChoiceField(
            choices=DisputeKind.choices, required=False, allow_blank=True
        )
        label = serializers.SlugField(  # type: ignore[assignment]
            required=False, allow_blank=True, max_length=50
        )
        document = serializers.IntegerField(required=False, min_value=1)

    def get_queryset(self) -> QuerySet[Dispute]:
        # The project first: a project the caller may not see is 404 whatever the filters.
        project = self.get_project()
        filters = self.DisputeFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return disputes_visible(
            project=project,
            status=data.get("status") or None,
            kind=data.get("kind") or None,
            label=data.get("label") or None,
            document=data.get("document"),
        )

    @extend_schema(
        operation_id="disputes_list",
        parameters=[
            OpenApiParameter("status", str, enum=DisputeStatus.values, description="Filter."),
            OpenApiParameter("kind", str, enum=DisputeKind.values, description="Filter."),
            OpenApiParameter("label", str, description="Disputes where a reviewer used it."),
            OpenApiParameter("document", int, description="Disputes of one document."),
        ],
        responses={200: DisputeOutputSerializer(many=True), **errors(400, 401, 403, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


def _lead_dispute(view: APIView, request: Request, dispute_id: int) -> Dispute:
    dispute = dispute_get(user=request.user, dispute_id=dispute_id)
    view.check_object_permissions(request, dispute.document)
    return dispute


class DisputeDetailView(APIView):
    """One dispute: the text around it, each reviewer's version side by side, suggestions."""

    permission_classes = [IsAuthenticated, IsProjectLead]

    @extend_schema(
        operation_id="dispute_detail",
        responses={200: DisputeDetailOutputSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: Request, dispute_id: int) -> Response:
        dispute = _lead_dispute(self, request, dispute_id)
        return Response(DisputeDetailOutputSerializer(dispute_detail(dispute=dispute)).data)


class DisputeResolveView(APIView):
    """Settle a dispute: the final span or no span, and why. A later resolve supersedes."""

    permission_classes = [IsAuthenticated, IsProjectLead]

    class ResolveInputSerializer(serializers.Serializer[Any]):
        no_span = serializers.BooleanField(
            default=False, help_text="True: the verdict is that nothing is marked here."
        )
        start = serializers.IntegerField(
            required=False, allow_null=True, min_value=0, help_text="Code points, inclusive."
        )
        end = serializers.IntegerField(
            required=False, allow_null=True, min_value=0, help_text="Code points, exclusive."
        )
        label = serializers.CharField(  # type: ignore[assignment]
            required=False, allow_blank=True, default="", max_length=50
        )
        source = serializers.CharField(  # type: ignore[assignment]
            required=False, allow_blank=True, default="", max_length=300
        )
        rating = serializers.ChoiceField(
            choices=[("", "none"), *ClaimRating.choices], required=False, default=""
        )
        rationale = serializers.CharField(max_length=5000)
        version = serializers.IntegerField(
            min_value=0, help_text="The dispute's `version` you based this on."
        )

    @extend_schema(
        operation_id="dispute_resolve",
        request=ResolveInputSerializer,
        responses={201: DecisionOutputSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, dispute_id: int) -> Response:
        dispute = _lead_dispute(self, request, dispute_id)
        data = self.ResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resolution = services.dispute_resolve(
            dispute=dispute, actor=caller(request), **data.validated_data
        )
        return Response(DecisionOutputSerializer(resolution).data, status=status.HTTP_201_CREATED)
