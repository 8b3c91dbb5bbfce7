"""A document's round completing, disputes, resolutions, ratings and reopening (real DB)."""

from __future__ import annotations

from typing import Any

import pytest

from annotations import services
from annotations.exceptions import InvalidInput, StaleVersion, WrongState
from annotations.models import (
    Assignment,
    AuditEvent,
    Dispute,
    DisputeKind,
    DisputeStatus,
    DocumentAgreement,
    DocumentStatus,
    Resolution,
    ResolutionKind,
    Role,
)
from annotations.selectors import agreement_for_project, verdicts_for_document
from tests.agreement_support import claim_span, opinion_span, submit_review
from tests.factories import DocumentFactory, EvidenceLinkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(team: Any) -> Any:
    return DocumentFactory(project=team.project)


def _disputed(team: Any, document: Any) -> Any:
    """Two reviewers: the claim labelled differently, the opinion marked by one only."""
    claim = claim_span(document)
    submit_review(
        document,
        team.reviewer,
        (*claim, "sourced", "the minister"),
        (*opinion_span(document), "opinion"),
    )
    submit_review(document, team.reviewer2, (*claim, "unsourced"))
    document.refresh_from_db()
    return document


def test_the_first_review_does_not_complete_the_round(team: Any, document: Any) -> None:
    submit_review(document, team.reviewer, (*claim_span(document), "unsourced"))
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY  # one place of two is still free
    assert not DocumentAgreement.objects.filter(document=document).exists()


def test_agreeing_reviews_accept_the_document_with_agreed_verdicts(
    team: Any, document: Any
) -> None:
    start, end = claim_span(document)
    submit_review(document, team.reviewer, (start, end, "sourced", "The minister"))
    span = Assignment.objects.get(document=document, reviewer=team.reviewer).spans.get()
    EvidenceLinkFactory(span=span, url="https://example.org/schools")
    submit_review(document, team.reviewer2, (start + 1, end, "sourced", "the minister."))
    document.refresh_from_db()
    assert document.status == DocumentStatus.ACCEPTED
    assert not Dispute.objects.filter(document=document).exists()
    agreement = DocumentAgreement.objects.get(document=document)
    assert agreement.disputes == 0
    assert agreement.verdict_stats == {
        team.reviewer.username: [1, 1, 1],
        team.reviewer2.username: [1, 1, 1],
    }
    [verdict] = verdicts_for_document(document=document)
    assert (verdict.start, verdict.end, verdict.label) == (start, end, "sourced")
    assert verdict.quote == document.text[start:end]
    assert verdict.provenance == "agreed"
    assert verdict.decided_by == ""
    assert verdict.rating == ""
    assert verdict.resolution_id is None
    assert {v.reviewer for v in verdict.reviewers} == {
        team.reviewer.username,
        team.reviewer2.username,
    }
    assert [e.url for e in verdict.evidence] == ["https://example.org/schools"]
    actions = set(AuditEvent.objects.filter(entity_id=document.pk).values_list("action", flat=True))
    assert "document.accepted" in actions


def test_disagreeing_reviews_open_disputes_and_dispute_the_document(
    team: Any, document: Any
) -> None:
    _disputed(team, document)
    assert document.status == DocumentStatus.DISPUTED
    disputes = list(Dispute.objects.filter(document=document).order_by("start"))
    assert [(d.kind, d.status, d.version) for d in disputes] == [
        (DisputeKind.LABEL, DisputeStatus.OPEN, 0),
        (DisputeKind.PRESENCE, DisputeStatus.OPEN, 0),
    ]
    assert disputes[0].spans.count() == 2
    assert disputes[1].spans.count() == 1
    assert verdicts_for_document(document=document) == []
    event = AuditEvent.objects.get(action="document.disputed", entity_id=document.pk)
    assert event.before == {"status": DocumentStatus.REVIEWED}
    assert event.after == {
        "status": DocumentStatus.DISPUTED,
        "round": 1,
        "disputes": [[d.pk, d.kind, d.start, d.end] for d in disputes],
    }


