"""Output serializers shared by several endpoints (a view's own ones are nested in the view)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from rest_framework import serializers

from annotations.models import (
    Assignment,
    Document,
    EvidenceLink,
    Label,
    Project,
    Span,
    Suggestion,
    Zone,
)


class LabelOutputSerializer(serializers.ModelSerializer[Label]):
    class Meta:
        model = Label
        fields = ["value", "name", "color", "hotkey", "description"]


class ProjectOutputSerializer(serializers.ModelSerializer[Project]):
    labels = LabelOutputSerializer(many=True, read_only=True)
    role = serializers.SerializerMethodField(help_text="Your role in the project.")

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "description",
            "reviews_required",
            "lease_minutes",
            "dispute_tolerance",
            "labels",
            "role",
            "created_at",
        ]

    def get_role(self, project: Project) -> str | None:
        roles: dict[int, str | None] = self.context.get("roles", {})
        return roles.get(project.pk)


class ZoneOutputSerializer(serializers.ModelSerializer[Zone]):
    class Meta:
        model = Zone
        fields = ["id", "kind", "start", "end", "engine", "engine_version"]


class SuggestionOutputSerializer(serializers.ModelSerializer[Suggestion]):
    class Meta:
        model = Suggestion
        fields = [
            "id",
            "start",
            "end",
            "label",
            "reason",
            "confidence",
            "source_name",
            "engine",
            "engine_version",
        ]


class DocumentSummaryOutputSerializer(serializers.ModelSerializer[Document]):
    class Meta:
        model = Document
        fields = [
            "id",
            "project",
            "title",
            "source_url",
            "author",
            "outlet",
            "published_on",
            "status",
            "priority",
            "created_at",
        ]


class DocumentDetailOutputSerializer(serializers.ModelSerializer[Document]):
    zones = ZoneOutputSerializer(many=True, read_only=True)
    suggestions = SuggestionOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Document
        fields = [
            *DocumentSummaryOutputSerializer.Meta.fields,
            "text",
            "text_sha256",
            "metadata",
            "zones",
            "suggestions",
        ]


class EvidenceOutputSerializer(serializers.ModelSerializer[EvidenceLink]):
    class Meta:
        model = EvidenceLink
        fields = ["id", "span", "url", "title", "stance", "quoted_passage", "added_at"]


class EvidenceCreatedOutputSerializer(EvidenceOutputSerializer):
    """An evidence link just added, with the version the write raised the assignment to."""

    assignment_version = serializers.IntegerField(
        source="span.assignment.version",
        read_only=True,
        help_text="The assignment's version after this write; send it with the next one.",
    )

    class Meta(EvidenceOutputSerializer.Meta):
        fields = [*EvidenceOutputSerializer.Meta.fields, "assignment_version"]


class SpanOutputSerializer(serializers.ModelSerializer[Span]):
    evidence = EvidenceOutputSerializer(many=True, read_only=True)
    assignment_version = serializers.IntegerField(
        source="assignment.version",
        read_only=True,
        help_text="The assignment's version after this write; send it with the next one.",
    )

    class Meta:
        model = Span
        fields = [
            "id",
            "assignment",
            "start",
            "end",
            "quote",
            "prefix",
            "suffix",
            "label",
            "source",
            "note",
            "suggestion",
            "evidence",
            "assignment_version",
            "created_at",
            "updated_at",
        ]


class SpanCreatedOutputSerializer(SpanOutputSerializer):
    """A span just created: it has no evidence yet, so none is looked up."""

    evidence = serializers.SerializerMethodField()  # type: ignore[assignment]

    def get_evidence(self, span: Span) -> list[dict[str, Any]]:
        return []


class AssignmentOutputSerializer(serializers.ModelSerializer[Assignment]):
    class Meta:
        model = Assignment
        fields = [
            "id",
            "project",
            "document",
            "reviewer",
            "state",
            "slot",
            "claimed_at",
            "lease_expires_at",
            "submitted_at",
            "nothing_to_mark",
            "version",
        ]


class SpanInAssignmentOutputSerializer(SpanOutputSerializer):
    class Meta(SpanOutputSerializer.Meta):
        fields = [f for f in SpanOutputSerializer.Meta.fields if f != "assignment_version"]


class AssignmentDetailOutputSerializer(serializers.ModelSerializer[Assignment]):
    """An assignment with everything the review page needs: the document's text, zones and
    suggestions, and this assignment's own spans with their evidence (never anyone else's)."""

    document = DocumentDetailOutputSerializer(read_only=True)
    spans = SpanInAssignmentOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Assignment
        fields = [*AssignmentOutputSerializer.Meta.fields, "spans"]


# The claim answers with a whole review page's material, on the hottest endpoint of the loop:
# built as plain data it costs a fraction of the nested serializers above (which still describe
# it in the schema). tests/test_api_review_loop checks that both give the same JSON.
_DATETIME = serializers.DateTimeField()
_DATE = serializers.DateField()


def _datetime(value: datetime.datetime | None) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


# The plain answers carry exactly the serializers' fields, which describe them in the schema.
_ZONE_FIELDS = tuple(ZoneOutputSerializer.Meta.fields)
_SUGGESTION_FIELDS = tuple(SuggestionOutputSerializer.Meta.fields)


def assignment_data(assignment: Assignment) -> dict[str, Any]:
    """What AssignmentOutputSerializer gives, for the loop's submit (and release)."""
    return {
        "id": assignment.pk,
        "project": assignment.project_id,
        "document": assignment.document_id,
        "reviewer": assignment.reviewer_id,
        "state": assignment.state,
        "slot": assignment.slot,
        "claimed_at": _DATETIME.to_representation(assignment.claimed_at),
        "lease_expires_at": _DATETIME.to_representation(assignment.lease_expires_at),
        "submitted_at": _datetime(assignment.submitted_at),
        "nothing_to_mark": assignment.nothing_to_mark,
        "version": assignment.version,
    }


def assignment_detail_data(
    assignment: Assignment,
    *,
    zones: Sequence[Mapping[str, Any]],
    suggestions: Sequence[Mapping[str, Any]],
    spans: list[Span],
) -> dict[str, Any]:
    """What AssignmentDetailOutputSerializer gives for `assignment`, whose document is loaded,
    with the document's zones and suggestions as rows of their output fields (in order)."""
    document = assignment.document
    return {
        **assignment_data(assignment),
        "document": {
            "id": document.pk,
            "project": document.project_id,
            "title": document.title,
            "source_url": document.source_url,
            "author": document.author,
            "outlet": document.outlet,
            "published_on": None
            if document.published_on is None
            else _DATE.to_representation(document.published_on),
            "status": document.status,
            "priority": document.priority,
            "created_at": _DATETIME.to_representation(document.created_at),
            "text": document.text,
            "text_sha256": document.text_sha256,
            "metadata": document.metadata,
            "zones": [{field: zone[field] for field in _ZONE_FIELDS} for zone in zones],
            "suggestions": [
                {field: suggestion[field] for field in _SUGGESTION_FIELDS}
                for suggestion in suggestions
            ],
        },
        "spans": SpanInAssignmentOutputSerializer(spans, many=True).data if spans else [],
    }


class VersionOutputSerializer(serializers.Serializer[Any]):
    assignment_version = serializers.IntegerField(
        help_text="The assignment's version after this write."
    )
