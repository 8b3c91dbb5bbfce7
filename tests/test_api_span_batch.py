"""Several spans in one write: all of them or none, one version bump, one audit row each."""

from __future__ import annotations

from typing import Any

import pytest

from annotations.models import Assignment, AuditEvent, Membership, Span
from tests.factories import AssignmentFactory, DocumentFactory, SuggestionFactory

pytestmark = pytest.mark.django_db

TEXT = "The mayor said 40 schools would close. 😀 That is a disgrace. Prices rose 5%."


@pytest.fixture
def assignment(team: Any) -> Any:
    document = DocumentFactory(project=team.project, text=TEXT)
    return AssignmentFactory(document=document, reviewer=team.reviewer)


def _batch(api: Any, assignment: Any, spans: list[dict[str, Any]], **extra: Any) -> Any:
    return api.post(
        f"/api/v1/assignments/{assignment.pk}/spans/batch",
        {"spans": spans, **extra},
        format="json",
    )


def test_a_batch_adds_every_span_with_one_version_bump(
    api: Any, team: Any, assignment: Any
) -> None:
    suggestion = SuggestionFactory(document=assignment.document, start=0, end=38, label="sourced")
    emoji = TEXT.index("😀")
    api.force_authenticate(team.reviewer)

    response = _batch(
        api,
        assignment,
        [
            {
                "start": 0,
                "end": 38,
                "label": "sourced",
                "source": "the mayor",
                "suggestion": suggestion.pk,
            },
            {
                "start": emoji + 2,
                "end": emoji + 21,
                "label": "opinion",
                "quote": "That is a disgrace.",
            },
            {"start": TEXT.index("Prices"), "end": len(TEXT), "label": "unsourced"},
        ],
        version=assignment.version,
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["assignment_version"] == assignment.version + 1
    assert [span["quote"] for span in body["spans"]] == [
        TEXT[:38],
        "That is a disgrace.",
        "Prices rose 5%.",
    ]
    assert body["spans"][0]["suggestion"] == suggestion.pk
    assert body["spans"][1]["prefix"].endswith("close. 😀 ")
    stored = Span.objects.filter(assignment=assignment).order_by("start")
    assert [(s.label, s.source) for s in stored] == [
        ("sourced", "the mayor"),
        ("opinion", ""),
        ("unsourced", ""),
    ]
    assert AuditEvent.objects.filter(action="span.created", actor=team.reviewer).count() == 3
    assert Assignment.objects.get(pk=assignment.pk).version == assignment.version + 1


@pytest.mark.parametrize(
    ("bad_item", "field"),
    [
        ({"start": 30, "end": 10, "label": "opinion"}, "spans.1.end"),
        ({"start": 0, "end": 5, "label": "rumour"}, "spans.1.label"),
        ({"start": 0, "end": 5, "label": "opinion", "quote": "nope"}, "spans.1.quote"),
        ({"start": 0, "end": 10_000, "label": "opinion"}, "spans.1.end"),
        ({"start": 0, "end": 5, "label": "opinion", "suggestion": 2**31}, "spans.1.suggestion"),
        ({"end": 5, "label": "opinion"}, "spans.1.start"),
        ({"start": "zero", "end": 5, "label": "opinion"}, "spans.1.start"),
    ],
)
def test_one_wrong_item_refuses_the_whole_batch_naming_it(
    api: Any, team: Any, assignment: Any, bad_item: dict[str, Any], field: str
) -> None:
    api.force_authenticate(team.reviewer)

    response = _batch(api, assignment, [{"start": 0, "end": 9, "label": "sourced"}, bad_item])

    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == [field]
    assert all(isinstance(reason, str) for reason in response.json()["fields"][field])
    assert not Span.objects.filter(assignment=assignment).exists()
    assert Assignment.objects.get(pk=assignment.pk).version == assignment.version


def test_a_suggestion_on_another_document_is_refused_by_its_place(
    api: Any, team: Any, assignment: Any
) -> None:
    elsewhere = SuggestionFactory(document=DocumentFactory(project=team.project), start=0, end=5)
    here = SuggestionFactory(document=assignment.document, start=0, end=9, label="sourced")
    api.force_authenticate(team.reviewer)

    response = _batch(
        api,
        assignment,
        [
            {"start": 0, "end": 9, "label": "sourced", "suggestion": here.pk},
            {"start": 0, "end": 5, "label": "opinion", "suggestion": elsewhere.pk},
        ],
    )

    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["spans.1.suggestion"]
    assert not Span.objects.filter(assignment=assignment).exists()


def test_an_empty_batch_is_refused(api: Any, team: Any, assignment: Any) -> None:
    api.force_authenticate(team.reviewer)
    response = _batch(api, assignment, [])
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["spans"]


def test_a_stale_version_refuses_the_batch_with_the_current_state(
    api: Any, team: Any, assignment: Any
) -> None:
    api.force_authenticate(team.reviewer)
    response = _batch(api, assignment, [{"start": 0, "end": 9, "label": "sourced"}], version=99)
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert response.json()["current"]["version"] == assignment.version


@pytest.mark.parametrize(
    ("caller", "expected"), [("lead", 403), ("reviewer2", 404), ("outsider", 404)]
)
def test_only_the_owner_may_write_a_batch(
    api: Any, team: Any, assignment: Any, caller: str, expected: int
) -> None:
    api.force_authenticate(getattr(team, caller))
    response = _batch(api, assignment, [{"start": 0, "end": 9, "label": "sourced"}])
    assert response.status_code == expected
    assert not Span.objects.filter(assignment=assignment).exists()


def test_a_reviewer_removed_from_the_project_can_no_longer_write_there(
    api: Any, team: Any, assignment: Any
) -> None:
    Membership.objects.filter(project=team.project, user=team.reviewer).delete()
    api.force_authenticate(team.reviewer)

    single = api.post(
        f"/api/v1/assignments/{assignment.pk}/spans",
        {"start": 0, "end": 9, "label": "sourced"},
        format="json",
    )
    batch = _batch(api, assignment, [{"start": 0, "end": 9, "label": "sourced"}])

    assert (single.status_code, batch.status_code) == (404, 404)
    assert not Span.objects.filter(assignment=assignment).exists()