def test_nothing_to_mark_against_a_span_is_a_presence_dispute(team: Any, document: Any) -> None:
    submit_review(document, team.reviewer, (*claim_span(document), "unsourced"))
    second = submit_review(document, team.reviewer2)
    assert second.nothing_to_mark
    [dispute] = Dispute.objects.filter(document=document)
    assert dispute.kind == DisputeKind.PRESENCE


def test_both_marking_nothing_accepts_with_no_verdicts(team: Any, document: Any) -> None:
    submit_review(document, team.reviewer)
    submit_review(document, team.reviewer2)
    document.refresh_from_db()
    assert document.status == DocumentStatus.ACCEPTED
    assert verdicts_for_document(document=document) == []


def test_resolving_the_last_open_dispute_accepts_the_document(team: Any, document: Any) -> None:
    _disputed(team, document)
    label_dispute, presence_dispute = Dispute.objects.filter(document=document).order_by("start")
    start, end = claim_span(document)
    first = services.dispute_resolve(
        dispute=label_dispute,
        actor=team.lead,
        version=0,
        start=start,
        end=end,
        label="sourced",
        source="Minister",
        rating="contradicted",
        rationale="Attributed in the text.",
    )
    document.refresh_from_db()
    assert document.status == DocumentStatus.DISPUTED
    assert first.kind == ResolutionKind.RESOLUTION
    assert first.supersedes is None
    services.dispute_resolve(
        dispute=presence_dispute, actor=team.lead, version=0, no_span=True, rationale="Fine."
    )
    document.refresh_from_db()
    assert document.status == DocumentStatus.ACCEPTED
    [verdict] = verdicts_for_document(document=document)
    assert (verdict.start, verdict.end, verdict.label, verdict.source) == (
        start,
        end,
        "sourced",
        "Minister",
    )
    assert verdict.provenance == "resolved"
    assert verdict.decided_by == team.lead.username
    assert verdict.rating == "contradicted"
    assert verdict.rationale == "Attributed in the text."
    assert verdict.dispute_id == label_dispute.pk
    assert verdict.resolution_id == first.pk
    assert sorted((v.reviewer, v.label) for v in verdict.reviewers) == [
        (team.reviewer.username, "sourced"),
        (team.reviewer2.username, "unsourced"),
    ]
    stats = DocumentAgreement.objects.get(document=document).verdict_stats
    assert stats == {team.reviewer.username: [2, 1, 1], team.reviewer2.username: [1, 1, 0]}
    assert AuditEvent.objects.filter(action="document.accepted", entity_id=document.pk).exists()


def test_a_later_decision_supersedes_and_both_stay(team: Any, document: Any) -> None:
    _disputed(team, document)
    dispute = Dispute.objects.filter(document=document).order_by("start").first()
    start, end = claim_span(document)
    first = services.dispute_resolve(
        dispute=dispute,
        actor=team.lead,
        version=0,
        start=start,
        end=end,
        label="unsourced",
        rationale="First look.",
    )
    with pytest.raises(StaleVersion) as stale:
        services.dispute_resolve(
            dispute=dispute, actor=team.admin, version=0, no_span=True, rationale="Too late."
        )
    assert stale.value.extra["current"]["version"] == 1
    assert stale.value.extra["current"]["latest_resolution"]["id"] == first.pk
    second = services.dispute_resolve(
        dispute=dispute,
        actor=team.admin,
        version=1,
        start=start,
        end=end,
        label="sourced",
        source="the minister",
        rationale="On reflection, attributed.",
    )
    assert second.supersedes_id == first.pk
    assert list(Resolution.objects.filter(dispute=dispute).order_by("id")) == [first, second]
    first.refresh_from_db()
    assert first.label == "unsourced"
    assert first.rationale == "First look."
    services.dispute_resolve(
        dispute=Dispute.objects.get(document=document, kind=DisputeKind.PRESENCE),
        actor=team.lead,
        version=0,
        no_span=True,
        rationale="Nothing there.",
    )
    document.refresh_from_db()
    [verdict] = verdicts_for_document(document=document)
    assert verdict.label == "sourced"
    assert verdict.decided_by == team.admin.username
    assert verdict.resolution_id == second.pk


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"rationale": "  "}, "rationale"),
        ({"label": "gossip"}, "label"),
        ({"start": None}, "start"),
        ({"end": 10_000}, "end"),
        ({"no_span": True}, "start"),
        ({"rating": "true-ish"}, "rating"),
    ],
)
def test_resolve_refuses_bad_input_naming_the_field(
    team: Any, document: Any, changes: dict[str, Any], field: str
) -> None:
    _disputed(team, document)
    dispute = Dispute.objects.filter(document=document).first()
    start, end = claim_span(document)
    arguments: dict[str, Any] = {
        "start": start,
        "end": end,
        "label": "sourced",
        "rationale": "Because.",
        **changes,
    }
    with pytest.raises(InvalidInput) as error:
        services.dispute_resolve(dispute=dispute, actor=team.lead, version=0, **arguments)
    assert field in error.value.fields
    assert not Resolution.objects.exists()


