"""A reviewer does the whole loop through the API alone; blind review holds throughout."""

from __future__ import annotations

from typing import Any

import pytest

from annotations.models import AssignmentState, DocumentStatus
from tests.factories import (
    AssignmentFactory,
    DocumentFactory,
    EvidenceLinkFactory,
    SpanFactory,
    SuggestionFactory,
)

pytestmark = pytest.mark.django_db

TEXT = "Café owners said on Monday that 40 schools would close. 😀 This is a disgrace."


def test_reviewer_claims_marks_attaches_evidence_and_submits(api: Any, team: Any) -> None:
    document = DocumentFactory(project=team.project, text=TEXT)
    suggestion = SuggestionFactory(
        document=document, end=11, label="sourced", reason="attribution cue 'said'", confidence=0.8
    )
    api.force_authenticate(team.reviewer)

    claimed = api.post(f"/api/v1/projects/{team.project.pk}/queue/next")
    assert claimed.status_code == 201
    assignment = claimed.json()
    assert assignment["document"]["text"] == TEXT
    assert assignment["document"]["suggestions"][0]["id"] == suggestion.pk
    assert assignment["spans"] == []
    assert assignment["state"] == AssignmentState.ACTIVE
    assert (
        api.post(f"/api/v1/projects/{team.project.pk}/queue/next").json()["id"]
        == (assignment["id"])
    )

    emoji = TEXT.index("😀")
    created = api.post(
        f"/api/v1/assignments/{assignment['id']}/spans",
        {"start": emoji + 2, "end": len(TEXT), "label": "opinion", "quote": TEXT[emoji + 2 :]},
        format="json",
    )
    assert created.status_code == 201, created.content
    span = created.json()
    assert span["quote"] == "This is a disgrace."
    assert span["prefix"].endswith("close. 😀 ")
    assert span["suffix"] == ""
    assert span["assignment_version"] == 2

    accepted = api.post(
        f"/api/v1/assignments/{assignment['id']}/spans",
        {
            "start": 0,
            "end": 11,
            "label": "sourced",
            "source": "café owners",
            "suggestion": suggestion.pk,
        },
        format="json",
    )
    assert accepted.status_code == 201
    assert accepted.json()["quote"] == "Café owners"

    resized = api.patch(
        f"/api/v1/spans/{span['id']}", {"version": 3, "start": emoji + 10}, format="json"
    )
    assert resized.status_code == 200, resized.content
    assert resized.json()["quote"] == "a disgrace."

    evidence = api.post(
        f"/api/v1/spans/{span['id']}/evidence",
        {"url": "https://example.org/schools", "stance": "context", "title": "Schools list"},
        format="json",
    )
    assert evidence.status_code == 201
    version = api.get(f"/api/v1/assignments/{assignment['id']}").json()["version"]
    assert version == 5

    submitted = api.post(
        f"/api/v1/assignments/{assignment['id']}/submit", {"version": version}, format="json"
    )
    assert submitted.status_code == 200
    assert submitted.json()["state"] == AssignmentState.SUBMITTED
    assert api.post(f"/api/v1/projects/{team.project.pk}/queue/next").status_code == 204
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY  # one of two reviews in


def test_reviewer_never_sees_another_reviewers_work(api: Any, team: Any) -> None:
    document = DocumentFactory(project=team.project)
    mine = AssignmentFactory(document=document, reviewer=team.reviewer, slot=0)
    theirs = AssignmentFactory(
        document=document, reviewer=team.reviewer2, slot=1, state=AssignmentState.ACTIVE
    )
    their_span = SpanFactory(assignment=theirs)
    their_link = EvidenceLinkFactory(span=their_span)
    SpanFactory(assignment=mine, start=9, end=12)
    api.force_authenticate(team.reviewer)
    for submitted in (False, True):
        if submitted:
            api.post(f"/api/v1/assignments/{mine.pk}/submit", {"version": 1}, format="json")
        listed = api.get(f"/api/v1/projects/{team.project.pk}/assignments").json()
        assert [row["id"] for row in listed["results"]] == [mine.pk]
        detail = api.get(f"/api/v1/assignments/{mine.pk}").json()
        assert all(span["assignment"] == mine.pk for span in detail["spans"])
        assert api.get(f"/api/v1/assignments/{theirs.pk}").status_code == 404
        assert api.get(f"/api/v1/spans/{their_span.pk}").status_code == 404
        assert api.post(f"/api/v1/spans/{their_span.pk}/evidence", {}).status_code == 404
        assert api.delete(f"/api/v1/evidence/{their_link.pk}?version=1").status_code == 404
        document_body = api.get(f"/api/v1/documents/{document.pk}").json()
        assert "spans" not in document_body
        assert "assignments" not in document_body


