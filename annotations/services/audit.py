"""Writing the audit trail. Called inside the transaction of the change it records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import models

from annotations.models import AuditEvent, Project

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
    AuditEvent.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
