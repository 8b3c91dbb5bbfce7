"""The adjudication API: the dispute queue, a dispute side by side, resolve, verdicts, figures."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from annotations import services
from annotations.exceptions import StaleVersion
from annotations.models import Dispute, DocumentStatus, Resolution
from tests.agreement_support import claim_span, opinion_span, submit_review
from tests.factories import (
    DocumentFactory,
    EvidenceLinkFactory,
    MembershipFactory,
    ProjectFactory,
    SuggestionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def disputed(team: Any) -> Any:
    """A document the two reviewers disagree on: the claim's label, and the opinion."""
    document = DocumentFactory(project=team.project)
    start, end = claim_span(document)
    SuggestionFactory(document=document, start=start, end=end, label="sourced", source_name="AP")
    submit_review(
        document,
        team.reviewer,
        (start, end, "sourced", "the minister"),
        (*opinion_span(document), "opinion"),
    )
    span = document.assignments.get(reviewer=team.reviewer).spans.get(start=start)
    EvidenceLinkFactory(span=span, url="https://example.org/council-list")
    submit_review(document, team.reviewer2, (start, end, "unsourced"))
    document.refresh_from_db()
    return document


def test_leads_list_disputes_oldest_first_with_filters(api: Any, team: Any, disputed: Any) -> None:
    api.force_authenticate(team.lead)
    url = f"/api/v1/projects/{team.project.pk}/disputes"
    body = api.get(url).json()
    assert body["count"] == 2
    first, second = body["results"]
    assert first["id"] < second["id"]
    assert first["kind"] == "label"
    assert first["quote"] == disputed.text[slice(*claim_span(disputed))]
    assert first["document_title"] == disputed.title
    assert [d["kind"] for d in api.get(url, {"kind": "presence"}).json()["results"]] == ["presence"]
    assert api.get(url, {"label": "unsourced"}).json()["count"] == 1
    assert api.get(url, {"status": "resolved"}).json()["count"] == 0
    assert api.get(url, {"document": disputed.pk + 1000}).json()["count"] == 0
    bad = api.get(url, {"kind": "everything"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"
    assert "kind" in bad.json()["fields"]


def test_a_dispute_shows_each_reviewers_version_side_by_side(
    api: Any, team: Any, disputed: Any
) -> None:
    dispute = Dispute.objects.filter(document=disputed).order_by("start").first()
    api.force_authenticate(team.lead)
    body = api.get(f"/api/v1/disputes/{dispute.pk}").json()
    assert body["kind"] == "label"
    assert body["version"] == 0
    assert body["quote"] == disputed.text[dispute.start : dispute.end]
    assert disputed.text[: dispute.start].endswith(body["context_before"])
    versions = {v["reviewer"]: v for v in body["versions"]}
    mine = versions[team.reviewer.username]["spans"][0]
    assert (mine["label"], mine["source"]) == ("sourced", "the minister")
    assert [e["url"] for e in mine["evidence"]] == ["https://example.org/council-list"]
    assert versions[team.reviewer2.username]["spans"][0]["label"] == "unsourced"
    assert [(s["label"], s["source_name"]) for s in body["suggestions"]] == [("sourced", "AP")]
    assert body["resolutions"] == []
    presence = Dispute.objects.filter(document=disputed).order_by("start").last()
    versions = api.get(f"/api/v1/disputes/{presence.pk}").json()["versions"]
    assert {v["reviewer"]: len(v["spans"]) for v in versions} == {
        team.reviewer.username: 1,
        team.reviewer2.username: 0,
    }


def test_resolving_through_the_api_settles_the_document(api: Any, team: Any, disputed: Any) -> None:
    label_dispute, presence = Dispute.objects.filter(document=disputed).order_by("start")
    start, end = claim_span(disputed)
    api.force_authenticate(team.lead)
    response = api.post(
        f"/api/v1/disputes/{label_dispute.pk}/resolve",
        {
            "start": start,
            "end": end,
            "label": "sourced",
            "source": "the minister",
            "rating": "contradicted",
            "rationale": "Attributed; the council lists 12 closures.",
            "version": 0,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "resolution"
    assert body["lead"] == team.lead.username
    assert body["rating"] == "contradicted"
    stale = api.post(
        f"/api/v1/disputes/{label_dispute.pk}/resolve",
        {"no_span": True, "rationale": "Mine too.", "version": 0},
        format="json",
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert stale.json()["current"]["latest_resolution"]["id"] == body["id"]
    response = api.post(
        f"/api/v1/disputes/{presence.pk}/resolve",
        {"no_span": True, "rationale": "Opinion, not a claim to check.", "version": 0},
        format="json",
    )
    assert response.status_code == 201
    verdicts = api.get(f"/api/v1/documents/{disputed.pk}/verdicts").json()
    assert verdicts["status"] == DocumentStatus.ACCEPTED
    [verdict] = verdicts["verdicts"]
    assert verdict["provenance"] == "resolved"
    assert verdict["label"] == "sourced"
    assert verdict["decided_by"] == team.lead.username
    assert verdict["evidence"][0]["url"] == "https://example.org/council-list"
    assert {v["reviewer"] for v in verdict["reviewers"]} == {
        team.reviewer.username,
        team.reviewer2.username,
    }
    figures = api.get(f"/api/v1/projects/{team.project.pk}/agreement").json()
    assert figures["documents"] == 1
    assert figures["disputes"]["resolved"] == 2
    assert {r["reviewer"] for r in figures["reviewers"]} == {
        team.reviewer.username,
        team.reviewer2.username,
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"version": 0, "no_span": True}, "rationale"),
        ({"version": 0, "no_span": True, "rationale": "x", "start": 3}, "start"),
        ({"version": 0, "rationale": "x", "start": 0, "end": 4, "label": "rumour"}, "label"),
        ({"version": 0, "rationale": "x", "start": 4, "end": 2, "label": "opinion"}, "end"),
        ({"version": 0, "rationale": "x", "start": -1, "end": 2, "label": "opinion"}, "start"),
        ({"rationale": "x", "no_span": True}, "version"),
        ({"version": 0, "rationale": "x", "no_span": True, "rating": "maybe"}, "rating"),
    ],
)
def test_resolve_refuses_bad_input_in_the_error_shape(
    api: Any, team: Any, disputed: Any, body: dict[str, Any], field: str
) -> None:
    dispute = Dispute.objects.filter(document=disputed).first()
    api.force_authenticate(team.lead)
    response = api.post(f"/api/v1/disputes/{dispute.pk}/resolve", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]
    assert not Resolution.objects.exists()


def test_rating_and_reopening_through_the_api(api: Any, team: Any) -> None:
    document = DocumentFactory(project=team.project)
    start, end = claim_span(document)
    submit_review(document, team.reviewer, (start, end, "unsourced"))
    submit_review(document, team.reviewer2, (start, end, "unsourced"))
    api.force_authenticate(team.lead)
    rated = api.post(
        f"/api/v1/documents/{document.pk}/ratings",
        {"start": start, "end": end, "rating": "misleading", "rationale": "Counts closures twice."},
        format="json",
    )
    assert rated.status_code == 201, rated.content
    assert rated.json()["kind"] == "rating"
    [verdict] = api.get(f"/api/v1/documents/{document.pk}/verdicts").json()["verdicts"]
    assert (verdict["provenance"], verdict["rating"]) == ("agreed", "misleading")
    missing = api.post(f"/api/v1/documents/{document.pk}/reopen", {"reason": ""}, format="json")
    assert missing.status_code == 400
    assert "reason" in missing.json()["fields"]
    reopened = api.post(
        f"/api/v1/documents/{document.pk}/reopen", {"reason": "New guidance."}, format="json"
    )
    assert reopened.json() == {"id": document.pk, "status": "ready", "review_round": 2}
    again = api.post(f"/api/v1/documents/{document.pk}/reopen", {"reason": "Twice."}, format="json")
    assert again.status_code == 409
    body = api.get(f"/api/v1/documents/{document.pk}/verdicts").json()
    assert body == {"document": document.pk, "status": "ready", "round": 2, "verdicts": []}


def test_reviewers_never_see_disputes_or_others_work(api: Any, team: Any, disputed: Any) -> None:
    dispute = Dispute.objects.filter(document=disputed).first()
    api.force_authenticate(team.reviewer)
    for response in (
        api.get(f"/api/v1/projects/{team.project.pk}/disputes"),
        api.get(f"/api/v1/disputes/{dispute.pk}"),
        api.post(
            f"/api/v1/disputes/{dispute.pk}/resolve",
            {"no_span": True, "rationale": "mine", "version": 0},
            format="json",
        ),
        api.get(f"/api/v1/documents/{disputed.pk}/verdicts"),
        api.get(f"/api/v1/projects/{team.project.pk}/agreement"),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
    # Their own assignment still shows their own spans only, after everyone submitted.
    assignment = disputed.assignments.get(reviewer=team.reviewer)
    spans = api.get(f"/api/v1/assignments/{assignment.pk}").json()["spans"]
    assert {s["label"] for s in spans} == {"sourced", "opinion"}


def test_a_lead_of_another_project_gets_404(api: Any, disputed: Any) -> None:
    other_lead = MembershipFactory(project=ProjectFactory(), role="lead").user
    dispute = Dispute.objects.filter(document=disputed).first()
    api.force_authenticate(other_lead)
    assert api.get(f"/api/v1/disputes/{dispute.pk}").status_code == 404
    assert api.get(f"/api/v1/documents/{disputed.pk}/verdicts").status_code == 404
    assert api.get(f"/api/v1/projects/{disputed.project_id}/agreement").status_code == 404


def test_the_dispute_list_costs_the_same_queries_for_any_page(
    api: Any, team: Any, django_assert_num_queries: Any
) -> None:
    for _ in range(3):
        document = DocumentFactory(project=team.project)
        submit_review(document, team.reviewer, (*claim_span(document), "opinion"))
        submit_review(document, team.reviewer2, (*claim_span(document), "unsourced"))
    api.force_authenticate(team.lead)
    # Session/user, project with role, count, page.
    with django_assert_num_queries(3):
        body = api.get(f"/api/v1/projects/{team.project.pk}/disputes").json()
    assert body["count"] == 3


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_leads_resolving_at_once_one_wins_the_other_gets_the_current_state() -> None:
    project = ProjectFactory()
    reviewers = [MembershipFactory(project=project).user for _ in range(2)]
    leads = [MembershipFactory(project=project, role="lead").user for _ in range(2)]
    document = DocumentFactory(project=project)
    submit_review(document, reviewers[0], (*claim_span(document), "opinion"))
    submit_review(document, reviewers[1], (*claim_span(document), "unsourced"))
    dispute = Dispute.objects.get(document=document)
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []

    def resolve(lead: Any, label: str) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(
                services.dispute_resolve(
                    dispute=dispute,
                    actor=lead,
                    version=0,
                    start=dispute.start,
                    end=dispute.end,
                    label=label,
                    rationale=f"{lead.username} says {label}.",
                )
            )
        except StaleVersion as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=resolve, args=(lead, label))
        for lead, label in zip(leads, ["opinion", "unsourced"], strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    won = [o for o in outcomes if isinstance(o, Resolution)]
    lost = [o for o in outcomes if isinstance(o, StaleVersion)]
    assert (len(won), len(lost)) == (1, 1)
    assert lost[0].extra["current"]["version"] == 1
    assert lost[0].extra["current"]["latest_resolution"]["id"] == won[0].pk
    assert Resolution.objects.filter(dispute=dispute).count() == 1
    document.refresh_from_db()
    assert document.status == DocumentStatus.ACCEPTED


def test_offsets_are_code_points_through_the_whole_path(api: Any, team: Any) -> None:
    text = "قال الوزير 🙂 إن المدارس ستغلق. 👍🏽 رأيي أنه قرار سيئ جدا."
    document = DocumentFactory(project=team.project, text=text)
    claim = (text.index("إن"), text.index(".") + 1)
    opinion = (text.index("رأيي"), len(text))
    submit_review(document, team.reviewer, (*claim, "sourced", "الوزير"), (*opinion, "opinion"))
    submit_review(document, team.reviewer2, (*claim, "sourced", "الوزير"), (*opinion, "unsourced"))
    api.force_authenticate(team.lead)
    [listed] = api.get(f"/api/v1/projects/{team.project.pk}/disputes").json()["results"]
    assert listed["quote"] == text[opinion[0] : opinion[1]]
    detail = api.get(f"/api/v1/disputes/{listed['id']}").json()
    assert detail["context_before"].endswith("👍🏽 ")
    response = api.post(
        f"/api/v1/disputes/{listed['id']}/resolve",
        {**dict(zip(("start", "end"), opinion, strict=True)), "label": "opinion"}
        | {"rationale": "رأي", "version": 0},
        format="json",
    )
    assert response.status_code == 201, response.content
    verdicts = api.get(f"/api/v1/documents/{document.pk}/verdicts").json()["verdicts"]
    assert [(v["quote"], v["provenance"]) for v in verdicts] == [
        ("إن المدارس ستغلق.", "agreed"),
        (text[opinion[0] :], "resolved"),
    ]
