"""Stored agreement of a document's review round: its figures and additive statistics.

Written once when the round's last review is submitted (and its verdict part when the document
is settled), so that project figures are sums of these rows, never a recomputation of every
document's alignment.
"""

from __future__ import annotations

from django.db import models

from annotations.models.documents import Document
from annotations.models.projects import Project


class DocumentAgreement(models.Model):
    """One document's agreement in one review round."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="document_agreements"
    )
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="agreements")
    round = models.PositiveSmallIntegerField(default=1)
    is_current = models.BooleanField(
        default=True, help_text="False once the document is reopened for another round."
    )
    reviewers = models.JSONField(default=list, help_text="Usernames, in the order compared.")
    units = models.PositiveIntegerField(
        default=0, help_text="Characters compared (the article zones, or the whole text)."
    )
    alpha = models.FloatField(null=True, blank=True, help_text="Empty when undefined.")
    figures = models.JSONField(default=dict, help_text="The document's own figures.")
    stats = models.JSONField(
        default=dict, help_text="Additive sufficient statistics: coincidences, pairs' counts."
    )
    agreed = models.JSONField(
        default=list, help_text="The clusters all reviewers marked alike, with their span ids."
    )
    verdict_stats = models.JSONField(
        null=True, blank=True, help_text="Each reviewer's spans against the final verdicts."
    )
    disputes = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document", "round"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "round"], name="agreement_one_per_document_round"
            ),
        ]
        indexes = [
            models.Index(fields=["project", "is_current"], name="agreement_project_idx"),
        ]

    def __str__(self) -> str:
        return f"agreement of document {self.document_id}, round {self.round}"


class ProjectAgreement(models.Model):
    """A project's running total of its documents' agreement statistics (current rounds).

    Changed only under the lock of the document whose figures it adds or takes away, in the
    same transaction; the project's figures are computed from it alone.
    """

    project = models.OneToOneField(
        Project, primary_key=True, on_delete=models.CASCADE, related_name="agreement_total"
    )
    totals = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"agreement totals of project {self.project_id}"
