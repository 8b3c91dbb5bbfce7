"""Background jobs: work that can outlast a web request (large imports, project-wide
pre-annotation, exports), recorded so that a client can poll it and a crash can be resumed.

A job is generic: its `kind` picks the runner (`annotations.services.jobs`), `params` hold the
runner's input, `progress_done`/`progress_total` and `report` are what the runner has committed
so far, and an export's file is kept under `FACTCHECK_JOB_FILES_DIR` until `expires_at`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from annotations.models.projects import Project


class JobKind(models.TextChoices):
    IMPORT = "import", "Import documents"
    PREANNOTATE = "preannotate", "Pre-annotate documents"
    EXPORT = "export", "Export"


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


FINISHED_JOB_STATES = (JobState.DONE, JobState.FAILED)


class Job(models.Model):
    """One piece of background work on a project, with its progress and final report."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=20, choices=JobKind.choices)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    params = models.JSONField(default=dict, blank=True, help_text="The runner's input.")
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    report = models.JSONField(
        default=dict, blank=True, help_text="What the job has done so far; final once finished."
    )
    error = models.TextField(blank=True)
    result_path = models.CharField(
        max_length=500,
        blank=True,
        help_text="A finished export's file, relative to FACTCHECK_JOB_FILES_DIR.",
    )
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="When the result file is removed."
    )
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Times a worker took the job; only the latest may write."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the task was handed to the broker; empty = not yet."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last progress a worker committed."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_done__lte=models.F("progress_total")),
                name="job_done_within_total",
            ),
            models.CheckConstraint(condition=Q(kind__in=JobKind.values), name="job_kind_known"),
            models.CheckConstraint(
                condition=(
                    Q(state__in=[JobState.DONE, JobState.FAILED], finished_at__isnull=False)
                    | Q(state__in=[JobState.QUEUED, JobState.RUNNING], finished_at__isnull=True)
                ),
                name="job_finished_iff_done_or_failed",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "sent_at"], name="job_state_sent_idx"),
            models.Index(fields=["project", "-created_at"], name="job_project_created_idx"),
            models.Index(
                fields=["expires_at"], condition=~Q(result_path=""), name="job_expiring_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} job {self.pk} on project {self.project_id} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_JOB_STATES
