"""Output serializers for adjudication: decisions and final verdicts (shared by the views)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from annotations.models import Resolution


class DecisionOutputSerializer(serializers.ModelSerializer[Resolution]):
    """A lead's decision: a dispute's resolution or an agreed span's rating."""

    lead = serializers.CharField(source="lead.username", read_only=True)
    rating = serializers.CharField(source="claim_rating", read_only=True)

    class Meta:
        model = Resolution
        fields = [
            "id",
            "kind",
            "document",
            "round",
            "dispute",
            "no_span",
            "start",
            "end",
            "label",
            "source",
            "rating",
            "rationale",
            "lead",
            "supersedes",
            "created_at",
        ]


class EvidenceRecordSerializer(serializers.Serializer[Any]):
    url = serializers.CharField()
    stance = serializers.CharField()
    title = serializers.CharField()
    quoted_passage = serializers.CharField()
    added_by = serializers.CharField(help_text="Username of the reviewer who added it.")


class ReviewerVersionSerializer(serializers.Serializer[Any]):
    reviewer = serializers.CharField()
    # DRF's metaclass takes declared fields off the class; the names are safe.
    label = serializers.CharField(  # type: ignore[assignment]
        help_text='"" when this reviewer marked nothing here.'
    )
    start = serializers.IntegerField(allow_null=True)
    end = serializers.IntegerField(allow_null=True)
    source = serializers.CharField()  # type: ignore[assignment]
    note = serializers.CharField()


class VerdictOutputSerializer(serializers.Serializer[Any]):
    """One final span of an accepted document."""

    document_id = serializers.IntegerField()
    start = serializers.IntegerField(help_text="Code points, inclusive.")
    end = serializers.IntegerField(help_text="Code points, exclusive.")
    quote = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    source = serializers.CharField()  # type: ignore[assignment]
    rating = serializers.CharField(
        help_text='"" or supported/contradicted/unverifiable/misleading.'
    )
    rationale = serializers.CharField()
    provenance = serializers.ChoiceField(choices=["agreed", "resolved"])
    decided_by = serializers.CharField(help_text="The lead, for resolved or rated spans.")
    decided_at = serializers.DateTimeField(allow_null=True)
    reviewers = ReviewerVersionSerializer(many=True)
    evidence = EvidenceRecordSerializer(many=True)
    dispute_id = serializers.IntegerField(allow_null=True)
    resolution_id = serializers.IntegerField(
        allow_null=True, help_text="The latest decision (resolution or rating) behind it."
    )


class DocumentVerdictsOutputSerializer(serializers.Serializer[Any]):
    document = serializers.IntegerField()
    status = serializers.CharField()
    round = serializers.IntegerField()
    verdicts = VerdictOutputSerializer(
        many=True, help_text="Empty unless the document is accepted."
    )
