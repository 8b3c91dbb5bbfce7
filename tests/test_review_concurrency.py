"""Many reviewers claiming at once: every place goes to one reviewer, never two.

The PostgreSQL test exercises the row locks (FOR UPDATE SKIP LOCKED) with 24 threads; the
other runs on whichever database the suite uses, so the SQLite default (IMMEDIATE
transactions on a file database the threads share) is held to the same standard.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from django.db import connection

from annotations import services
from annotations.exceptions import StaleVersion, WrongState
from annotations.models import Assignment, AssignmentState, DocumentStatus
from tests.factories import DocumentFactory, MembershipFactory, ProjectFactory

DOCUMENTS = 10
REVIEWS_REQUIRED = 2


def run_reviewers(threads: int, *, loop: bool) -> tuple[Any, list[BaseException]]:
    project = ProjectFactory(reviews_required=REVIEWS_REQUIRED)
    for _ in range(DOCUMENTS):
        DocumentFactory(project=project)
    reviewers = [MembershipFactory(project=project).user for _ in range(threads)]
    # Two threads for one of the reviewers: a reviewer in two tabs must still get one document.
    reviewers.append(reviewers[0])
    barrier = threading.Barrier(len(reviewers))
    failures: list[BaseException] = []

    def work(reviewer: Any) -> None:
        try:
            barrier.wait(timeout=30)
            while True:
                claim = services.assignment_claim_next(project=project, reviewer=reviewer)
                if claim is None:
                    return
                if not loop:
                    return
                if claim.assignment.state == AssignmentState.ACTIVE:
                    try:
                        services.assignment_submit(
                            assignment=claim.assignment,
                            actor=reviewer,
                            version=claim.assignment.version,
                            nothing_to_mark=True,
                        )
                    except (WrongState, StaleVersion):
                        # The other tab of the same reviewer submitted it first.
                        if reviewer is not reviewers[0]:
                            raise
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            failures.append(error)
        finally:
            connection.close()

    pool = [threading.Thread(target=work, args=(reviewer,)) for reviewer in reviewers]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=120)
    return project, failures


def assert_no_place_given_twice(project: Any) -> None:
    occupied = Assignment.objects.filter(
        project=project, state__in=[AssignmentState.ACTIVE, AssignmentState.SUBMITTED]
    )
    per_document = Counter(occupied.values_list("document_id", flat=True))
    assert max(per_document.values()) <= REVIEWS_REQUIRED
    pairs = Counter(occupied.values_list("document_id", "reviewer_id"))
    assert max(pairs.values()) == 1
    open_per_reviewer = Counter(
        occupied.filter(state=AssignmentState.ACTIVE).values_list("reviewer_id", flat=True)
    )
    assert not open_per_reviewer or max(open_per_reviewer.values()) == 1


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_24_reviewers_claiming_at_once_on_postgres_get_distinct_places() -> None:
    project, failures = run_reviewers(24, loop=False)
    assert failures == []
    assert_no_place_given_twice(project)
    # 20 places, 24 reviewers (25 threads): every place is taken, none twice.
    assert Assignment.objects.filter(project=project).count() == DOCUMENTS * REVIEWS_REQUIRED


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_reviewers_looping_claim_submit_on_postgres_review_every_document_exactly() -> None:
    project, failures = run_reviewers(24, loop=True)
    assert failures == []
    assert_no_place_given_twice(project)
    assert project.documents.filter(status=DocumentStatus.ACCEPTED).count() == DOCUMENTS
    submitted = Assignment.objects.filter(project=project, state=AssignmentState.SUBMITTED)
    assert submitted.count() == DOCUMENTS * REVIEWS_REQUIRED


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_are_exclusive_on_the_configured_database() -> None:
    project, failures = run_reviewers(20, loop=True)
    assert failures == []
    assert_no_place_given_twice(project)
    assert project.documents.filter(status=DocumentStatus.ACCEPTED).count() == DOCUMENTS
