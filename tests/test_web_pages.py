"""The frontend's pages against every kind of caller: login required, others' projects 404.

Callers as in the API's matrix: anonymous, the reviewer who owns the work, another reviewer of
the project, a reviewer of another project (outsider), the lead and the admin.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from annotations.models import AssignmentState
from tests.factories import AssignmentFactory, DocumentFactory, PreannotationRunFactory

pytestmark = pytest.mark.django_db

CALLERS = ("anonymous", "reviewer", "reviewer2", "outsider", "lead", "admin")


@pytest.fixture
def world(team: Any) -> Any:
    document = DocumentFactory(project=team.project)
    DocumentFactory(project=team.project)
    team.assignment = AssignmentFactory(document=document, reviewer=team.reviewer)
    return team


def _client(world: Any, caller: str) -> Client:
    client = Client()
    if caller != "anonymous":
        client.force_login(getattr(world, caller))
    return client


@pytest.mark.parametrize(
    ("caller", "expected"),
    zip(CALLERS, (302, 200, 200, 200, 200, 200), strict=True),
)
def test_home_needs_login(world: Any, caller: str, expected: int) -> None:
    response = _client(world, caller).get("/")
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"] == "/login/?next=/"


@pytest.mark.parametrize(
    ("caller", "expected"),
    zip(CALLERS, (302, 200, 404, 404, 200, 200), strict=True),
)
def test_the_workspace_is_the_owners_and_the_leads_only(
    world: Any, caller: str, expected: int
) -> None:
    response = _client(world, caller).get(f"/review/{world.assignment.pk}/")
    assert response.status_code == expected
    if expected == 200:
        data = response.context["workspace"]
        assert data["editable"] is (caller == "reviewer")
        assert data["assignment"]["id"] == world.assignment.pk


@pytest.mark.parametrize(
    ("caller", "expected"),
    zip(CALLERS, (302, 302, 302, 404, 302, 302), strict=True),
)
def test_claiming_the_next_document_needs_membership(
    world: Any, caller: str, expected: int
) -> None:
    response = _client(world, caller).post(f"/projects/{world.project.pk}/next")
    assert response.status_code == expected
    if caller == "anonymous":
        assert response["Location"].startswith("/login/")
    elif expected == 302:
        assert response["Location"].startswith("/review/")


def test_claim_is_post_only_and_unknown_projects_are_404(world: Any) -> None:
    client = _client(world, "reviewer")
    assert client.get(f"/projects/{world.project.pk}/next").status_code == 405
    assert client.post("/projects/999999/next").status_code == 404
    assert client.get("/review/999999/").status_code == 404


def test_home_shows_what_waits_progress_and_the_preannotation_state(world: Any) -> None:
    PreannotationRunFactory(
        project=world.project, state="running", documents_total=4, documents_done=1
    )
    body = _client(world, "reviewer2").get("/").content.decode()
    assert world.project.name in body
    assert "2 documents" in body  # both ready documents wait for reviewer2
    assert "running</span>, 1 of 4 documents" in body
    owner = _client(world, "reviewer").get("/").content.decode()
    assert "Continue your document" in owner  # the held document, its lease renewed
    outsider = _client(world, "outsider").get("/").content.decode()
    assert world.project.name not in outsider


def test_a_claimed_document_opens_and_an_empty_queue_says_so(world: Any) -> None:
    client = _client(world, "reviewer2")
    first = client.post(f"/projects/{world.project.pk}/next")
    second = client.post(f"/projects/{world.project.pk}/next")
    assert first["Location"] == second["Location"]  # the one you hold, not a second one
    page = client.get(first["Location"])
    assert page.status_code == 200
    world.assignment.state = AssignmentState.SUBMITTED
    world.assignment.submitted_at = world.assignment.claimed_at
    world.assignment.save()
    reviewer = _client(world, "reviewer")
    reviewer.post(f"/projects/{world.project.pk}/next")
    # reviewer now holds the other document; submit it away and ask again.
    from annotations.models import Assignment

    held = Assignment.objects.get(reviewer=world.reviewer, state=AssignmentState.ACTIVE)
    held.state = AssignmentState.RELEASED
    held.save()
    response = reviewer.post(f"/projects/{world.project.pk}/next", follow=True)
    assert "Nothing is left for you to review" in response.content.decode()


def test_pages_carry_a_csp_without_inline_scripts_and_data_goes_through_json_script(
    world: Any,
) -> None:
    response = _client(world, "reviewer").get(f"/review/{world.assignment.pk}/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    body = response.content.decode()
    assert '<script id="workspace-data" type="application/json">' in body
    assert body.count("<script") == 2  # the JSON island and the module, nothing inline
    assert " onclick=" not in body
    assert " onload=" not in body
    assert _client(world, "anonymous").get("/login/")["Content-Security-Policy"] == policy


def test_login_logout_and_password_change_work_in_the_frontend(world: Any) -> None:
    client = Client()
    response = client.post(
        "/login/",
        {"username": world.reviewer.username, "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/login/").status_code == 302  # already logged in
    changed = client.post(
        "/password/",
        {
            "old_password": "correct horse battery staple",
            "new_password1": "a much better passphrase 42",
            "new_password2": "a much better passphrase 42",
        },
    )
    assert changed.status_code == 302
    assert changed["Location"] == "/password/done/"
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302
    wrong = client.post("/login/", {"username": world.reviewer.username, "password": "nope"})
    assert wrong.status_code == 200
    assert "Please enter a correct username" in wrong.content.decode()


@pytest.fixture
def disputed(team: Any) -> Any:
    from tests.agreement_support import submit_review

    world = team
    document = DocumentFactory(project=world.project)
    start = document.text.index("The minister")
    submit_review(document, world.reviewer, (start, start + 20, "sourced"))
    submit_review(document, world.reviewer2, (start, start + 20, "opinion"))
    world.dispute = document.disputes.get()
    return world


LEAD_PAGES = (
    ("agreement", lambda w: f"/projects/{w.project.pk}/agreement/"),
    ("disputes", lambda w: f"/projects/{w.project.pk}/disputes/"),
    ("next dispute", lambda w: f"/projects/{w.project.pk}/disputes/next"),
    ("dispute", lambda w: f"/disputes/{w.dispute.pk}/"),
    ("reports", lambda w: f"/projects/{w.project.pk}/reports/"),
    ("report", lambda w: f"/projects/{w.project.pk}/report/"),
)


@pytest.mark.parametrize(("page_name", "url"), LEAD_PAGES, ids=[name for name, _ in LEAD_PAGES])
@pytest.mark.parametrize(
    ("caller", "expected"),
    zip(CALLERS, (302, 403, 403, 404, 200, 200), strict=True),
)
def test_lead_pages_are_for_leads_and_admins(
    disputed: Any, page_name: str, url: Any, caller: str, expected: int
) -> None:
    response = _client(disputed, caller).get(url(disputed))
    if page_name == "next dispute" and expected == 200:
        assert response.status_code == 302
        assert response["Location"] == f"/disputes/{disputed.dispute.pk}/"
    else:
        assert response.status_code == expected


def test_the_dispute_page_hands_its_data_to_the_script_and_the_queue_filters(
    disputed: Any,
) -> None:
    client = _client(disputed, "lead")
    body = client.get(f"/disputes/{disputed.dispute.pk}/").content.decode()
    assert '<script id="dispute-data" type="application/json">' in body
    assert body.count("<script") == 2
    queue = client.get(f"/projects/{disputed.project.pk}/disputes/?status=open").content.decode()
    assert f"/disputes/{disputed.dispute.pk}/" in queue
    resolved = client.get(f"/projects/{disputed.project.pk}/disputes/?status=resolved")
    assert f"/disputes/{disputed.dispute.pk}/" not in resolved.content.decode()
    bad = client.get(f"/projects/{disputed.project.pk}/disputes/?status=nonsense")
    assert bad.status_code == 200
    assert "Select a valid choice" in bad.content.decode()
    home = client.get("/").content.decode()
    assert "Disputes (1 open)" in home


def test_the_reports_page_offers_every_format_and_the_report_opens_in_the_browser(
    disputed: Any,
) -> None:
    from annotations.exports import FORMATS

    client = _client(disputed, "lead")
    document = disputed.dispute.document
    page = client.get(f"/projects/{disputed.project.pk}/reports/").content.decode()
    assert "No document is settled yet" in page
    for name in FORMATS:
        assert f"/api/v1/projects/{disputed.project.pk}/export?format={name}" in page

    resolved = client.post(
        f"/api/v1/disputes/{disputed.dispute.pk}/resolve",
        {
            "start": disputed.dispute.start,
            "end": disputed.dispute.end,
            "label": "sourced",
            "source": "<img src=x onerror=alert(1)>",
            "rationale": "Named in the text.",
            "version": 0,
        },
        content_type="application/json",
    )
    assert resolved.status_code == 201, resolved.content
    page = client.get(f"/projects/{disputed.project.pk}/reports/").content.decode()
    for name in FORMATS:
        assert f"/api/v1/documents/{document.pk}/export?format={name}" in page
    download = client.get(f"/api/v1/documents/{document.pk}/export?format=csv")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")

    report = client.get(f"/projects/{disputed.project.pk}/report/")
    body = b"".join(report.streaming_content).decode()
    assert report.status_code == 200
    assert report["Content-Disposition"].startswith("inline")
    assert "script-src" not in report["Content-Security-Policy"]
    assert "default-src 'none'" in report["Content-Security-Policy"]
    assert document.title in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "<img src=x" not in body