def test_leads_see_every_reviewers_work_but_cannot_change_it(api: Any, team: Any) -> None:
    document = DocumentFactory(project=team.project)
    first = AssignmentFactory(document=document, reviewer=team.reviewer, slot=0)
    second = AssignmentFactory(document=document, reviewer=team.reviewer2, slot=1)
    span = SpanFactory(assignment=second)
    api.force_authenticate(team.lead)
    listed = api.get(f"/api/v1/projects/{team.project.pk}/assignments").json()
    assert {row["id"] for row in listed["results"]} == {first.pk, second.pk}
    assert api.get(f"/api/v1/spans/{span.pk}").status_code == 200
    patched = api.patch(f"/api/v1/spans/{span.pk}", {"version": 1, "label": "opinion"})
    assert patched.status_code == 403


def test_release_skips_the_document(api: Any, team: Any) -> None:
    DocumentFactory(project=team.project)
    api.force_authenticate(team.reviewer)
    claimed = api.post(f"/api/v1/projects/{team.project.pk}/queue/next").json()
    released = api.post(f"/api/v1/assignments/{claimed['id']}/release", {}, format="json")
    assert released.status_code == 200
    assert released.json()["state"] == AssignmentState.RELEASED
    assert api.post(f"/api/v1/projects/{team.project.pk}/queue/next").status_code == 204
    again = api.post(f"/api/v1/assignments/{claimed['id']}/release", {}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "wrong_state"


def test_queue_next_is_a_post_only(api: Any, team: Any) -> None:
    api.force_authenticate(team.reviewer)
    response = api.get(f"/api/v1/projects/{team.project.pk}/queue/next")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_the_claims_plain_answer_is_what_the_detail_serializer_gives(api: Any, team: Any) -> None:
    """The claim builds its answer without the nested serializers (they cost more than the
    queries): it must stay the schema's shape, field for field, new and resumed."""
    import datetime

    from annotations.api.outputs import AssignmentDetailOutputSerializer
    from annotations.models import Zone
    from annotations.selectors import assignment_get

    document = DocumentFactory(
        project=team.project,
        text=TEXT,
        author="Zoë",
        published_on=datetime.date(2026, 2, 3),
        metadata={"section": "politique", "tags": ["a", 1]},
    )
    Zone.objects.create(document=document, kind="article", start=0, end=len(TEXT), engine="t")
    Zone.objects.create(document=document, kind="paragraph", start=0, end=20, engine="t")
    SuggestionFactory(document=document, start=5, end=11, label="sourced", confidence=0.125)
    SuggestionFactory(document=document, start=0, end=4, source_name="the minister")
    api.force_authenticate(team.reviewer)

    def expected(assignment_id: int) -> Any:
        assignment = assignment_get(user=team.reviewer, assignment_id=assignment_id, detail=True)
        # Through JSON both ways, as a client receives it.
        return api.get(f"/api/v1/assignments/{assignment_id}").json(), dict(
            AssignmentDetailOutputSerializer(assignment).data
        )

    claimed = api.post(f"/api/v1/projects/{team.project.pk}/queue/next")
    assert claimed.status_code == 201
    detail_json, serialized = expected(claimed.json()["id"])
    assert claimed.json() == detail_json
    assert list(claimed.data) == list(serialized)
    assert list(claimed.data["document"]) == list(serialized["document"])

    span = api.post(
        f"/api/v1/assignments/{claimed.json()['id']}/spans",
        {"start": 0, "end": 4, "label": "unsourced"},
        format="json",
    ).json()
    EvidenceLinkFactory(span_id=span["id"], added_by=team.reviewer)
    resumed = api.post(f"/api/v1/projects/{team.project.pk}/queue/next")
    assert resumed.status_code == 200
    detail_json, _ = expected(claimed.json()["id"])
    resumed_json = resumed.json()
    # Asking again renewed the lease (and only that).
    assert resumed_json.pop("lease_expires_at") >= detail_json.pop("lease_expires_at")
    assert resumed_json == detail_json
    assert resumed_json["spans"][0]["evidence"]


def test_submit_and_release_answer_what_the_assignment_serializer_gives(
    api: Any, team: Any
) -> None:
    """Built as plain data too (the submit is on every task's path); same JSON, same order."""
    from rest_framework.renderers import JSONRenderer

    from annotations.api.outputs import AssignmentOutputSerializer
    from annotations.models import Assignment

    def serialized(assignment_id: int) -> bytes:
        assignment = Assignment.objects.get(pk=assignment_id)
        return bytes(JSONRenderer().render(AssignmentOutputSerializer(assignment).data))

    DocumentFactory.create_batch(2, project=team.project)
    api.force_authenticate(team.reviewer)
    first = api.post(f"/api/v1/projects/{team.project.pk}/queue/next").json()
    released = api.post(f"/api/v1/assignments/{first['id']}/release", {}, format="json")
    assert released.status_code == 200
    assert released.content == serialized(first["id"])
    second = api.post(f"/api/v1/projects/{team.project.pk}/queue/next").json()
    submitted = api.post(
        f"/api/v1/assignments/{second['id']}/submit",
        {"version": second["version"], "nothing_to_mark": True},
        format="json",
    )
    assert submitted.status_code == 200
    assert submitted.json()["submitted_at"] is not None
    assert submitted.content == serialized(second["id"])
