"""Creating projects with their label sets, and managing memberships."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from annotations.exceptions import InvalidInput, quoted
from annotations.models import Label, Membership, Project, Role
from annotations.services.audit import Actor, audit_record

# The product's three labels; keys 1/2/3 on the review page.
DEFAULT_LABELS: tuple[dict[str, Any], ...] = (
    {"value": "sourced", "name": "Sourced", "color": "#2e7d32", "hotkey": "1",
     "description": "Attributed to a named person, outlet, document or link."},
    {"value": "unsourced", "name": "Unsourced", "color": "#c62828", "hotkey": "2",
     "description": "Stated as fact with no attribution."},
    {"value": "opinion", "name": "Opinion", "color": "#1565c0", "hotkey": "3",
     "description": "The author's own judgement, speculation or call to action."},
)  # fmt: skip


def project_create(
    *,
    name: str,
    actor: Actor = None,
    description: str = "",
    reviews_required: int = 2,
    lease_minutes: int = 30,
    dispute_tolerance: int = 3,
) -> Project:
    """Create a project with the default label set.

    Raises InvalidInput for an empty name, a name already taken (checked by the database's
    unique index, so also under races) or out-of-range numbers. Opens its own transaction;
    writes an audit row.
    """
    name = name.strip()
    if not name:
        raise InvalidInput("A project needs a name.", fields={"name": ["This field is required."]})
    if reviews_required < 1:
        raise InvalidInput(
            "reviews_required must be at least 1.",
            fields={"reviews_required": ["Must be at least 1."]},
        )
    if lease_minutes < 1:
        raise InvalidInput(
            "lease_minutes must be at least 1.", fields={"lease_minutes": ["Must be at least 1."]}
        )
    try:
        with transaction.atomic():
            project = Project.objects.create(
                name=name,
                description=description,
                reviews_required=reviews_required,
                lease_minutes=lease_minutes,
                dispute_tolerance=dispute_tolerance,
            )
            Label.objects.bulk_create(
                Label(project=project, ordering=index, **label)
                for index, label in enumerate(DEFAULT_LABELS)
            )
            audit_record(
                actor=actor,
                action="project.created",
                entity=project,
                project=project,
                after={"name": name, "reviews_required": reviews_required},
            )
    except IntegrityError as error:
        # The unique name is the guard, also when two requests race; say which field.
        if Project.objects.filter(name=name).exists():
            raise InvalidInput(
                "name: A project with this name already exists.",
                fields={"name": ["A project with this name already exists."]},
            ) from error
        raise
    return project


def project_get_or_create(*, name: str, actor: Actor = None) -> tuple[Project, bool]:
    """Return the project named `name`, creating it (with default labels) if absent."""
    existing = Project.objects.filter(name=name.strip()).first()
    if existing is not None:
        return existing, False
    return project_create(name=name, actor=actor), True


def membership_set(*, project: Project, user: User, role: str, actor: Actor = None) -> Membership:
    """Give `user` the role `role` in `project`, creating or changing their membership.

    Raises InvalidInput for an unknown role. Locks the membership row while changing it;
    writes an audit row when something changed.
    """
    if role not in Role.values:
        raise InvalidInput(
            f"Unknown role {quoted(role)}; expected one of {', '.join(Role.values)}.",
            fields={"role": [f"Must be one of {', '.join(Role.values)}."]},
        )
    with transaction.atomic():
        membership, created = Membership.objects.select_for_update(no_key=True).get_or_create(
            project=project, user=user, defaults={"role": role}
        )
        before = None if created else {"role": membership.role}
        if not created and membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
        if created or before != {"role": role}:
            audit_record(
                actor=actor,
                action="membership.set",
                entity=membership,
                project=project,
                before=before,
                after={"role": role, "user": user.pk},
            )
    return membership
