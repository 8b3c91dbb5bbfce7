"""Review work: a reviewer's assignment (a leased claim on a document), spans and evidence.

Submitted work is history: services refuse any change to a submitted assignment, its spans or
their evidence, and expired or released assignments are kept with their spans, never deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from annotations.models.documents import Document
from annotations.models.preannotation import Suggestion
from annotations.models.projects import Project


class AssignmentState(models.TextChoices):
    ACTIVE = "active", "In progress"
    SUBMITTED = "submitted", "Submitted"
    EXPIRED = "expired", "Lease expired"
    RELEASED = "released", "Released (skipped)"


class Assignment(models.Model):
    """A reviewer's claim on one document: a lease while active, a frozen review once submitted."""

    # Denormalised from document so the database itself can enforce one open claim per
    # reviewer and project; services always set it from the document.
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assignments")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    state = models.CharField(
        max_length=10, choices=AssignmentState.choices, default=AssignmentState.ACTIVE
    )
    # Which of the document's `reviews_required` places this claim fills (0-based). Unique among
    # a document's active and submitted assignments, so even a bug in the claim could not hand
    # one place to two reviewers; expired and released rows keep theirs as history.
    slot = models.PositiveSmallIntegerField(default=0)
    # The document's review round this claim belongs to. A reopened document starts a new round;
    # earlier rounds' assignments stay, and the constraints below hold within each round.
    round = models.PositiveSmallIntegerField(default=1)
    claimed_at = models.DateTimeField()
    lease_expires_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    nothing_to_mark = models.BooleanField(
        default=False, help_text="The reviewer found nothing to mark and said so on submitting."
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every change; a write based on an older version gets 409."
    )

    class Meta:
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "reviewer", "round"],
                name="assignment_one_per_document_and_reviewer",
            ),
            models.UniqueConstraint(
                fields=["project", "reviewer"],
                condition=Q(state="active"),
                name="assignment_one_open_per_reviewer_and_project",
            ),
            models.UniqueConstraint(
                fields=["document", "round", "slot"],
                condition=Q(state__in=["active", "submitted"]),
                name="assignment_one_reviewer_per_slot",
            ),
            models.CheckConstraint(
                condition=Q(state="submitted", submitted_at__isnull=False)
                | (~Q(state="submitted") & Q(submitted_at__isnull=True)),
                name="assignment_submitted_at_iff_submitted",
            ),
        ]
        indexes = [
            models.Index(
                fields=["lease_expires_at"],
                condition=Q(state="active"),
                name="assignment_active_lease_idx",
            ),
            models.Index(fields=["document", "state"], name="assignment_document_state_idx"),
            # A claim's first question: does the caller hold open or expired work in the
            # project? Without it PostgreSQL intersects the reviewer's and the project's whole
            # histories (thousands of submitted rows) to find none.
            models.Index(
                fields=["project", "reviewer"],
                condition=Q(state__in=["active", "expired"]),
                name="assignment_own_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.document_id} ({self.state})"


class Span(models.Model):
    """A labelled stretch of the document's text, in Unicode code points, end exclusive."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="spans")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField(
        help_text="The text between start and end, for checks and re-anchoring."
    )
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    label = models.SlugField(max_length=50)
    source = models.CharField(
        max_length=300, blank=True, help_text="Who or what a sourced span is attributed to."
    )
    note = models.TextField(blank=True)
    # Re-running pre-annotation keeps a suggestion a span accepted, so this link never changes.
    suggestion = models.ForeignKey(
        Suggestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="accepted_as"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assignment", "start", "end", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__gte=0) & Q(start__lt=models.F("end")),
                name="span_start_before_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} [{self.start}:{self.end}]"


class EvidenceStance(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    REFUTES = "refutes", "Refutes"
    CONTEXT = "context", "Context"


class EvidenceLink(models.Model):
    """A link a reviewer attached to a span as evidence for or against it."""

    span = models.ForeignKey(Span, on_delete=models.CASCADE, related_name="evidence")
    url = models.URLField(max_length=2000)
    title = models.CharField(max_length=500, blank=True)
    stance = models.CharField(max_length=10, choices=EvidenceStance.choices)
    quoted_passage = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["span", "added_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="evidence_url_is_http",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stance}: {self.url}"
