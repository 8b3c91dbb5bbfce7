"""Leases: lapsed claims expire (lazily and by the periodic task), writes renew them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from annotations import clock, services
from annotations.exceptions import LeaseExpired
from annotations.models import Assignment, AssignmentState, AuditEvent, DocumentStatus, Role
from annotations.tasks.review import expire_leases
from tests.factories import DocumentFactory, MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


@pytest.fixture
def one_place() -> tuple[Any, Any]:
    project = ProjectFactory(reviews_required=1, lease_minutes=30)
    document = DocumentFactory(project=project)
    return project, document


def reviewers(project: Any, count: int) -> list[Any]:
    """Reviewers of the project: span writes are only ever for members' own work."""
    return [MembershipFactory(project=project, role=Role.REVIEWER).user for _ in range(count)]


def test_lapsed_lease_frees_the_place_for_the_next_claim(one_place: Any) -> None:
    project, document = one_place
    first, second = reviewers(project, 2)
    with clock.frozen(T0):
        held = services.assignment_claim_next(project=project, reviewer=first)
    with clock.frozen(minutes(29)):
        assert services.assignment_claim_next(project=project, reviewer=second) is None
    with clock.frozen(minutes(31)):
        taken = services.assignment_claim_next(project=project, reviewer=second)
    assert taken is not None
    assert taken.assignment.document_id == document.pk
    assert Assignment.objects.get(pk=held.assignment.pk).state == AssignmentState.EXPIRED
    assert AuditEvent.objects.filter(action="assignment.expired", actor=None).count() == 1


def test_span_writes_renew_the_lease(one_place: Any) -> None:
    project, _document = one_place
    reviewer, other = reviewers(project, 2)
    with clock.frozen(T0):
        assignment = services.assignment_claim_next(project=project, reviewer=reviewer).assignment
    with clock.frozen(minutes(25)):
        services.span_create(assignment=assignment, actor=reviewer, start=0, end=8, label="opinion")
    with clock.frozen(minutes(50)):
        assert services.assignment_claim_next(project=project, reviewer=other) is None
        assert services.assignments_expire() == 0
    assert Assignment.objects.get(pk=assignment.pk).lease_expires_at == minutes(55)


def test_write_after_the_lease_lapsed_is_refused(one_place: Any) -> None:
    project, _ = one_place
    (reviewer,) = reviewers(project, 1)
    with clock.frozen(T0):
        assignment = services.assignment_claim_next(project=project, reviewer=reviewer).assignment
    with clock.frozen(minutes(31)), pytest.raises(LeaseExpired):
        services.span_create(assignment=assignment, actor=reviewer, start=0, end=8, label="opinion")


def test_periodic_task_expires_lapsed_leases_and_reopens_documents(one_place: Any) -> None:
    project, document = one_place
    (reviewer,) = reviewers(project, 1)
    with clock.frozen(T0):
        assignment = services.assignment_claim_next(project=project, reviewer=reviewer).assignment
    document.refresh_from_db()
    assert document.status == DocumentStatus.IN_REVIEW
    with clock.frozen(minutes(30)):
        assert expire_leases.apply().get() == 0
    with clock.frozen(minutes(30.5)):
        assert expire_leases.apply().get() == 1
        assert expire_leases.apply().get() == 0
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY
    assert Assignment.objects.get(pk=assignment.pk).state == AssignmentState.EXPIRED


def test_reviewer_gets_their_expired_work_back_with_its_spans(one_place: Any) -> None:
    project, _document = one_place
    (reviewer,) = reviewers(project, 1)
    DocumentFactory(project=project)  # older work elsewhere would come first otherwise
    with clock.frozen(T0):
        assignment = services.assignment_claim_next(project=project, reviewer=reviewer).assignment
        services.span_create(assignment=assignment, actor=reviewer, start=0, end=8, label="opinion")
    with clock.frozen(minutes(45)):
        services.assignments_expire()
        back = services.assignment_claim_next(project=project, reviewer=reviewer)
    assert back is not None
    assert not back.created
    assert back.assignment.pk == assignment.pk
    revived = Assignment.objects.get(pk=assignment.pk)
    assert revived.state == AssignmentState.ACTIVE
    assert revived.lease_expires_at == minutes(75)
    assert revived.spans.count() == 1
    assert AuditEvent.objects.filter(action="assignment.revived").count() == 1


def test_expired_work_is_kept_when_someone_else_took_the_place(one_place: Any) -> None:
    project, _document = one_place
    first, second = reviewers(project, 2)
    with clock.frozen(T0):
        assignment = services.assignment_claim_next(project=project, reviewer=first).assignment
        services.span_create(assignment=assignment, actor=first, start=0, end=8, label="opinion")
    with clock.frozen(minutes(40)):
        services.assignment_claim_next(project=project, reviewer=second)
        assert services.assignment_claim_next(project=project, reviewer=first) is None
    expired = Assignment.objects.get(pk=assignment.pk)
    assert expired.state == AssignmentState.EXPIRED
    assert expired.spans.count() == 1


def test_the_periodic_expiry_audits_every_lapsed_claim_in_every_project() -> None:
    claims = []
    with clock.frozen(T0):
        for _ in range(2):
            project = ProjectFactory(reviews_required=1, lease_minutes=30)
            for _ in range(3):
                DocumentFactory(project=project)
                claims.append(
                    services.assignment_claim_next(project=project, reviewer=UserFactory())
                )
    with clock.frozen(minutes(31)):
        assert services.assignments_expire() == 6
    events = AuditEvent.objects.filter(action="assignment.expired")
    assert sorted(events.values_list("entity_id", flat=True)) == sorted(
        claim.assignment.pk for claim in claims
    )
    assert {(e.project_id, e.entity_type) for e in events} == {
        (claim.assignment.project_id, "assignment") for claim in claims
    }
    assert all(
        (e.actor, e.before, e.after) == (None, {"state": "active"}, {"state": "expired"})
        for e in events
    )
