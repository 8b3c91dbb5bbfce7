"""Property-based fuzzing of the whole API in-process: no input may make an endpoint answer 5xx.

Schemathesis reads the OpenAPI schema from the WSGI app and generates requests for every
operation, valid and invalid, sent as a reviewer who holds an open assignment and as a lead of
the same project, with the path ids of real objects so requests get past the lookups. The
budget is small and deterministic (about 10 s). A longer fuzz runs against a dev server:
`schemathesis run http://127.0.0.1:8000/api/schema/ -H "Authorization: Token ..." -n 50`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from annotations import services
from annotations.models import Role
from factcheck.wsgi import application
from tests.factories import (
    AssignmentFactory,
    DocumentFactory,
    EvidenceLinkFactory,
    MembershipFactory,
    PreannotationRunFactory,
    SpanFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """Keep the test's database connection open across in-process WSGI requests.

    The WSGI handler closes the connection when a request starts and finishes, which would end
    the test's transaction; Django's own test client disconnects the same signal handler.
    """
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.LEAD])
def test_no_generated_request_gets_a_server_error(
    team: Any, role: Role, keep_test_connection: None
) -> None:
    user = team.reviewer if role == Role.REVIEWER else team.lead
    document = DocumentFactory(project=team.project)
    assignment = AssignmentFactory(document=document, reviewer=user)
    span = SpanFactory(assignment=assignment, start=0, end=8)
    ids = {
        "project_id": team.project.pk,
        "document_id": document.pk,
        "assignment_id": assignment.pk,
        "span_id": span.pk,
        "evidence_id": EvidenceLinkFactory(span=span).pk,
        "run_id": PreannotationRunFactory(project=team.project).pk,
    }
    MembershipFactory(project=team.other_project, user=user, role=Role.REVIEWER)
    headers = {"Authorization": f"Token {services.token_issue(user=user)}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    cases = st.one_of(
        schema.as_strategy(GenerationMode.POSITIVE, path_parameters=ids),
        schema.as_strategy(GenerationMode.NEGATIVE, path_parameters=ids),
    )

    @given(case=cases)
    @settings(
        max_examples=300,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def no_server_error(case: Any) -> None:
        response = case.call(headers=headers)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} answered {response.status_code}: "
            f"{response.text[:500]}"
        )

    no_server_error()
