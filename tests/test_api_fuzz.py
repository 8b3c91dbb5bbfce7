"""Property-based fuzzing of the whole API in-process, as a reviewer, a lead and an admin.

Schemathesis reads the OpenAPI schema from the WSGI app and generates requests for every
operation, valid and invalid, with the path ids of real objects so requests get past the
lookups. Each response must not be a 5xx and must match the schema: its status code is
declared, its content type is declared, and its body validates against the declared schema.
The CI budget is FACTCHECK_FUZZ_EXAMPLES cases per role (300 by default, deterministic);
`make fuzz` runs tens of thousands.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

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

EXAMPLES = int(os.environ.get("FACTCHECK_FUZZ_EXAMPLES", "300"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# How many cases each role ran, for the report (`-s` prints it).
CASES_RUN: dict[str, int] = {}


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


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.LEAD, Role.ADMIN])
def test_no_generated_request_gets_a_server_error_or_breaks_the_schema(
    team: Any, role: Role, keep_test_connection: None
) -> None:
    user = {Role.REVIEWER: team.reviewer, Role.LEAD: team.lead, Role.ADMIN: team.admin}[role]
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
    CASES_RUN[role] = 0

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def conforms(case: Any) -> None:
        CASES_RUN[role] += 1
        case.call_and_validate(headers=headers, checks=CHECKS)

    conforms()
    print(f"fuzz: {CASES_RUN[role]} cases as {role}")  # noqa: T201 - the figure for the report


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.LEAD, Role.ADMIN])
def test_stateful_workflows_through_the_schemas_links_keep_to_the_schema(
    team: Any, role: Role, keep_test_connection: None
) -> None:
    """Follow the OpenAPI links (claim -> mark -> evidence -> change/remove -> submit, create
    -> read) with generated data at every step."""
    user = {Role.REVIEWER: team.reviewer, Role.LEAD: team.lead, Role.ADMIN: team.admin}[role]
    for n in range(3):
        DocumentFactory(project=team.project, text=f"Document {n}: the minister said so.")
    headers = {"Authorization": f"Token {services.token_issue(user=user)}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    project_id = team.project.pk

    class Workflow(schema.as_state_machine()):
        # Each scenario starts from the same database: Hypothesis replays scenarios and refuses
        # ones that behave differently the second time (data left by an earlier one would).
        def setup(self) -> None:
            self.savepoint = transaction.savepoint()

        def teardown(self) -> None:
            transaction.savepoint_rollback(self.savepoint)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            if "project_id" in (case.path_parameters or {}) and case.operation.path.count("{") == 1:
                # Start from the caller's project: random ids only ever find nothing.
                case.path_parameters["project_id"] = project_id
            return {"headers": headers}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            CASES_RUN[f"stateful {role}"] = CASES_RUN.get(f"stateful {role}", 0) + 1
            case.validate_response(response, checks=CHECKS)

    Workflow.run(
        settings=settings(
            max_examples=max(10, EXAMPLES // 10),
            stateful_step_count=8,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
    print(f"fuzz: {CASES_RUN[f'stateful {role}']} stateful calls as {role}")  # noqa: T201
