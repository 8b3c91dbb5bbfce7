"""The database itself enforces the rules that are absolute."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from annotations.exceptions import constraint_name
from annotations.models import AssignmentState, Document, Resolution
from tests.factories import (
    AssignmentFactory,
    DocumentFactory,
    ProjectFactory,
    SpanFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def violated(callable_: object) -> str | None:
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        callable_()  # type: ignore[operator]
    return constraint_name(info.value)


def test_span_must_start_before_it_ends() -> None:
    assignment = AssignmentFactory()
    violated(lambda: SpanFactory(assignment=assignment, start=5, end=5))
    with pytest.raises(IntegrityError), transaction.atomic():
        SpanFactory(assignment=assignment, start=9, end=3)
    assert SpanFactory(assignment=assignment, start=0, end=1).pk


def test_a_text_is_stored_once_per_project_but_may_repeat_across_projects() -> None:
    document = DocumentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentFactory(project=document.project, text=document.text)
    assert DocumentFactory(project=ProjectFactory(), text=document.text).pk
    assert Document.objects.filter(text_sha256=document.text_sha256).count() == 2


def test_one_assignment_per_document_and_reviewer() -> None:
    first = AssignmentFactory(state=AssignmentState.EXPIRED)
    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentFactory(document=first.document, reviewer=first.reviewer)


def test_one_open_assignment_per_reviewer_and_project() -> None:
    reviewer = UserFactory()
    project = ProjectFactory()
    AssignmentFactory(document=DocumentFactory(project=project), reviewer=reviewer)
    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentFactory(document=DocumentFactory(project=project), reviewer=reviewer)
    # Submitted work and other projects do not count as open here.
    AssignmentFactory(document=DocumentFactory(), reviewer=reviewer)
    submitted = AssignmentFactory(
        document=DocumentFactory(project=project),
        reviewer=UserFactory(),
        state=AssignmentState.SUBMITTED,
        submitted_at=timezone.now(),
    )
    assert submitted.pk


def test_submitted_at_is_set_exactly_when_submitted() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentFactory(state=AssignmentState.SUBMITTED, submitted_at=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentFactory(state=AssignmentState.ACTIVE, submitted_at=timezone.now())


def test_resolution_is_either_a_span_with_label_or_no_span_and_has_a_rationale() -> None:
    from annotations.models import Dispute

    document = DocumentFactory()
    dispute = Dispute.objects.create(document=document, start=0, end=5, kind="label")
    lead = UserFactory()
    common = {"document": document, "dispute": dispute, "lead": lead}
    with pytest.raises(IntegrityError), transaction.atomic():
        Resolution.objects.create(
            **common, no_span=False, start=0, end=5, label="", rationale="why"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Resolution.objects.create(**common, no_span=True, start=0, end=5, rationale="why")
    with pytest.raises(IntegrityError), transaction.atomic():
        Resolution.objects.create(**common, no_span=True, rationale="")
    first = Resolution.objects.create(**common, no_span=True, rationale="Not a claim.")
    # Only one first decision per dispute; a later one supersedes it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Resolution.objects.create(**common, no_span=True, rationale="Me too.")
    assert Resolution.objects.create(
        **common, start=0, end=5, label="opinion", rationale="Loaded wording.", supersedes=first
    )
    # A rating needs no dispute but a claim rating; a resolution needs its dispute.
    with pytest.raises(IntegrityError), transaction.atomic():
        Resolution.objects.create(
            document=document,
            lead=lead,
            kind="rating",
            start=0,
            end=5,
            label="opinion",
            rationale="why",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Resolution.objects.create(
            document=document, lead=lead, start=0, end=5, label="opinion", rationale="why"
        )


@pytest.mark.requires_postgres
def test_constraint_names_are_reported_for_mapping_to_api_errors() -> None:
    # PostgreSQL names the violated constraint; SQLite names only columns, so the API maps
    # errors by name only where a name is given (and the tests above cover SQLite's refusal).
    document = DocumentFactory()
    assert (
        violated(lambda: DocumentFactory(project=document.project, text=document.text))
        == "document_unique_text_per_project"
    )
    assignment = AssignmentFactory()
    assert (
        violated(lambda: SpanFactory(assignment=assignment, start=5, end=5))
        == "span_start_before_end"
    )
