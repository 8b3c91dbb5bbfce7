"""Disputes between reviewers and the leads' decisions on them (append-only).

A `Resolution` is any decision of a lead: the settlement of a dispute (`kind=resolution`) or a
claim rating of a span all reviewers marked alike (`kind=rating`, no dispute). Decisions are
never edited: a later one points at the one it replaces through `supersedes`, and both stay.
"""

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
    SOURCE = "source", "Sourced by all, but to different sources"


class DisputeStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    # The document was reopened for another round before this dispute was settled.
    WITHDRAWN = "withdrawn", "Withdrawn (document reopened)"


class ClaimRating(models.TextChoices):
    SUPPORTED = "supported", "Supported"
    CONTRADICTED = "contradicted", "Contradicted"
    UNVERIFIABLE = "unverifiable", "Unverifiable"
    MISLEADING = "misleading", "Misleading"


class Dispute(models.Model):
    """A cluster of overlapping spans on which a document's reviewers differ."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="disputes")
    round = models.PositiveSmallIntegerField(
        default=1, help_text="The document's review round whose reviews this dispute compares."
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=DisputeKind.choices)
    status = models.CharField(
        max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    version = models.PositiveIntegerField(
        default=0,
        help_text="Decisions taken on it so far; a resolve based on another count gets 409.",
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
        indexes = [
            models.Index(fields=["status", "created_at"], name="dispute_status_idx"),
            models.Index(fields=["document", "round", "status"], name="dispute_document_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} dispute on {self.document_id} [{self.start}:{self.end}]"


class ResolutionKind(models.TextChoices):
    RESOLUTION = "resolution", "Settles a dispute"
    RATING = "rating", "Rates an agreed span"


class Resolution(models.Model):
    """A lead's decision. Never edited: a new decision is a new row that supersedes."""

    kind = models.CharField(
        max_length=10, choices=ResolutionKind.choices, default=ResolutionKind.RESOLUTION
    )
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="resolutions")
    round = models.PositiveSmallIntegerField(default=1)
    dispute = models.ForeignKey(
        Dispute, null=True, blank=True, on_delete=models.PROTECT, related_name="resolutions"
    )
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    no_span = models.BooleanField(
        default=False, help_text="The final verdict is that nothing is marked here."
    )
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    label = models.SlugField(max_length=50, blank=True)
    source = models.CharField(
        max_length=300, blank=True, help_text="Whose word it is, for a sourced verdict."
    )
    claim_rating = models.CharField(max_length=15, choices=ClaimRating.choices, blank=True)
    rationale = models.TextField()
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "created_at", "id"]
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
            models.CheckConstraint(
                condition=Q(kind="resolution", dispute__isnull=False)
                | Q(kind="rating", dispute__isnull=True, no_span=False) & ~Q(claim_rating=""),
                name="resolution_kind_fields",
            ),
            # Two leads deciding at once both see "no decision yet": only one first decision
            # per dispute, and per rated span, may exist. Later ones supersede (one-to-one).
            models.UniqueConstraint(
                fields=["dispute"],
                condition=Q(supersedes__isnull=True, kind="resolution"),
                name="resolution_one_first_per_dispute",
            ),
            models.UniqueConstraint(
                fields=["document", "round", "start", "end"],
                condition=Q(supersedes__isnull=True, kind="rating"),
                name="resolution_one_first_rating_per_span",
            ),
        ]
        indexes = [models.Index(fields=["document", "round"], name="resolution_document_idx")]

    def __str__(self) -> str:
        return f"{self.kind} on document {self.document_id} by {self.lead}"
