"""A reviewer works through seed documents in real Chromium: every path a person would take."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from annotations import services
from annotations.models import Assignment, AssignmentState, EvidenceLink, Span
from tests.factories import UserFactory
from tests.web.conftest import screenshot
from tests.web.helpers import (
    click_text,
    drag_select,
    open_workspace,
    seed_project,
    wait_saved,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def _spans(assignment: Assignment) -> list[tuple[str, str]]:
    return list(
        Span.objects.filter(assignment=assignment).order_by("start").values_list("label", "quote")
    )


def test_a_reviewer_marks_accepts_rejects_adds_evidence_survives_a_conflict_and_submits(
    live_server: Any, page: Any, page_errors: list[str], eager_celery: None
) -> None:
    reviewer = UserFactory(username="rita")
    seed_project(
        reviewers=[reviewer], seeds=["000_d6e0c713d2832b7b.txt", "004_9d5a950fd5bf1e8b.txt"]
    )

    # Log in through the form; the home page shows what waits.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.fill("#id_username", "rita")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".card")).to_contain_text("2 documents")
    screenshot(page, "home")
    page.click("text=Review next document")
    open_workspace(page)
    assignment = Assignment.objects.get(reviewer=reviewer, state=AssignmentState.ACTIVE)
    assert page.url.endswith(f"/review/{assignment.pk}/")

    # With the mouse: select (snapped to whole words), then a key or a button for each label.
    drag_select(page, "ussian General Sta")
    expect(page.locator("#draft-quote")).to_have_text("Russian General Staff")
    page.keyboard.press("1")
    wait_saved(page)
    drag_select(page, "training facility")
    page.locator("#legend button", has_text="Unsourced").click()
    wait_saved(page)
    drag_select(page, "black hole")
    page.keyboard.press("3")
    wait_saved(page)
    assert _spans(assignment) == [
        ("sourced", "Russian General Staff"),
        ("unsourced", "training facility"),
        ("opinion", "black hole"),
    ]

    # With the keyboard: w takes the next word, Shift+Right extends it, a key labels it.
    page.keyboard.press("Escape")
    page.keyboard.press("w")
    expect(page.locator("#draft-quote")).to_have_text("operated")
    page.keyboard.press("1")
    wait_saved(page)
    page.keyboard.press("w")
    page.keyboard.press("Shift+ArrowRight")
    expect(page.locator("#draft-quote")).to_have_text("by the")
    page.keyboard.press("2")
    wait_saved(page)
    page.keyboard.press("w")
    page.keyboard.press("3")
    wait_saved(page)
    assert _spans(assignment)[3:] == [
        ("sourced", "operated"),
        ("unsourced", "by the"),
        ("opinion", "US"),
    ]

    # Suggestions: n goes to the next one, a accepts it, x rejects the one after.
    page.keyboard.press("Escape")
    page.keyboard.press("n")
    expect(page.locator("#panel-suggestion")).to_be_visible()
    accepted_quote = page.locator("#sugg-quote").inner_text()
    page.keyboard.press("a")
    wait_saved(page)
    accepted = Span.objects.get(assignment=assignment, suggestion__isnull=False)
    assert accepted.quote == accepted_quote
    expect(page.locator("#panel-suggestion")).to_be_visible()
    rejected_quote = page.locator("#sugg-quote").inner_text()
    page.keyboard.press("x")
    assert rejected_quote != accepted_quote
    assert not Span.objects.filter(assignment=assignment, quote=rejected_quote).exists()
    page.keyboard.press("Escape")
    expect(page.locator("#counts")).to_contain_text("1 rejected")

    # Evidence on a span: a javascript: link is refused in the page, an https one is saved.
    click_text(page, "training facility")
    expect(page.locator("#panel-span")).to_be_visible()
    expect(page.locator("#span-quote")).to_have_text("training facility")
    page.fill("#ev-url", "javascript:alert(1)")
    page.click("#evidence-form button[type=submit]")
    expect(page.locator("#ev-error")).to_be_visible()
    page.fill("#ev-url", "https://example.org/reuters-report")
    page.select_option("#ev-stance", "refutes")
    page.fill("#ev-title", "The Reuters report")
    page.fill("#ev-passage", "no training facility was found")
    page.click("#evidence-form button[type=submit]")
    wait_saved(page)
    link = EvidenceLink.objects.get(span__assignment=assignment)
    assert (link.url, link.stance, link.span.quote) == (
        "https://example.org/reuters-report",
        "refutes",
        "training facility",
    )
    anchor = page.locator("#evidence-list a")
    expect(anchor).to_have_attribute("rel", "noopener noreferrer")
    expect(anchor).to_have_text("The Reuters report")

    # A change made elsewhere (another tab) makes the next write stale: 409, explained, and
    # what the reviewer typed survives the retry.
    services.span_create(assignment=assignment, actor=reviewer, start=0, end=3, label="opinion")
    page.fill("#span-source", "Reuters, quoting Gerasimov")
    page.keyboard.press("Tab")
    expect(page.locator("#conflict")).to_be_visible()
    expect(page.locator("#conflict-message")).to_contain_text("changed somewhere else")
    expect(page.locator("#save-state")).to_have_attribute("data-status", "failed")
    expect(page.locator("#span-source")).to_have_value("Reuters, quoting Gerasimov")
    screenshot(page, "workspace-conflict")
    page.click("#retry")
    wait_saved(page)
    expect(page.locator("#conflict")).to_be_hidden()
    assert Span.objects.get(assignment=assignment, quote="training facility").source == (
        "Reuters, quoting Gerasimov"
    )
    # The span made in the other tab is shown too.
    assert Span.objects.filter(assignment=assignment).count() == 8
    page.keyboard.press("Escape")
    page.evaluate("() => window.scrollTo(0, 0)")
    screenshot(page, "workspace")

    # Submit, and the next document opens at once.
    first_url = page.url
    page.click("#submit")
    page.wait_for_url(lambda url: url != first_url and re.search(r"/review/\d+/$", url))
    open_workspace(page)
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.SUBMITTED
    following = Assignment.objects.get(reviewer=reviewer, state=AssignmentState.ACTIVE)
    assert following.document_id != assignment.document_id
    assert page.url.endswith(f"/review/{following.pk}/")

    # Nothing to mark on this one; then the queue is empty and home says so.
    page.click("#nothing")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator(".messages")).to_contain_text("Nothing is left for you to review")
    following.refresh_from_db()
    assert following.state == AssignmentState.SUBMITTED
    assert following.nothing_to_mark
    assert page_errors == []


def test_a_lapsed_lease_is_explained_and_the_document_taken_back_without_losing_the_change(
    live_server: Any, page: Any, page_errors: list[str], eager_celery: None
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from tests.web.conftest import login

    reviewer = UserFactory()
    project = seed_project(reviewers=[reviewer], seeds=["004_9d5a950fd5bf1e8b.txt"])
    login(page, live_server, reviewer)
    page.goto(f"{live_server.url}/")
    page.click(f"#project-{project.pk} ~ .actions button")
    open_workspace(page)
    assignment = Assignment.objects.get(reviewer=reviewer)
    Assignment.objects.filter(pk=assignment.pk).update(
        lease_expires_at=timezone.now() - timedelta(minutes=1)
    )
    page.keyboard.press("w")
    quote = page.locator("#draft-quote").inner_text()
    page.keyboard.press("2")
    expect(page.locator("#conflict-message")).to_contain_text("hold on this document ran out")
    expect(page.locator("#reclaim")).to_be_visible()
    expect(page.locator("#retry")).to_be_hidden()
    assert not Span.objects.filter(assignment=assignment).exists()
    page.click("#reclaim")
    wait_saved(page)
    expect(page.locator("#conflict")).to_be_hidden()
    assert _spans(assignment) == [("unsourced", quote)]
    # Skip: released, and with nothing else in the queue, home says so.
    page.click("#skip")
    page.wait_for_url(f"{live_server.url}/")
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.RELEASED
    assert page_errors == []


def test_zones_are_dimmed_and_labelled_and_a_compilations_articles_separated(
    live_server: Any, page: Any, page_errors: list[str], eager_celery: None
) -> None:
    from tests.web.conftest import login

    reviewer = UserFactory()
    project = seed_project(reviewers=[reviewer], seeds=["002_868390ee499e0b84.txt"])
    login(page, live_server, reviewer)
    page.goto(f"{live_server.url}/")
    page.click(f"#project-{project.pk} ~ .actions button")
    open_workspace(page)
    # Seed 002 is a compilation page: its later articles start with a separator and a name.
    breaks = page.locator("#doc-text .seg.article-break")
    assert breaks.count() >= 2
    expect(breaks.first).to_have_attribute("data-zone", re.compile(r"^Article 2"))
    assert page.locator('#doc-text .seg.zone-start[data-zone*="Byline"]').count() >= 1
    assert page.locator("#doc-text .seg.dim").count() > 0
    # Labels are generated content: the text itself is untouched by them.
    stored = Assignment.objects.get(reviewer=reviewer).document.text
    assert page.evaluate("() => document.getElementById('doc-text').textContent") == stored
    breaks.first.scroll_into_view_if_needed()
    screenshot(page, "workspace-compilation")
    assert page_errors == []
