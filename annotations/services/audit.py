"""Writing the audit trail. Called inside the transaction of the change it records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import models

from annotations.models import AuditEvent, Project
from annotations.services.bulk import bulk_insert

Actor = User | AnonymousUser | None


def _actor_or_none(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def audit_record(
    *,
    actor: Actor,
    action: str,
    entity: models.Model,
    project: Project | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row for a change to `entity`.

    Precondition: called inside the transaction that makes the change, so the row exists if and
    only if the change does. Side effects: inserts one AuditEvent.
    """
    return AuditEvent.objects.create(
        actor=_actor_or_none(actor),
        project=project,
        action=action,
        entity_type=entity._meta.model_name or type(entity).__name__.lower(),
        entity_id=entity.pk,
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
    )


def audit_record_many(
    *,
    actor: Actor,
    action: str,
    entities: Iterable[models.Model],
    project: Project | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> int:
    """Append one audit row per entity in a single insert (for bulk operations like import).

    Every row gets the same `before` and `after`: for one change applied to many entities.
    """
    return audit_record_each(
        actor=actor,
        action=action,
        changes=((entity, before, after) for entity in entities),
        project=project,
    )


def audit_record_each(
    *,
    actor: Actor,
    action: str,
    changes: Iterable[tuple[models.Model, Mapping[str, Any] | None, Mapping[str, Any] | None]],
    project: Project | None = None,
) -> int:
    """Append one audit row per (entity, before, after) in a single insert.

    For one request that changes several entities each its own way (e.g. a batch of spans).
    Same precondition as `audit_record`.
    """
    rows = [
        AuditEvent(
            actor=_actor_or_none(actor),
            project=project,
            action=action,
            entity_type=entity._meta.model_name or type(entity).__name__.lower(),
            entity_id=entity.pk,
            before=dict(before) if before is not None else None,
            after=dict(after) if after is not None else None,
        )
        for entity, before, after in changes
    ]
    bulk_insert(rows)
    return len(rows)


def model_snapshot(obj: models.Model) -> dict[str, Any]:
    """The object's stored fields as JSON values, for an audit row's `before` or `after`."""
    snapshot: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        plain = value is None or isinstance(value, (str, int, float, bool, dict, list))
        snapshot[field.attname] = value if plain else str(value)
    return snapshot


def audit_change(
    *,
    actor: Actor,
    entity: models.Model,
    before: Mapping[str, Any] | None,
    verb: str,
) -> AuditEvent | None:
    """Record a change made outside the workflow's services (the admin): `<model>.<verb>` with
    the stored fields before and after; nothing when nothing changed.

    Precondition: called inside the transaction of the change, after it for created and changed
    objects (so `after` is what was stored) and before it for deleted ones (`after` is None).
    Side effects: inserts at most one AuditEvent.
    """
    after = None if verb == "deleted" else model_snapshot(entity)
    if before is not None and after is not None and dict(before) == after:
        return None
    project = entity if isinstance(entity, Project) else getattr(entity, "project", None)
    if verb == "deleted" and isinstance(entity, Project):
        project = None  # the row must outlive the project (its events cascade with it)
    return audit_record(
        actor=actor,
        action=f"{entity._meta.model_name}.{verb}",
        entity=entity,
        project=project if isinstance(project, Project) else None,
        before=before,
        after=after,
    )