def test_rating_an_agreed_span_is_an_append_only_decision(team: Any, document: Any) -> None:
    start, end = claim_span(document)
    submit_review(document, team.reviewer, (start, end, "unsourced"))
    submit_review(document, team.reviewer2, (start, end, "unsourced"))
    document.refresh_from_db()
    first = services.agreed_span_rate(
        document=document,
        actor=team.lead,
        start=start,
        end=end,
        rating="unverifiable",
        rationale="No public record.",
    )
    second = services.agreed_span_rate(
        document=document,
        actor=team.lead,
        start=start,
        end=end,
        rating="contradicted",
        rationale="The council's list names 12 schools.",
    )
    assert second.supersedes_id == first.pk
    assert (first.kind, first.dispute_id, first.label) == (ResolutionKind.RATING, None, "unsourced")
    [verdict] = verdicts_for_document(document=document)
    assert verdict.provenance == "agreed"
    assert (verdict.rating, verdict.decided_by, verdict.resolution_id) == (
        "contradicted",
        team.lead.username,
        second.pk,
    )
    with pytest.raises(InvalidInput) as error:
        services.agreed_span_rate(
            document=document,
            actor=team.lead,
            start=start,
            end=end - 1,
            rating="supported",
            rationale="x",
        )
    assert "start" in error.value.fields
    assert AuditEvent.objects.filter(action="rating.created").count() == 2


def test_reopen_starts_a_new_round_and_keeps_the_old_one(team: Any, document: Any) -> None:
    _disputed(team, document)
    open_before = Dispute.objects.filter(document=document).count()
    old_assignments = set(Assignment.objects.filter(document=document).values_list("pk", flat=True))
    reopened = services.document_reopen(
        document=document, actor=team.lead, reason="Reviewers need the new style guide."
    )
    assert (reopened.status, reopened.review_round) == (DocumentStatus.READY, 2)
    assert Dispute.objects.filter(document=document, status=DisputeStatus.WITHDRAWN).count() == (
        open_before
    )
    with pytest.raises(WrongState):
        services.dispute_resolve(
            dispute=Dispute.objects.filter(document=document).first(),
            actor=team.lead,
            version=0,
            no_span=True,
            rationale="Late.",
        )
    # The same reviewers review again in round 2; round 1 stays as it was.
    start, end = claim_span(document)
    submit_review(reopened, team.reviewer, (start, end, "sourced", "the minister"))
    submit_review(reopened, team.reviewer2, (start, end, "sourced", "The Minister"))
    document.refresh_from_db()
    assert document.status == DocumentStatus.ACCEPTED
    assignments = Assignment.objects.filter(document=document)
    assert assignments.count() == 4
    assert old_assignments <= set(assignments.values_list("pk", flat=True))
    assert sorted(assignments.values_list("round", flat=True)) == [1, 1, 2, 2]
    assert list(
        DocumentAgreement.objects.filter(document=document)
        .order_by("round")
        .values_list("round", "is_current")
    ) == [(1, False), (2, True)]
    assert [v.label for v in verdicts_for_document(document=document)] == ["sourced"]
    figures = agreement_for_project(project=team.project)
    assert figures["documents"] == 1
    assert figures["disputes"]["withdrawn"] == open_before
    after = AuditEvent.objects.get(action="document.reopened").after
    assert after is not None
    assert after["reason"] == "Reviewers need the new style guide."


