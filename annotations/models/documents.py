"""Documents: immutable normalised text plus its bibliographic metadata."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from annotations.models.projects import Project


class DocumentStatus(models.TextChoices):
    # Not handed out while pre-annotation is queued or running: reviewers start from suggestions.
    PREANNOTATING = "preannotating", "Pre-annotating"
    READY = "ready", "Needs reviews"
    IN_REVIEW = "in_review", "All review slots taken"
    REVIEWED = "reviewed", "All reviews submitted"
    DISPUTED = "disputed", "Disputed"
    ACCEPTED = "accepted", "Accepted"


class Document(models.Model):
    """A text under review. Its text is never edited: a changed text is a new version."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=500)
    source_url = models.URLField(max_length=2000, blank=True)
    author = models.CharField(max_length=300, blank=True)
    outlet = models.CharField(max_length=300, blank=True)
    published_on = models.DateField(null=True, blank=True)
    text = models.TextField(help_text="Normalised once on import (NFC, \\n line ends).")
    text_sha256 = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.PREANNOTATING
    )
    priority = models.IntegerField(default=0, help_text="Higher is handed out first.")
    review_round = models.PositiveSmallIntegerField(
        default=1, help_text="Raised when a lead reopens the document for another round."
    )
    metadata = models.JSONField(default=dict, blank=True)
    previous_version = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="later_versions"
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "text_sha256"], name="document_unique_text_per_project"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="document_text_not_empty"),
        ]
        indexes = [
            # The queue's scan: documents of a project that still need reviews, priority then age.
            models.Index(
                "project",
                models.F("priority").desc(),
                "created_at",
                "id",
                condition=Q(status="ready"),
                name="document_queue_idx",
            ),
            models.Index(fields=["project", "status"], name="document_project_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def char_count(self) -> int:
        return len(self.text)
