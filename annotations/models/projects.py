"""Projects, their label sets, and who may do what in them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Project(models.Model):
    """A body of documents reviewed under one label set and one set of review rules."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    reviews_required = models.PositiveSmallIntegerField(
        default=2,
        help_text="Independent reviews each document needs before agreement is computed.",
    )
    lease_minutes = models.PositiveIntegerField(
        default=30, help_text="Minutes a claimed document stays with a reviewer without activity."
    )
    dispute_tolerance = models.PositiveSmallIntegerField(
        default=3,
        help_text="Characters by which two spans' boundaries may differ and still match.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reviews_required__gte=1), name="project_reviews_required_positive"
            ),
            models.CheckConstraint(
                condition=Q(lease_minutes__gte=1), name="project_lease_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Label(models.Model):
    """One label of a project's label set, with the colour and key the review page uses."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="labels")
    value = models.SlugField(max_length=50, help_text="Stable machine name, e.g. sourced.")
    name = models.CharField(max_length=100)
    color = models.CharField(max_length=7, help_text="Hex colour, e.g. #2e7d32.")
    hotkey = models.CharField(max_length=1, blank=True)
    description = models.TextField(blank=True)
    ordering = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["project", "ordering", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "value"], name="label_unique_value_per_project"
            ),
            models.UniqueConstraint(
                fields=["project", "hotkey"],
                condition=~Q(hotkey=""),
                name="label_unique_hotkey_per_project",
            ),
            models.CheckConstraint(
                condition=Q(color__regex=r"^#[0-9A-Fa-f]{6}$"), name="label_color_is_hex"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.value}"


class Role(models.TextChoices):
    REVIEWER = "reviewer", "Reviewer"
    LEAD = "lead", "Lead"
    ADMIN = "admin", "Admin"


class Membership(models.Model):
    """A user's role in a project; without one, the project does not exist for them."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.REVIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"], name="membership_unique_user_per_project"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.project}"
