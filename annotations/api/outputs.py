"""Output serializers shared by several endpoints (a view's own ones are nested in the view)."""

from __future__ import annotations

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


class VersionOutputSerializer(serializers.Serializer[Any]):
    assignment_version = serializers.IntegerField(
        help_text="The assignment's version after this write."
    )
