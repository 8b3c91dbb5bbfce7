"""Each bad input gets a 4xx in the one error shape, naming the field and the reason."""

from __future__ import annotations

from typing import Any

import pytest

from annotations.models import AssignmentState, Span
from tests.factories import AssignmentFactory, DocumentFactory, SpanFactory

pytestmark = pytest.mark.django_db

TEXT = "The minister said 40 schools would close."


@pytest.fixture
def mine(api: Any, team: Any) -> Any:
    document = DocumentFactory(project=team.project, text=TEXT)
    assignment = AssignmentFactory(document=document, reviewer=team.reviewer)
    api.force_authenticate(team.reviewer)
    return assignment


SPAN_CASES = [
    ("start before the text", {"start": -1, "end": 4, "label": "opinion"}, 400, "start"),
    ("end past the text", {"start": 0, "end": len(TEXT) + 1, "label": "opinion"}, 400, "end"),
    ("start past the text", {"start": 99, "end": 100, "label": "opinion"}, 400, "start"),
    ("empty span", {"start": 4, "end": 4, "label": "opinion"}, 400, "end"),
    ("inverted span", {"start": 8, "end": 4, "label": "opinion"}, 400, "end"),
    ("unknown label", {"start": 0, "end": 3, "label": "satire"}, 400, "label"),
    ("quote mismatch", {"start": 0, "end": 3, "label": "opinion", "quote": "A"}, 400, "quote"),
    ("missing label", {"start": 0, "end": 3}, 400, "label"),
    ("start not a number", {"start": "x", "end": 3, "label": "opinion"}, 400, "start"),
    ("unknown suggestion", {"start": 0, "end": 3, "label": "opinion", "suggestion": 999}, 400,
     "suggestion"),
    ("stale version", {"start": 0, "end": 3, "label": "opinion", "version": 7}, 409, "version"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [case[1:] for case in SPAN_CASES],
    ids=[case[0] for case in SPAN_CASES],
)
def test_bad_span_is_refused_naming_the_field(
    api: Any, mine: Any, body: dict[str, Any], status: int, field: str
) -> None:
    response = api.post(f"/api/v1/assignments/{mine.pk}/spans", body, format="json")
    assert response.status_code == status
    error = response.json()
    assert field in error["fields"]
    assert error["fields"][field][0]
    assert error["code"] in {"invalid", "stale_version"}
    assert error["message"]


def test_stale_version_answers_409_with_the_current_state(api: Any, mine: Any) -> None:
    span = SpanFactory(assignment=mine, start=0, end=3)
    first = api.patch(f"/api/v1/spans/{span.pk}", {"version": 1, "label": "sourced"}, format="json")
    assert first.status_code == 200
    stale = api.patch(f"/api/v1/spans/{span.pk}", {"version": 1, "label": "opinion"}, format="json")
    assert stale.status_code == 409
    body = stale.json()
    assert body["code"] == "stale_version"
    assert body["current"]["version"] == 2
    assert body["current"]["spans"][0]["label"] == "sourced"
    span.refresh_from_db()
    assert span.label == "sourced"


def test_span_update_needs_a_version(api: Any, mine: Any) -> None:
    span = SpanFactory(assignment=mine, start=0, end=3)
    response = api.patch(f"/api/v1/spans/{span.pk}", {"label": "sourced"}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()["fields"]
    assert api.delete(f"/api/v1/spans/{span.pk}").json()["fields"].keys() == {"version"}


def test_no_change_after_submission(api: Any, mine: Any) -> None:
    span = SpanFactory(assignment=mine, start=0, end=3)
    assert api.post(f"/api/v1/assignments/{mine.pk}/submit", {"version": 1}).status_code == 200
    attempts = [
        api.post(
            f"/api/v1/assignments/{mine.pk}/spans",
            {"start": 0, "end": 3, "label": "opinion"},
            format="json",
        ),
        api.patch(f"/api/v1/spans/{span.pk}", {"version": 2, "label": "opinion"}, format="json"),
        api.delete(f"/api/v1/spans/{span.pk}?version=2"),
        api.post(
            f"/api/v1/spans/{span.pk}/evidence",
            {"url": "https://example.org", "stance": "supports"},
            format="json",
        ),
        api.post(f"/api/v1/assignments/{mine.pk}/submit", {"version": 2}, format="json"),
        api.post(f"/api/v1/assignments/{mine.pk}/release", {}, format="json"),
    ]
    for response in attempts:
        assert response.status_code == 409
        assert response.json()["code"] == "wrong_state"
        assert "submitted" in response.json()["fields"]["assignment"][0]
    span.refresh_from_db()
    assert span.label == "unsourced"


def test_submit_needs_a_span_or_an_explicit_nothing_to_mark(api: Any, mine: Any) -> None:
    refused = api.post(f"/api/v1/assignments/{mine.pk}/submit", {"version": 1}, format="json")
    assert refused.status_code == 400
    assert "nothing_to_mark" in refused.json()["fields"]
    accepted = api.post(
        f"/api/v1/assignments/{mine.pk}/submit",
        {"version": 1, "nothing_to_mark": True},
        format="json",
    )
    assert accepted.status_code == 200
    assert accepted.json()["nothing_to_mark"] is True
    assert accepted.json()["state"] == AssignmentState.SUBMITTED


def test_nothing_to_mark_contradicting_spans_is_refused(api: Any, mine: Any) -> None:
    SpanFactory(assignment=mine, start=0, end=3)
    response = api.post(
        f"/api/v1/assignments/{mine.pk}/submit",
        {"version": 1, "nothing_to_mark": True},
        format="json",
    )
    assert response.status_code == 400
    assert "nothing_to_mark" in response.json()["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "javascript:alert(1)", "stance": "supports"}, "url"),
        ({"url": "ftp://example.org/file", "stance": "supports"}, "url"),
        ({"url": "https://", "stance": "supports"}, "url"),
        ({"url": "data:text/html,hi", "stance": "refutes"}, "url"),
        ({"url": "http://[::1", "stance": "supports"}, "url"),
        ({"url": "https://example.org/a b", "stance": "supports"}, "url"),
        ({"url": "https://example.org/\u0001", "stance": "context"}, "url"),
        ({"url": "https://example.org", "stance": "agrees"}, "stance"),
        ({"stance": "supports"}, "url"),
    ],
)
def test_bad_evidence_is_refused_naming_the_field(
    api: Any, mine: Any, body: dict[str, Any], field: str
) -> None:
    span = SpanFactory(assignment=mine, start=0, end=3)
    response = api.post(f"/api/v1/spans/{span.pk}/evidence", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_http_and_https_evidence_is_accepted(api: Any, mine: Any) -> None:
    span = SpanFactory(assignment=mine, start=0, end=3)
    for url in ("http://example.org/a", "HTTPS://example.org/b"):
        response = api.post(
            f"/api/v1/spans/{span.pk}/evidence",
            {"url": url, "stance": "supports", "quoted_passage": "  exact words "},
            format="json",
        )
        assert response.status_code == 201
        assert response.json()["quoted_passage"] == "  exact words "


def test_json_body_nested_too_deeply_is_a_400_parse_error(api: Any, mine: Any) -> None:
    response = api.post(
        f"/api/v1/assignments/{mine.pk}/spans", "[" * 100_000, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "parse_error",
        "message": "JSON parse error - nested too deeply.",
    }


FILTER_CASES = [
    ("unknown document status", "documents", {"status": "bogus"}, "status"),
    ("NUL in a document search", "documents", {"search": "a\x00b"}, "search"),
    ("over-long document search", "documents", {"search": "x" * 201}, "search"),
    ("unknown assignment state", "assignments", {"state": "bogus"}, "state"),
    ("NUL in an assignment state", "assignments", {"state": "\x00"}, "state"),
]


@pytest.mark.parametrize(
    ("listing", "params", "field"),
    [case[1:] for case in FILTER_CASES],
    ids=[case[0] for case in FILTER_CASES],
)
def test_list_filters_are_validated_naming_the_parameter(
    api: Any, team: Any, listing: str, params: dict[str, str], field: str
) -> None:
    api.force_authenticate(team.lead)
    response = api.get(f"/api/v1/projects/{team.project.pk}/{listing}", params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == [field]


def test_list_filters_of_a_project_you_cannot_see_answer_404(api: Any, team: Any) -> None:
    api.force_authenticate(team.outsider)
    response = api.get(f"/api/v1/projects/{team.project.pk}/documents", {"status": "bogus"})
    assert response.status_code == 404


def test_updating_a_span_deleted_since_it_was_looked_up_is_not_found(mine: Any) -> None:
    from annotations import services
    from annotations.exceptions import NotFound

    span = SpanFactory(assignment=mine, start=0, end=3)
    Span.objects.filter(pk=span.pk).delete()
    with pytest.raises(NotFound):
        services.span_update(span=span, actor=mine.reviewer, version=mine.version, label="opinion")


def test_preannotate_refuses_ids_beyond_the_id_column(api: Any, team: Any) -> None:
    api.force_authenticate(team.lead)
    response = api.post(
        f"/api/v1/projects/{team.project.pk}/preannotate",
        {"document_ids": [2**63]},
        format="json",
    )
    assert response.status_code == 400
    # The item is named by its place in the list, like every nested field.
    assert list(response.json()["fields"]) == ["document_ids.0"]


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"text": "Body.", "published": "last week"}, "published"),
        ({"text": "Body.", "url": "ftp://example.org/a"}, "url"),
        ({"text": "\x07"}, "text"),
    ],
)
def test_a_document_refused_by_the_importer_names_the_field_at_fault(
    api: Any, team: Any, record: dict[str, str], field: str
) -> None:
    import json

    api.force_authenticate(team.lead)
    response = api.post(
        f"/api/v1/projects/{team.project.pk}/documents",
        json.dumps(record),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