def test_reopen_refuses_a_document_still_in_review(team: Any, document: Any) -> None:
    with pytest.raises(WrongState):
        services.document_reopen(document=document, actor=team.lead, reason="Why not.")
    with pytest.raises(InvalidInput):
        services.document_reopen(document=document, actor=team.lead, reason="   ")


def test_project_figures_rest_on_the_completed_documents(team: Any) -> None:
    agreed = DocumentFactory(project=team.project)
    disputed = DocumentFactory(project=team.project)
    for document in (agreed, disputed):
        submit_review(document, team.reviewer, (*claim_span(document), "unsourced"))
    submit_review(agreed, team.reviewer2, (*claim_span(agreed), "unsourced"))
    submit_review(disputed, team.reviewer2, (*claim_span(disputed), "opinion"))
    figures = agreement_for_project(project=team.project)
    assert figures["documents"] == 2
    assert figures["alpha"]["documents"] == 2
    assert -1 <= figures["alpha"]["value"] <= 1
    [pair] = figures["pairs"]
    assert pair["reviewers"] == sorted([team.reviewer.username, team.reviewer2.username])
    assert pair["span_exact"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "documents": 2}
    assert pair["kappa"]["documents"] == 2
    assert figures["disputes"]["open"] == 1
    assert figures["documents_by_status"]["accepted"] == 1
    # Only the settled document says how reviewers fared against the verdicts.
    assert [r["documents"] for r in figures["reviewers"]] == [1, 1]


def test_the_completing_submit_costs_a_bounded_number_of_statements(
    team: Any, document: Any, django_assert_num_queries: Any
) -> None:
    start, end = claim_span(document)
    submit_review(
        document, team.reviewer, (start, end, "unsourced"), (*opinion_span(document), "opinion")
    )
    claim = services.assignment_claim_next(project=team.project, reviewer=team.reviewer2)
    assignment = claim.assignment
    services.span_create(
        assignment=assignment, actor=team.reviewer2, start=start, end=end, label="sourced"
    )
    assignment.refresh_from_db()
    services.agreement_totals_rebuild(project=team.project)  # as after any earlier document
    # 8 for the submit itself (with the test's savepoint), 10 for agreement: the round's
    # reviews with their spans and the text's length, labels, zones, disputes and their spans,
    # the figures, the project's running total (lock, update), the status, the audit row.
    # None depends on the size of the project.
    with django_assert_num_queries(18):
        services.assignment_submit(
            assignment=assignment, actor=team.reviewer2, version=assignment.version
        )
    document.refresh_from_db()
    assert document.status == DocumentStatus.DISPUTED


