"""Machine output: pre-annotation runs, and the zones and suggestions they produce.

A run is one request to pre-annotate a set of documents (on import, or re-run on demand); it
has one item per document so that progress is "documents done / total" and a crashed worker's
remaining documents can be found and finished. Suggestions are never reviewers' work: re-running
an engine replaces its own zones and suggestions and touches no span (a suggestion a span
accepted is kept, so the span's link to it never changes).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from annotations.models.documents import Document
from annotations.models.jobs import Job
from annotations.models.projects import Project


class RunState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class PreannotationRun(models.Model):
    """One request to pre-annotate documents of a project with one engine version."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="preannotation_runs"
    )
    engine = models.CharField(max_length=100)
    engine_version = models.CharField(max_length=50)
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.QUEUED)
    force = models.BooleanField(
        default=False, help_text="Re-run documents this engine version has already annotated."
    )
    documents_total = models.PositiveIntegerField(default=0)
    documents_done = models.PositiveIntegerField(default=0)
    documents_failed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.OneToOneField(
        Job,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="preannotation_run",
        help_text="The background job that started this run, finished when the run is.",
    )
    import_job = models.ForeignKey(
        Job,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_preannotation_runs",
        help_text="The import job whose batch of documents this run pre-annotates (one run per "
        "batch); the job shows their progress as one.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(documents_done__lte=models.F("documents_total")),
                name="run_done_within_total",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="run_state_idx")]

    def __str__(self) -> str:
        return f"{self.engine} {self.engine_version} on {self.project} ({self.state})"

    @property
    def progress(self) -> float:
        """Share of documents finished (done or failed), 0..1."""
        if not self.documents_total:
            return 1.0 if self.state in (RunState.DONE, RunState.FAILED) else 0.0
        return (self.documents_done + self.documents_failed) / self.documents_total


class PreannotationItem(models.Model):
    """One document's place in a run: its own state, attempts and error."""

    run = models.ForeignKey(PreannotationRun, on_delete=models.CASCADE, related_name="items")
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="preannotation_items"
    )
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the task was handed to the broker; empty = not yet."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "document"], name="item_unique_document_per_run"
            ),
        ]
        indexes = [models.Index(fields=["state", "sent_at"], name="item_state_sent_idx")]

    def __str__(self) -> str:
        return f"run {self.run_id} / document {self.document_id} ({self.state})"


class PreannotationOutput(models.Model):
    """Which run's output an engine's zones and suggestions on a document are.

    One per document and engine (a database constraint), replaced under the document's row
    lock: two runs storing the same document one after the other leave the newer run's rows,
    never both. The newest run wins: an older run finishing later stores nothing.
    """

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="preannotation_outputs"
    )
    engine = models.CharField(max_length=100)
    engine_version = models.CharField(max_length=50)
    run = models.ForeignKey(
        PreannotationRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty for output stored before runs were recorded here.",
    )
    stored_at = models.DateTimeField()

    class Meta:
        ordering = ["document", "engine"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "engine"], name="output_one_per_document_and_engine"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.engine} {self.engine_version} on document {self.document_id}"


class ZoneKind(models.TextChoices):
    ARTICLE = "article", "Article"
    TITLE = "title", "Title"
    BYLINE = "byline", "Byline"
    BODY = "body", "Body"
    CAPTION = "caption", "Caption"
    COMMENTS = "comments", "Reader comments"
    BOILERPLATE = "boilerplate", "Page boilerplate"


class Zone(models.Model):
    """A structural region of a document found by an engine (article, title, comments, ...)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="zones")
    engine = models.CharField(max_length=100)
    engine_version = models.CharField(max_length=50)
    kind = models.CharField(max_length=20, choices=ZoneKind.choices)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["document", "start", "-end", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="zone_start_before_end"
            ),
            # An engine's output holds each zone once, however many runs store it.
            models.UniqueConstraint(
                fields=["document", "engine", "kind", "start", "end"],
                name="zone_unique_per_engine",
            ),
        ]
        indexes = [models.Index(fields=["document", "engine"], name="zone_document_engine_idx")]

    def __str__(self) -> str:
        return f"{self.kind} [{self.start}:{self.end}]"

    @property
    def is_article_text(self) -> bool:
        return self.kind not in (ZoneKind.COMMENTS, ZoneKind.BOILERPLATE)


class Suggestion(models.Model):
    """A labelled span proposed by an engine, with its reason, for reviewers to accept or not."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="suggestions")
    engine = models.CharField(max_length=100)
    engine_version = models.CharField(max_length=50)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    label = models.SlugField(max_length=50)
    reason = models.CharField(max_length=500)
    confidence = models.FloatField()
    source_name = models.CharField(
        max_length=300, blank=True, help_text="Who the claim is attributed to, for sourced spans."
    )

    class Meta:
        ordering = ["document", "start", "end", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="suggestion_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1),
                name="suggestion_confidence_in_unit_range",
            ),
            # An engine suggests each labelled span once, however many runs store it.
            models.UniqueConstraint(
                fields=["document", "engine", "start", "end", "label"],
                name="suggestion_unique_per_engine",
            ),
        ]
        indexes = [models.Index(fields=["document", "engine"], name="suggestion_doc_engine_idx")]

    def __str__(self) -> str:
        return f"{self.label} [{self.start}:{self.end}]"
