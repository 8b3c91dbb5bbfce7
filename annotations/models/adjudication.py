"""Disputes between reviewers and the leads' resolutions of them (append-only)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from annotations.models.documents import Document
from annotations.models.review import Span


class DisputeKind(models.TextChoices):
    LABEL = "label", "Labels differ"
    PRESENCE = "presence", "Marked by some reviewers only"
    BOUNDARY = "boundary", "Boundaries differ beyond the tolerance"


class DisputeStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class ClaimRating(models.TextChoices):
    SUPPORTED = "supported", "Supported"
    CONTRADICTED = "contradicted", "Contradicted"
    UNVERIFIABLE = "unverifiable", "Unverifiable"
    MISLEADING = "misleading", "Misleading"


class Dispute(models.Model):
    """A cluster of overlapping spans on which a document's reviewers differ."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="disputes")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=DisputeKind.choices)
    status = models.CharField(
        max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    spans = models.ManyToManyField(Span, related_name="disputes", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="dispute_start_before_end"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="dispute_status_idx")]

    def __str__(self) -> str:
        return f"{self.kind} dispute on {self.document_id} [{self.start}:{self.end}]"


class Resolution(models.Model):
    """A lead's verdict on a dispute. Never edited: a new decision is a new row that supersedes."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="resolutions")
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    no_span = models.BooleanField(
        default=False, help_text="The final verdict is that nothing is marked here."
    )
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    label = models.SlugField(max_length=50, blank=True)
    claim_rating = models.CharField(max_length=15, choices=ClaimRating.choices, blank=True)
    rationale = models.TextField()
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dispute", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(no_span=True, start__isnull=True, end__isnull=True, label="")
                | (
                    Q(no_span=False, start__isnull=False, end__isnull=False)
                    & Q(start__lt=models.F("end"))
                    & ~Q(label="")
                ),
                name="resolution_span_or_no_span",
            ),
            models.CheckConstraint(condition=~Q(rationale=""), name="resolution_has_rationale"),
        ]

    def __str__(self) -> str:
        return f"resolution of dispute {self.dispute_id} by {self.lead}"
