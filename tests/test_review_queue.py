"""The queue hands out documents in order, one place per reviewer, and tracks statuses."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from annotations import clock, services
from annotations.models import (
    Assignment,
    AssignmentState,
    AuditEvent,
    Document,
    DocumentStatus,
    Membership,
    Role,
)
from tests.factories import (
    AssignmentFactory,
    DocumentFactory,
    ProjectFactory,
    SpanFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def claim(project: Any, reviewer: Any, **kwargs: Any) -> Any:
    # Submitting and releasing find only a member's own work, as the API does.
    Membership.objects.get_or_create(
        project=project, user=reviewer, defaults={"role": Role.REVIEWER}
    )
    result = services.assignment_claim_next(project=project, reviewer=reviewer, **kwargs)
    return result.assignment if result is not None else None


def test_claim_next_takes_highest_priority_then_oldest_ready_document() -> None:
    project = ProjectFactory()
    old = DocumentFactory(project=project)
    DocumentFactory(project=project, status=DocumentStatus.PREANNOTATING, priority=9)
    urgent = DocumentFactory(project=project, priority=5)
    DocumentFactory(project=project)
    first = claim(project, UserFactory())
    second = claim(project, UserFactory())
    third = claim(project, UserFactory())
    assert first.document_id == urgent.pk
    assert second.document_id == urgent.pk
    assert third.document_id == old.pk


def test_claim_next_skips_documents_still_being_preannotated() -> None:
    project = ProjectFactory()
    DocumentFactory(project=project, status=DocumentStatus.PREANNOTATING)
    assert services.assignment_claim_next(project=project, reviewer=UserFactory()) is None


def test_claim_next_returns_the_open_assignment_again_and_renews_its_lease() -> None:
    project = ProjectFactory()
    DocumentFactory.create_batch(2, project=project)
    reviewer = UserFactory()
    start = clock.now()
    first = services.assignment_claim_next(project=project, reviewer=reviewer, now=start)
    later = start + timedelta(minutes=10)
    again = services.assignment_claim_next(project=project, reviewer=reviewer, now=later)
    assert first is not None
    assert first.created
    assert again is not None
    assert not again.created
    assert again.assignment.pk == first.assignment.pk
    assert Assignment.objects.get(pk=first.assignment.pk).lease_expires_at == later + timedelta(
        minutes=project.lease_minutes
    )
    assert Assignment.objects.filter(reviewer=reviewer).count() == 1


def test_document_fills_its_places_then_leaves_the_queue() -> None:
    project = ProjectFactory(reviews_required=2)
    document = DocumentFactory(project=project)
    a = claim(project, UserFactory())
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY
    b = claim(project, UserFactory())
    document.refresh_from_db()
    assert document.status == DocumentStatus.IN_REVIEW
    assert {a.slot, b.slot} == {0, 1}
    assert claim(project, UserFactory()) is None


def test_reviewer_never_gets_a_document_twice() -> None:
    project = ProjectFactory(reviews_required=3)
    document = DocumentFactory(project=project)
    reviewer = UserFactory()
    assignment = claim(project, reviewer)
    SpanFactory(assignment=assignment)
    services.assignment_submit(assignment=assignment, actor=reviewer, version=1)
    assert claim(project, reviewer) is None
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY


def test_last_submission_completes_the_round_and_settles_the_document() -> None:
    project = ProjectFactory(reviews_required=2)
    document = DocumentFactory(project=project)
    reviewers = [UserFactory(), UserFactory()]
    assignments = [claim(project, reviewer) for reviewer in reviewers]
    for reviewer, assignment in zip(reviewers, assignments, strict=True):
        services.assignment_submit(
            assignment=assignment, actor=reviewer, version=1, nothing_to_mark=True
        )
    document.refresh_from_db()
    # All reviews in: `reviewed`, and in the same transaction agreement settles it (both
    # reviewers marked nothing, so there is nothing to dispute).
    assert document.status == DocumentStatus.ACCEPTED
    assert AuditEvent.objects.filter(action="assignment.submitted").count() == 2


def test_released_document_returns_to_the_queue_but_not_to_the_same_reviewer() -> None:
    project = ProjectFactory(reviews_required=1)
    document = DocumentFactory(project=project)
    reviewer = UserFactory()
    assignment = claim(project, reviewer)
    SpanFactory(assignment=assignment)
    services.assignment_release(assignment=assignment, actor=reviewer)
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY
    assert claim(project, reviewer) is None
    other = claim(project, UserFactory())
    assert other.document_id == document.pk
    assert Assignment.objects.get(pk=assignment.pk).spans.count() == 1


def test_claims_in_one_project_do_not_block_another_project() -> None:
    reviewer = UserFactory()
    first, second = ProjectFactory(), ProjectFactory()
    DocumentFactory(project=first)
    DocumentFactory(project=second)
    assert claim(first, reviewer).project_id == first.pk
    assert claim(second, reviewer).project_id == second.pk


def test_claim_writes_an_audit_row() -> None:
    project = ProjectFactory()
    DocumentFactory(project=project)
    reviewer = UserFactory()
    assignment = claim(project, reviewer)
    event = AuditEvent.objects.get(action="assignment.claimed")
    assert (event.entity_id, event.actor_id) == (assignment.pk, reviewer.pk)
    assert (event.project_id, event.entity_type, event.before) == (project.pk, "assignment", None)
    assert event.after == {"state": "active", "document": assignment.document_id, "slot": 0}
    assert assignment.state == AssignmentState.ACTIVE
    # What the claim answered with is what it stored.
    stored = Assignment.objects.get(pk=assignment.pk)
    for field in ("project_id", "document_id", "reviewer_id", "slot", "round", "version"):
        assert getattr(stored, field) == getattr(assignment, field), field
    assert (stored.claimed_at, stored.lease_expires_at) == (
        assignment.claimed_at,
        assignment.lease_expires_at,
    )


def test_a_full_document_left_ready_is_corrected_and_the_next_one_handed_out() -> None:
    project = ProjectFactory(reviews_required=2)
    stale = DocumentFactory(project=project)
    following = DocumentFactory(project=project)
    for slot in (0, 1):
        AssignmentFactory(document=stale, slot=slot)
    assert Document.objects.get(pk=stale.pk).status == DocumentStatus.READY  # stale
    assignment = claim(project, UserFactory())
    assert assignment.document_id == following.pk
    assert Document.objects.get(pk=stale.pk).status == DocumentStatus.IN_REVIEW
    assert Assignment.objects.filter(document=stale).count() == 2
