"""Every endpoint against every kind of caller, with exact status codes.

Callers: anonymous, the reviewer who owns the work in question, a reviewer of another project,
a lead and an admin of the project. Objects of projects one is not in answer 404 (nothing leaks);
what one can see but not change answers 403.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from annotations.models import AssignmentState, DocumentStatus, JobKind, JobState
from tests.factories import (
    AssignmentFactory,
    DocumentFactory,
    EvidenceLinkFactory,
    JobFactory,
    PreannotationRunFactory,
    SpanFactory,
)

pytestmark = pytest.mark.django_db

CALLERS = ("anonymous", "reviewer", "outsider", "lead", "admin")
ERROR_CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: Callable[[Any], str]
    expected: tuple[int, int, int, int, int]  # in the order of CALLERS
    body: Callable[[Any], Any] | None = None
    multipart: bool = False


def _upload(world: Any) -> dict[str, Any]:
    return {"files": [SimpleUploadedFile("note.txt", b"A short note\n\nIt says things.")]}


def _large_upload(world: Any) -> dict[str, Any]:
    # Over the 1 MB that may be imported in the request: stored, and imported by a job.
    lines = (json.dumps({"text": f"Record {n}. " + "words " * 40}) for n in range(5000))
    return {"files": [SimpleUploadedFile("many.jsonl", "\n".join(lines).encode())]}


CASES = [
    Case("projects list", "get", lambda w: "/api/v1/projects", (401, 200, 200, 200, 200)),
    Case(
        "project create",
        "post",
        lambda w: "/api/v1/projects",
        (401, 403, 403, 403, 403),
        body=lambda w: {"name": "A new desk"},
    ),
    Case("project detail", "get", lambda w: f"/api/v1/projects/{w.p}", (401, 200, 404, 200, 200)),
    Case(
        "memberships list",
        "get",
        lambda w: f"/api/v1/projects/{w.p}/memberships",
        (401, 403, 404, 200, 200),
    ),
    Case(
        "membership set",
        "post",
        lambda w: f"/api/v1/projects/{w.p}/memberships",
        (401, 403, 404, 403, 200),
        body=lambda w: {"username": w.team.reviewer2.username, "role": "lead"},
    ),
    Case(
        "documents list",
        "get",
        lambda w: f"/api/v1/projects/{w.p}/documents",
        (401, 200, 404, 200, 200),
    ),
    Case(
        "document create",
        "post",
        lambda w: f"/api/v1/projects/{w.p}/documents",
        (401, 403, 404, 201, 201),
        body=lambda w: {"title": "Fresh", "text": "A fresh text that nobody has seen."},
    ),
    Case(
        "documents upload",
        "post",
        lambda w: f"/api/v1/projects/{w.p}/documents/upload",
        (401, 403, 404, 200, 200),
        body=_upload,
        multipart=True,
    ),
    Case(
        "documents upload (large: a job)",
        "post",
        lambda w: f"/api/v1/projects/{w.p}/documents/upload",
        (401, 403, 404, 202, 202),
        body=_large_upload,
        multipart=True,
    ),
    Case("document detail", "get", lambda w: f"/api/v1/documents/{w.d}", (401, 200, 404, 200, 200)),
    Case(
        "queue next",
        "post",
        lambda w: f"/api/v1/projects/{w.p}/queue/next",
        (401, 200, 404, 201, 201),
    ),
    Case(
        "assignments list",
        "get",
        lambda w: f"/api/v1/projects/{w.p}/assignments",
        (401, 200, 404, 200, 200),
    ),
    Case(
        "assignment detail",
        "get",
        lambda w: f"/api/v1/assignments/{w.a}",
        (401, 200, 404, 200, 200),
    ),
    Case(
        "assignment release",
        "post",
        lambda w: f"/api/v1/assignments/{w.a}/release",
        (401, 200, 404, 403, 403),
        body=lambda w: {"version": 1},
    ),
    Case(
        "assignment submit",
        "post",
        lambda w: f"/api/v1/assignments/{w.a}/submit",
        (401, 200, 404, 403, 403),
        body=lambda w: {"version": 1},
    ),
    Case(
        "span create",
        "post",
        lambda w: f"/api/v1/assignments/{w.a}/spans",
        (401, 201, 404, 403, 403),
        body=lambda w: {"start": 0, "end": 8, "label": "opinion"},
    ),
    Case(
        "span batch create",
        "post",
        lambda w: f"/api/v1/assignments/{w.a}/spans/batch",
        (401, 201, 404, 403, 403),
        body=lambda w: {"spans": [{"start": 0, "end": 8, "label": "opinion"}]},
    ),
    Case("span detail", "get", lambda w: f"/api/v1/spans/{w.s}", (401, 200, 404, 200, 200)),
    Case(
        "span update",
        "patch",
        lambda w: f"/api/v1/spans/{w.s}",
        (401, 200, 404, 403, 403),
        body=lambda w: {"version": 1, "label": "sourced"},
    ),
    Case(
        "span delete",
        "delete",
        lambda w: f"/api/v1/spans/{w.s}?version=1",
        (401, 200, 404, 403, 403),
    ),
    Case(
        "evidence create",
        "post",
        lambda w: f"/api/v1/spans/{w.s}/evidence",
        (401, 201, 404, 403, 403),
        body=lambda w: {"url": "https://example.org/report", "stance": "refutes"},
    ),
    Case(
        "evidence delete",
        "delete",
        lambda w: f"/api/v1/evidence/{w.e}?version=1",
        (401, 200, 404, 403, 403),
    ),
    Case(
        "runs list",
        "get",
        lambda w: f"/api/v1/projects/{w.p}/preannotation-runs",
        (401, 200, 404, 200, 200),
    ),
    Case(
        "preannotate",
        "post",
        lambda w: f"/api/v1/projects/{w.p}/preannotate",
        (401, 403, 404, 202, 202),
        body=lambda w: {"document_ids": [w.d]},
    ),
    Case(
        "run detail",
        "get",
        lambda w: f"/api/v1/projects/{w.p}/preannotation-runs/{w.r}",
        (401, 200, 404, 200, 200),
    ),
    Case(
        "project export",
        "get",
        lambda w: f"/api/v1/projects/{w.p}/export?format=json",
        (401, 403, 404, 200, 200),
    ),
    Case(
        "document export",
        "get",
        lambda w: f"/api/v1/documents/{w.d}/export?format=csv",
        (401, 403, 404, 200, 200),
    ),
    Case("job detail", "get", lambda w: f"/api/v1/jobs/{w.j}", (401, 404, 404, 200, 200)),
    Case(
        "job download",
        "get",
        lambda w: f"/api/v1/jobs/{w.j}/download",
        (401, 404, 404, 200, 200),
    ),
]


@dataclass
class World:
    team: Any
    p: int
    d: int
    a: int
    s: int
    e: int
    r: int
    j: int


@pytest.fixture
def world(team: Any, settings: Any, tmp_path: Path) -> World:
    document = DocumentFactory(project=team.project)
    DocumentFactory(project=team.project)  # a second one for leads and admins to claim
    assignment = AssignmentFactory(document=document, reviewer=team.reviewer)
    span = SpanFactory(assignment=assignment)
    link = EvidenceLinkFactory(span=span)
    run = PreannotationRunFactory(project=team.project)
    # A finished export-like job of the lead's, with its file in the jobs folder.
    settings.FACTCHECK_JOB_FILES_DIR = tmp_path
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "export.csv").write_text("id,label\n1,opinion\n")
    job = JobFactory(
        project=team.project,
        kind=JobKind.EXPORT,
        state=JobState.DONE,
        created_by=team.lead,
        finished_at=timezone.now(),
        result_path="results/export.csv",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    return World(
        team, team.project.pk, document.pk, assignment.pk, span.pk, link.pk, run.pk, job.pk
    )


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
@pytest.mark.parametrize("caller", CALLERS)
def test_permission_matrix(api: Any, world: World, case: Case, caller: str) -> None:
    if caller != "anonymous":
        api.force_authenticate(getattr(world.team, caller))
    body = case.body(world) if case.body else None
    response = getattr(api, case.method)(
        case.url(world), body, format="multipart" if case.multipart else "json"
    )
    expected = case.expected[CALLERS.index(caller)]
    assert response.status_code == expected, response.content
    if expected in ERROR_CODES:
        assert response.json()["code"] == ERROR_CODES[expected]
        assert set(response.json()) == {"code", "message"}


def test_only_superusers_create_projects(api: Any, superuser: Any) -> None:
    api.force_authenticate(superuser)
    response = api.post("/api/v1/projects", {"name": "  Climate desk ", "reviews_required": 3})
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Climate desk"
    assert body["reviews_required"] == 3
    assert body["role"] == "admin"
    assert [label["value"] for label in body["labels"]] == ["sourced", "unsourced", "opinion"]


def test_superusers_are_admins_of_every_project(api: Any, world: World, superuser: Any) -> None:
    api.force_authenticate(superuser)
    assert api.get(f"/api/v1/projects/{world.p}").json()["role"] == "admin"
    assert api.get(f"/api/v1/projects/{world.p}/memberships").status_code == 200
    assert api.post(f"/api/v1/assignments/{world.a}/submit", {"version": 1}).status_code == 403


def test_health_needs_no_authentication(api: Any, db: None) -> None:
    assert api.get("/api/v1/health").status_code == 200


def test_states_after_owner_actions(api: Any, world: World) -> None:
    api.force_authenticate(world.team.reviewer)
    assert api.post(f"/api/v1/assignments/{world.a}/submit", {"version": 1}).json()["state"] == (
        AssignmentState.SUBMITTED
    )
    document = api.get(f"/api/v1/documents/{world.d}").json()
    assert document["status"] == DocumentStatus.READY


def test_a_reviewer_removed_from_a_project_loses_their_assignments_there(
    api: Any, team: Any
) -> None:
    from annotations.models import Membership

    document = DocumentFactory(project=team.project)
    assignment = AssignmentFactory(document=document, reviewer=team.reviewer)
    span = SpanFactory(assignment=assignment, start=0, end=8)
    Membership.objects.filter(project=team.project, user=team.reviewer).delete()
    api.force_authenticate(team.reviewer)
    for response in (
        api.get(f"/api/v1/assignments/{assignment.pk}"),
        api.get(f"/api/v1/spans/{span.pk}"),
        api.post(
            f"/api/v1/assignments/{assignment.pk}/spans",
            {"start": 0, "end": 3, "label": "opinion"},
            format="json",
        ),
        api.post(f"/api/v1/assignments/{assignment.pk}/submit", {"version": 1}, format="json"),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


# --- Agreement and adjudication (issue 7): leads and admins only; reviewers 403, others 404.


@dataclass
class AdjudicationWorld:
    team: Any
    p: int
    d: int  # disputed document
    a: int  # accepted document (agreed span at [start, end))
    x: int  # dispute
    start: int
    end: int


@pytest.fixture
def adjudication(team: Any) -> AdjudicationWorld:
    from annotations.models import Dispute
    from tests.agreement_support import claim_span, submit_review

    disputed = DocumentFactory(project=team.project)
    accepted = DocumentFactory(project=team.project)
    start, end = claim_span(accepted)
    submit_review(disputed, team.reviewer, (*claim_span(disputed), "opinion"))
    submit_review(disputed, team.reviewer2, (*claim_span(disputed), "unsourced"))
    submit_review(accepted, team.reviewer, (start, end, "unsourced"))
    submit_review(accepted, team.reviewer2, (start, end, "unsourced"))
    dispute = Dispute.objects.get(document=disputed)
    return AdjudicationWorld(
        team, team.project.pk, disputed.pk, accepted.pk, dispute.pk, start, end
    )


ADJUDICATION_CASES = [
    Case(
        "agreement",
        "get",
        lambda w: f"/api/v1/projects/{w.p}/agreement",
        (401, 403, 404, 200, 200),
    ),
    Case(
        "disputes list",
        "get",
        lambda w: f"/api/v1/projects/{w.p}/disputes",
        (401, 403, 404, 200, 200),
    ),
    Case("dispute detail", "get", lambda w: f"/api/v1/disputes/{w.x}", (401, 403, 404, 200, 200)),
    Case(
        "dispute resolve",
        "post",
        lambda w: f"/api/v1/disputes/{w.x}/resolve",
        (401, 403, 404, 201, 201),
        body=lambda w: {"no_span": True, "rationale": "Not a claim.", "version": 0},
    ),
    Case(
        "document rating",
        "post",
        lambda w: f"/api/v1/documents/{w.a}/ratings",
        (401, 403, 404, 201, 201),
        body=lambda w: {
            "start": w.start,
            "end": w.end,
            "rating": "unverifiable",
            "rationale": "No record.",
        },
    ),
    Case(
        "document reopen",
        "post",
        lambda w: f"/api/v1/documents/{w.a}/reopen",
        (401, 403, 404, 200, 200),
        body=lambda w: {"reason": "Another look."},
    ),
    Case(
        "document verdicts",
        "get",
        lambda w: f"/api/v1/documents/{w.a}/verdicts",
        (401, 403, 404, 200, 200),
    ),
]


@pytest.mark.parametrize("case", ADJUDICATION_CASES, ids=[case.name for case in ADJUDICATION_CASES])
@pytest.mark.parametrize("caller", CALLERS)
def test_adjudication_permission_matrix(
    api: Any, adjudication: AdjudicationWorld, case: Case, caller: str
) -> None:
    if caller != "anonymous":
        api.force_authenticate(getattr(adjudication.team, caller))
    body = case.body(adjudication) if case.body else None
    response = getattr(api, case.method)(case.url(adjudication), body, format="json")
    expected = case.expected[CALLERS.index(caller)]
    assert response.status_code == expected, response.content
    if expected in ERROR_CODES:
        assert response.json()["code"] == ERROR_CODES[expected]
        assert set(response.json()) == {"code", "message"}