def test_verdicts_stream_in_chunks_with_queries_independent_of_the_documents(team: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from annotations.selectors import documents_visible, verdicts_for_documents

    def settle(count: int) -> None:
        for _ in range(count):
            document = DocumentFactory(project=team.project)
            start, end = claim_span(document)
            submit_review(document, team.reviewer, (start, end, "unsourced"))
            submit_review(document, team.reviewer2, (start, end, "unsourced"))

    def streamed() -> tuple[int, list[Any]]:
        # The documents list defers the text: the stream must not load it one by one.
        listing = documents_visible(user=team.lead, project=team.project, role=Role.LEAD).order_by(
            "id"
        )
        with CaptureQueriesContext(connection) as queries:
            result = list(verdicts_for_documents(documents=listing, chunk_size=500))
        return len(queries), result

    settle(1)
    one, result = streamed()
    settle(4)
    five, result = streamed()
    assert one == five
    assert [len(verdicts) for _, verdicts in result] == [1] * 5
    assert all(verdicts[0].quote.startswith("The minister") for _, verdicts in result)


def test_backfill_settles_documents_left_at_reviewed(team: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    from annotations.models import Document

    document = DocumentFactory(project=team.project)
    start, end = claim_span(document)
    submit_review(document, team.reviewer, (start, end, "unsourced"))
    submit_review(document, team.reviewer2, (start, end, "opinion"))
    # As a round completed before this code existed would look: reviewed, nothing recorded.
    Dispute.objects.filter(document=document).delete()
    DocumentAgreement.objects.filter(document=document).delete()
    Document.objects.filter(pk=document.pk).update(status=DocumentStatus.REVIEWED)
    out = StringIO()
    call_command("agreement_backfill", "--project", team.project.name, stdout=out)
    assert out.getvalue().strip() == "Settled 1 document(s)."
    document.refresh_from_db()
    assert document.status == DocumentStatus.DISPUTED
    assert Dispute.objects.get(document=document).kind == DisputeKind.LABEL
    event = AuditEvent.objects.filter(action="document.disputed", entity_id=document.pk).first()
    assert event.actor is None
    call_command("agreement_backfill", "--rebuild-totals", stdout=out)
    assert DocumentAgreement.objects.filter(document=document).count() == 1
    assert "Rebuilt the running totals of 2 project(s)." in out.getvalue()
    assert agreement_for_project(project=team.project)["documents"] == 1


def test_the_running_total_always_equals_the_sum_of_the_current_rounds(team: Any) -> None:
    from annotations.agreement import project_figures
    from annotations.models import Label, ProjectAgreement

    labels = list(Label.objects.filter(project=team.project).values_list("value", flat=True))

    def summed() -> dict[str, Any]:
        rows = DocumentAgreement.objects.filter(project=team.project, is_current=True)
        return project_figures(rows=rows.values_list("stats", "verdict_stats"), labels=labels)

    def close(got: Any, expected: Any) -> bool:
        if isinstance(expected, dict):
            return got.keys() == expected.keys() and all(close(got[k], expected[k]) for k in got)
        if isinstance(expected, list):
            return len(got) == len(expected) and all(map(close, got, expected))
        if isinstance(expected, float):
            return bool(got == pytest.approx(expected, rel=1e-9, abs=1e-12))
        return bool(got == expected)

    def check() -> None:
        figures = agreement_for_project(project=team.project)
        expected = summed()
        assert close({k: figures[k] for k in expected}, expected), (figures, expected)

    documents = [DocumentFactory(project=team.project) for _ in range(3)]
    for i, document in enumerate(documents):
        start, end = claim_span(document)
        submit_review(document, team.reviewer, (start, end, "unsourced"))
        submit_review(document, team.reviewer2, (start, end, "unsourced" if i else "opinion"))
        check()
    dispute = Dispute.objects.get(document=documents[0])
    start, end = claim_span(documents[0])
    services.dispute_resolve(
        dispute=dispute,
        actor=team.lead,
        version=0,
        start=start,
        end=end,
        label="opinion",
        rationale="Loaded.",
    )
    check()
    services.dispute_resolve(
        dispute=dispute,
        actor=team.lead,
        version=1,
        start=start,
        end=end,
        label="unsourced",
        rationale="On reflection, a claim.",
    )
    check()
    services.document_reopen(document=documents[1], actor=team.lead, reason="Again.")
    check()
    assert agreement_for_project(project=team.project)["documents"] == 2
    documents[1].refresh_from_db()
    submit_review(documents[1], team.reviewer, (*claim_span(documents[1]), "opinion"))
    submit_review(documents[1], team.reviewer2)
    check()
    before = agreement_for_project(project=team.project)
    services.agreement_totals_rebuild(project=team.project)
    assert ProjectAgreement.objects.filter(project=team.project).count() == 1
    assert close(agreement_for_project(project=team.project), before)
