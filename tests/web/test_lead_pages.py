"""A lead settles two reviewers' disagreement in the dispute workspace, in real Chromium."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from annotations.models import Dispute, DisputeStatus, DocumentStatus, Role
from annotations.services import membership_set, project_create
from tests.agreement_support import submit_review
from tests.factories import DocumentFactory, UserFactory
from tests.web.conftest import axe_violations, enable_axe, login, screenshot
from tests.web.helpers import drag_select

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "The minister said on Monday that 40 schools would close. "
    "This is clearly a disgrace, <b>and</b> nobody asked the parents."
)


def _disputed(lead: Any, documents: int = 2) -> tuple[Any, list[Any]]:
    first, second = UserFactory(username="ana"), UserFactory(username="ben")
    project = project_create(name="Desk", reviews_required=2)
    for user, role in ((first, Role.REVIEWER), (second, Role.REVIEWER), (lead, Role.LEAD)):
        membership_set(project=project, user=user, role=role)
    made = []
    for number in range(documents):
        document = DocumentFactory(project=project, text=f"{number}. {TEXT}", title=f"Doc {number}")
        start = document.text.index("The minister")
        end = document.text.index("close.") + len("close.")
        submit_review(document, first, (start, end, "sourced", "the minister"))
        submit_review(document, second, (start, end, "unsourced"))
        made.append(document)
    return project, made


def test_a_lead_resolves_a_dispute_side_by_side_and_gets_the_next(
    live_server: Any, page: Any, page_errors: list[str]
) -> None:
    lead = UserFactory(username="lena")
    _project, documents = _disputed(lead)
    assert Dispute.objects.filter(status=DisputeStatus.OPEN).count() == 2
    enable_axe(page)
    login(page, live_server, lead)

    page.goto(f"{live_server.url}/")
    expect(page.locator(".card")).to_contain_text("Disputes (2 open)")
    page.click("text=Agreement")
    expect(page.locator("h1")).to_contain_text("Agreement in Desk")
    # 3 labels x 2 series, each bar over its background track.
    expect(page.locator("svg[role=img] rect")).to_have_count(12)
    assert axe_violations(page) == []
    screenshot(page, "agreement-dashboard")

    page.click("text=Work the dispute queue")
    page.wait_for_url(re.compile(r"/disputes/\d+/$"))
    expect(page.locator("#dispute-page")).to_have_attribute("data-state", "ready")
    versions = page.locator(".version")
    expect(versions).to_have_count(2)
    expect(versions.nth(0)).to_contain_text("ana")
    expect(versions.nth(0)).to_contain_text("the minister")
    expect(versions.nth(1)).to_contain_text("Unsourced")
    assert axe_violations(page) == []
    screenshot(page, "dispute-workspace")

    # Take ana's version, narrow the span with the mouse, rate it and say why.
    page.click("text=Use ana's version")
    expect(page.locator("#label")).to_have_value("sourced")
    drag_select(page, "40 schools would close", root="final-text")
    expect(page.locator("#final-quote")).to_have_text("40 schools would close")
    page.select_option("#rating", "unverifiable")
    page.fill("#rationale", "The minister is the source; the figure is not checked.")
    first = documents[0]
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: f"/disputes/{Dispute.objects.get(document=first).pk}/" not in url)
    dispute = Dispute.objects.get(document=first)
    assert dispute.status == DisputeStatus.RESOLVED
    resolution = dispute.resolutions.get()
    text = first.text
    assert text[resolution.start : resolution.end] == "40 schools would close"
    assert (resolution.label, resolution.source, resolution.claim_rating) == (
        "sourced",
        "the minister",
        "unverifiable",
    )
    first.refresh_from_db()
    assert first.status == DocumentStatus.ACCEPTED
    # The next dispute opened: the other document's.
    expect(page.locator("h1")).to_contain_text("Doc 1")

    # No span: ben's view wins here, then the queue is empty.
    page.check("#no-span")
    page.fill("#rationale", "Nothing checkable here.")
    page.click("#verdict-form button[type=submit]")
    page.wait_for_url(re.compile(r"/projects/\d+/disputes/$"))
    expect(page.locator(".messages")).to_contain_text("No open disputes are left")
    assert Dispute.objects.filter(status=DisputeStatus.OPEN).count() == 0
    assert page_errors == []


def test_a_concurrent_decision_is_explained_and_the_verdict_kept(
    live_server: Any, page: Any, page_errors: list[str]
) -> None:
    from annotations.services import dispute_resolve

    lead = UserFactory(username="lena")
    _disputed(lead, documents=1)
    dispute = Dispute.objects.get()
    login(page, live_server, lead)
    page.goto(f"{live_server.url}/disputes/{dispute.pk}/")
    expect(page.locator("#dispute-page")).to_have_attribute("data-state", "ready")
    dispute_resolve(dispute=dispute, actor=lead, no_span=True, rationale="Other tab.", version=0)
    page.select_option("#label", "opinion")
    page.fill("#rationale", "My own reasons.")
    page.click("#verdict-form button[type=submit]")
    expect(page.locator("#verdict-error")).to_contain_text("your verdict is kept")
    expect(page.locator("#history")).to_contain_text("Other tab.")
    expect(page.locator("#rationale")).to_have_value("My own reasons.")
    page.click("#verdict-form button[type=submit]")  # supersede with the current version
    page.wait_for_url(re.compile(r"/disputes/$"))
    assert dispute.resolutions.count() == 2
    assert [e for e in page_errors if "409" not in e] == []


def test_a_lead_downloads_reports_and_reads_the_report_in_the_browser(
    live_server: Any, page: Any, page_errors: list[str]
) -> None:
    from annotations.services import dispute_resolve

    lead = UserFactory(username="lena")
    _project, documents = _disputed(lead, documents=1)
    dispute = Dispute.objects.get(document=documents[0])
    dispute_resolve(
        dispute=dispute,
        actor=lead,
        version=0,
        start=dispute.start,
        end=dispute.end,
        label="sourced",
        source="the minister",
        rating="unverifiable",
        rationale="The minister is named; the figure is not checked.",
    )
    enable_axe(page)
    login(page, live_server, lead)

    page.goto(f"{live_server.url}/")
    page.click("text=Reports")
    expect(page.locator("h1")).to_contain_text("Reports of Desk")
    expect(page.locator(".downloads a")).to_have_count(6)
    expect(page.locator("table.data")).to_contain_text("Doc 0")
    assert axe_violations(page) == []
    screenshot(page, "reports")
    with page.expect_download() as download:
        page.click(".downloads a:text-is('csv')")
    assert download.value.suggested_filename.endswith(".csv")
    assert "the minister" in Path(download.value.path()).read_text(encoding="utf-8-sig")

    page.click("text=Open the report")
    expect(page.locator("body")).to_contain_text("The minister said on Monday")
    expect(page.locator("body")).to_contain_text("<b>and</b>")
    screenshot(page, "report")
    assert page_errors == []
