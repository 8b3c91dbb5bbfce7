"""Statements per request on the review loop's hot endpoints, so a change that adds one shows.

Counted on PostgreSQL (what production runs), without transaction control (BEGIN, COMMIT and the
savepoints that stand for them inside a test's transaction), with the caller's token
already known (the first request of a token looks it up once; see test_api_token_cache). One
review task, claim + five spans + submit, is measured by `make bench` as statements per task.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from annotations import services
from annotations.models import DocumentStatus, Zone
from tests.factories import DocumentFactory, SuggestionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.requires_postgres]

_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO")
TEXT = "The minister said the plan would cost 5 billion. " * 20


def statements(call: Callable[[], Any]) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].startswith(_TRANSACTION_CONTROL)
    ]


@pytest.fixture
def reviewer_api(api: Any, team: Any) -> Any:
    token = Token.objects.create(user=team.reviewer).key
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(f"/api/v1/projects/{team.project.pk}").status_code == 200  # token now known
    return api


@pytest.fixture
def claimed(reviewer_api: Any, team: Any) -> dict[str, Any]:
    document = DocumentFactory(project=team.project, text=TEXT)
    Zone.objects.create(document=document, kind="article", start=0, end=len(TEXT), engine="test")
    SuggestionFactory(document=document, start=0, end=48, label="sourced")
    response = reviewer_api.post(f"/api/v1/projects/{team.project.pk}/queue/next")
    assert response.status_code == 201
    return dict(response.json())


def test_claiming_a_new_document_takes_four_statements(reviewer_api: Any, team: Any) -> None:
    # The project, lapsed leases, the document locked, its place filled (assignment, status and
    # audit row in one statement, which also reads the zones and suggestions to answer with).
    DocumentFactory(project=team.project, text=TEXT)
    response, sql = statements(
        lambda: reviewer_api.post(f"/api/v1/projects/{team.project.pk}/queue/next")
    )
    assert response.status_code == 201
    assert len(sql) == 4, "\n".join(sql)


def test_taking_a_documents_last_place_takes_four_statements_too(
    reviewer_api: Any, team: Any
) -> None:
    document = DocumentFactory(project=team.project, text=TEXT)
    assert team.project.reviews_required == 2
    assert services.assignment_claim_next(project=team.project, reviewer=team.reviewer2)
    response, sql = statements(
        lambda: reviewer_api.post(f"/api/v1/projects/{team.project.pk}/queue/next")
    )
    assert response.status_code == 201
    assert len(sql) == 4, "\n".join(sql)
    document.refresh_from_db()
    assert document.status == DocumentStatus.IN_REVIEW


def test_marking_a_span_takes_four_statements(reviewer_api: Any, claimed: dict[str, Any]) -> None:
    response, sql = statements(
        lambda: reviewer_api.post(
            f"/api/v1/assignments/{claimed['id']}/spans",
            {"start": 0, "end": 48, "label": "sourced", "version": claimed["version"]},
            format="json",
        )
    )
    assert response.status_code == 201
    assert len(sql) == 4, "\n".join(sql)


@pytest.mark.parametrize("accepting_the_suggestion", [False, True])
def test_marking_five_spans_at_once_takes_four_statements(
    reviewer_api: Any, claimed: dict[str, Any], accepting_the_suggestion: bool
) -> None:
    """Whether the labels (and accepted suggestions) exist comes with the assignment's lock."""
    labels = ["sourced", "opinion", "unsourced", "sourced", "opinion"]
    spans = [{"start": 50 * i, "end": 50 * i + 48, "label": labels[i]} for i in range(5)]
    if accepting_the_suggestion:
        spans[0]["suggestion"] = claimed["document"]["suggestions"][0]["id"]
    response, sql = statements(
        lambda: reviewer_api.post(
            f"/api/v1/assignments/{claimed['id']}/spans/batch",
            {"spans": spans, "version": claimed["version"]},
            format="json",
        )
    )
    assert response.status_code == 201, response.content
    assert len(sql) == 4, "\n".join(sql)


def test_submitting_a_review_that_leaves_places_open_takes_five_statements(
    reviewer_api: Any, claimed: dict[str, Any]
) -> None:
    marked = reviewer_api.post(
        f"/api/v1/assignments/{claimed['id']}/spans",
        {"start": 0, "end": 48, "label": "sourced"},
        format="json",
    ).json()
    response, sql = statements(
        lambda: reviewer_api.post(
            f"/api/v1/assignments/{claimed['id']}/submit",
            {"version": marked["assignment_version"]},
            format="json",
        )
    )
    assert response.status_code == 200
    assert len(sql) == 5, "\n".join(sql)
