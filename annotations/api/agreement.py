"""Agreement figures of a project, and a document's verdicts, ratings and reopening.

Leads and admins only: a project's reviewers get 403, everyone else 404.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations import services
from annotations.api.common import ProjectScopedView, caller, errors
from annotations.api.verdicts import DecisionOutputSerializer, DocumentVerdictsOutputSerializer
from annotations.exceptions import NotFound
from annotations.models import ClaimRating, Document
from annotations.permissions import IsProjectLead
from annotations.selectors import agreement_for_project, projects_visible, verdicts_for_document


class AgreementOutputSerializer(serializers.Serializer[Any]):
    """A project's agreement. Every figure is `{"value", "documents"}` (span scores:
    `{"precision", "recall", "f1", "documents"}`); a figure that rests on nothing is absent."""

    project = serializers.IntegerField()
    documents = serializers.IntegerField(
        help_text="Documents whose current review round is complete and compared."
    )
    documents_by_status = serializers.DictField(child=serializers.IntegerField())
    disputes = serializers.DictField(help_text="open, resolved, withdrawn, and by_kind.")
    alpha = serializers.DictField(
        required=False, help_text="Krippendorff's nominal alpha over characters, with `units`."
    )
    labels = serializers.DictField(
        help_text="Per label: alpha (label vs the rest), span_exact, span_overlap."
    )
    pooled = serializers.DictField(
        required=False, help_text="All reviewer pairs together: kappa, ac1, span_exact/overlap."
    )
    pairs = serializers.ListField(
        child=serializers.DictField(),
        help_text="Per reviewer pair: reviewers, documents, kappa, ac1, span_exact, span_overlap.",
    )
    reviewers = serializers.ListField(
        child=serializers.DictField(),
        help_text="Per reviewer against the final verdicts: spans, verdicts, matched, "
        "survival (matched/spans), verdict_recall (matched/verdicts).",
    )


class ProjectAgreementView(ProjectScopedView):
    """Agreement figures of the project, summed from its documents' stored statistics."""

    permission_classes = [IsAuthenticated, IsProjectLead]

    @extend_schema(
        operation_id="project_agreement",
        responses={200: AgreementOutputSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: Request, project_id: int) -> Response:
        return Response(agreement_for_project(project=self.get_project()))


def _lead_document(view: APIView, request: Request, document_id: int) -> Document:
    document = (
        Document.objects.filter(pk=document_id, project__in=projects_visible(user=request.user))
        .select_related("project")
        .first()
    )
    if document is None:
        raise NotFound("No such document.")
    view.check_object_permissions(request, document)
    return document


class DocumentVerdictsView(APIView):
    """The final verdicts of a document (empty until it is accepted)."""

    permission_classes = [IsAuthenticated, IsProjectLead]

    @extend_schema(
        operation_id="document_verdicts",
        responses={200: DocumentVerdictsOutputSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: Request, document_id: int) -> Response:
        document = _lead_document(self, request, document_id)
        body = {
            "document": document.pk,
            "status": document.status,
            "round": document.review_round,
            "verdicts": verdicts_for_document(document=document),
        }
        return Response(DocumentVerdictsOutputSerializer(body).data)


class DocumentRatingView(APIView):
    """Rate a span all reviewers marked alike; a later rating of it supersedes."""

    permission_classes = [IsAuthenticated, IsProjectLead]

    class RatingInputSerializer(serializers.Serializer[Any]):
        start = serializers.IntegerField(min_value=0, help_text="The agreed span's start.")
        end = serializers.IntegerField(min_value=0, help_text="The agreed span's end.")
        rating = serializers.ChoiceField(choices=ClaimRating.choices)
        rationale = serializers.CharField(max_length=5000)

    @extend_schema(
        operation_id="document_rate",
        request=RatingInputSerializer,
        responses={201: DecisionOutputSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, document_id: int) -> Response:
        document = _lead_document(self, request, document_id)
        data = self.RatingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rating = services.agreed_span_rate(
            document=document, actor=caller(request), **data.validated_data
        )
        return Response(DecisionOutputSerializer(rating).data, status=status.HTTP_201_CREATED)


class DocumentReopenView(APIView):
    """Send a settled or disputed document back for another round of reviews."""

    permission_classes = [IsAuthenticated, IsProjectLead]

    class ReopenInputSerializer(serializers.Serializer[Any]):
        reason = serializers.CharField(max_length=2000)

    class ReopenOutputSerializer(serializers.Serializer[Any]):
        id = serializers.IntegerField()
        status = serializers.CharField()
        review_round = serializers.IntegerField()

    @extend_schema(
        operation_id="document_reopen",
        request=ReopenInputSerializer,
        responses={200: ReopenOutputSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, document_id: int) -> Response:
        document = _lead_document(self, request, document_id)
        data = self.ReopenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reopened = services.document_reopen(
            document=document, actor=caller(request), reason=data.validated_data["reason"]
        )
        return Response(self.ReopenOutputSerializer(reopened).data)
