"""Spans and their evidence links, on one's own open assignment."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations import services
from annotations.api.common import caller, errors, explaining_not_your_assignment
from annotations.api.outputs import (
    EvidenceCreatedOutputSerializer,
    SpanCreatedOutputSerializer,
    SpanOutputSerializer,
    VersionOutputSerializer,
)
from annotations.models import Assignment, EvidenceStance
from annotations.permissions import IsAssignmentOwner
from annotations.selectors import evidence_get, span_get


class _VersionQuerySerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        min_value=1, help_text="The assignment version this write is based on."
    )


# The query serializer itself documents the parameter, so the schema says what the code
# checks (`minimum: 1`), not just "an integer".
_VERSION_PARAMETER = _VersionQuerySerializer


def _version_from_query(request: Request) -> int:
    data = _VersionQuerySerializer(data=request.query_params)
    data.is_valid(raise_exception=True)
    return int(data.validated_data["version"])


class SpanCreateView(APIView):
    """Mark a span on your open assignment; the server fills quote, prefix and suffix."""

    permission_classes = [IsAuthenticated, IsAssignmentOwner]

    class SpanCreateItemSerializer(serializers.Serializer[Any]):
        start = serializers.IntegerField(help_text="Code point offset, inclusive.")
        end = serializers.IntegerField(help_text="Code point offset, exclusive.")
        # DRF's metaclass takes declared fields off the class; the names are safe.
        label = serializers.CharField(  # type: ignore[assignment]
            help_text="One of the project's label values."
        )
        quote = serializers.CharField(
            required=False, trim_whitespace=False, help_text="If sent, must match the text."
        )
        source = serializers.CharField(  # type: ignore[assignment]
            required=False, allow_blank=True, max_length=300
        )
        note = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
        suggestion = serializers.IntegerField(
            required=False, allow_null=True, help_text="The suggestion this span accepts."
        )

    class SpanCreateInputSerializer(SpanCreateItemSerializer):
        version = serializers.IntegerField(required=False, min_value=1)

    @extend_schema(
        operation_id="span_create",
        request=SpanCreateInputSerializer,
        responses={201: SpanOutputSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, assignment_id: int) -> Response:
        data = self.SpanCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with explaining_not_your_assignment(self, request, assignment_id):
            span = services.span_create(
                assignment=Assignment(pk=assignment_id),
                actor=caller(request),
                **data.validated_data,
            )
        return Response(SpanCreatedOutputSerializer(span).data, status=status.HTTP_201_CREATED)


class SpanBatchCreateView(APIView):
    """Mark several spans on your open assignment in one write: all of them or none.

    The assignment's version rises once. A wrong item is named by its place, e.g. `spans.2.start`.
    """

    permission_classes = [IsAuthenticated, IsAssignmentOwner]

    class SpanBatchInputSerializer(serializers.Serializer[Any]):
        spans = serializers.ListField(
            child=SpanCreateView.SpanCreateItemSerializer(), min_length=1, max_length=500
        )
        version = serializers.IntegerField(required=False, min_value=1)

    class SpanBatchOutputSerializer(serializers.Serializer[Any]):
        spans = SpanOutputSerializer(many=True)
        assignment_version = serializers.IntegerField()

    @extend_schema(
        operation_id="span_create_batch",
        request=SpanBatchInputSerializer,
        responses={201: SpanBatchOutputSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, assignment_id: int) -> Response:
        data = self.SpanBatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with explaining_not_your_assignment(self, request, assignment_id):
            spans = services.spans_create(
                assignment=Assignment(pk=assignment_id),
                actor=caller(request),
                **data.validated_data,
            )
        body = {
            "spans": SpanCreatedOutputSerializer(spans, many=True).data,
            "assignment_version": spans[0].assignment.version,
        }
        return Response(body, status=status.HTTP_201_CREATED)


class SpanDetailView(APIView):
    """Read, change or delete one span (changes only on your own open assignment)."""

    class SpanUpdateInputSerializer(serializers.Serializer[Any]):
        version = serializers.IntegerField(min_value=1, help_text="The version you based this on.")
        start = serializers.IntegerField(required=False)
        end = serializers.IntegerField(required=False)
        label = serializers.CharField(required=False)  # type: ignore[assignment]
        quote = serializers.CharField(required=False, trim_whitespace=False)
        # DRF's metaclass takes declared fields off the class; the names are safe.
        source = serializers.CharField(  # type: ignore[assignment]
            required=False, allow_blank=True, max_length=300
        )
        note = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)

    def get_permissions(self) -> list[Any]:
        if self.request.method == "GET":
            return [IsAuthenticated()]
        return [IsAuthenticated(), IsAssignmentOwner()]

    @extend_schema(responses={200: SpanOutputSerializer, **errors(401, 404)})
    def get(self, request: Request, span_id: int) -> Response:
        return Response(SpanOutputSerializer(span_get(user=request.user, span_id=span_id)).data)

    @extend_schema(
        operation_id="span_update",
        request=SpanUpdateInputSerializer,
        responses={200: SpanOutputSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def patch(self, request: Request, span_id: int) -> Response:
        span = span_get(user=request.user, span_id=span_id)
        self.check_object_permissions(request, span)
        data = self.SpanUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = services.span_update(span=span, actor=caller(request), **data.validated_data)
        return Response(SpanOutputSerializer(updated).data)

    @extend_schema(
        operation_id="span_delete",
        parameters=[_VERSION_PARAMETER],
        responses={200: VersionOutputSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def delete(self, request: Request, span_id: int) -> Response:
        span = span_get(user=request.user, span_id=span_id)
        self.check_object_permissions(request, span)
        version = services.span_delete(
            span=span, actor=caller(request), version=_version_from_query(request)
        )
        return Response({"assignment_version": version})


class EvidenceCreateView(APIView):
    """Attach an evidence link (http or https) to a span of your open assignment."""

    permission_classes = [IsAuthenticated, IsAssignmentOwner]

    class EvidenceCreateInputSerializer(serializers.Serializer[Any]):
        url = serializers.CharField(max_length=2000, help_text="An http:// or https:// address.")
        stance = serializers.ChoiceField(choices=EvidenceStance.choices)
        title = serializers.CharField(required=False, allow_blank=True, max_length=500)
        quoted_passage = serializers.CharField(
            required=False, allow_blank=True, trim_whitespace=False
        )
        version = serializers.IntegerField(required=False, min_value=1)

    @extend_schema(
        operation_id="evidence_create",
        request=EvidenceCreateInputSerializer,
        responses={201: EvidenceCreatedOutputSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, span_id: int) -> Response:
        span = span_get(user=request.user, span_id=span_id)
        self.check_object_permissions(request, span)
        data = self.EvidenceCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        link = services.evidence_add(span=span, actor=caller(request), **data.validated_data)
        return Response(EvidenceCreatedOutputSerializer(link).data, status=status.HTTP_201_CREATED)


class EvidenceDetailView(APIView):
    """Remove an evidence link from a span of your open assignment."""

    permission_classes = [IsAuthenticated, IsAssignmentOwner]

    @extend_schema(
        operation_id="evidence_delete",
        parameters=[_VERSION_PARAMETER],
        responses={200: VersionOutputSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def delete(self, request: Request, evidence_id: int) -> Response:
        link = evidence_get(user=request.user, evidence_id=evidence_id)
        self.check_object_permissions(request, link)
        version = services.evidence_delete(
            link=link, actor=caller(request), version=_version_from_query(request)
        )
        return Response({"assignment_version": version})
