"""Offsets over emoji and Arabic land where the server expects; markup stays text; axe is clean."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from rest_framework.test import APIClient

from annotations import services
from annotations.models import Assignment, Role, Span
from annotations.services import membership_set, project_create
from tests.factories import UserFactory
from tests.web.conftest import axe_violations, enable_axe, login, screenshot
from tests.web.helpers import click_text, drag_select, import_text, open_workspace, wait_saved

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIXED = (
    "The family 👨‍👩‍👧‍👦 moved to 🇺🇦 Kyiv, the minister said on Monday.\n"
    "قال الوزير إن العجز انخفض بنسبة خمسة في المئة هذا العام.\n"
    "Wave 👋🏽 if the café reopened, the owner said. 新华社报道，经济增长了。\n"  # noqa: RUF001
)

HOSTILE_TITLE = "<img src=x onerror=window.__pwned=1> Title"
HOSTILE = (
    "Markup must stay text.\n"
    '<script>window.__pwned = 2</script> and <img src=x onerror="window.__pwned=3"> '
    "and <b>not bold</b> and &amp; stays as typed.\n"
)


def _claim(page: Any, live_server: Any, project: Any) -> Assignment:
    page.goto(f"{live_server.url}/")
    page.click(f"#project-{project.pk} ~ .actions button")
    open_workspace(page)
    return Assignment.objects.get(project=project, state="active")


def _project_with(reviewer: Any, title: str, text: str) -> Any:
    project = project_create(name=f"Project for {title[:20]}", reviews_required=1)
    membership_set(project=project, user=reviewer, role=Role.REVIEWER)
    import_text(project, title=title, text=text)
    return project


def test_spans_over_emoji_arabic_and_cjk_store_the_servers_offsets_and_quotes(
    live_server: Any, page: Any, page_errors: list[str], eager_celery: None
) -> None:
    reviewer = UserFactory()
    project = _project_with(reviewer, "Emoji and Arabic", MIXED)
    login(page, live_server, reviewer)
    assignment = _claim(page, live_server, project)
    text = assignment.document.text

    # The Arabic word is right to left: pressed on its first letter, released on its last.
    for needle, key in (
        ("family 👨‍👩‍👧‍👦", "3"),
        ("Kyiv", "1"),
        ("الوزير", "2"),
        ("café reopened", "3"),
        ("经济", "2"),
    ):
        drag_select(page, needle)
        page.keyboard.press(key)
        wait_saved(page)
    screenshot(page, "workspace-emoji-arabic")

    api = APIClient()
    api.force_authenticate(reviewer)
    stored = []
    for span in Span.objects.filter(assignment=assignment).order_by("start"):
        body = api.get(f"/api/v1/spans/{span.pk}").json()
        # Code points: Python's own slice of the stored text is the quote.
        assert body["quote"] == text[body["start"] : body["end"]]
        stored.append((body["label"], body["quote"], body["start"]))
    quotes = [quote for _, quote, _ in stored]
    assert quotes[:3] == ["family 👨‍👩‍👧‍👦", "Kyiv", "الوزير"]
    assert "café reopened" in quotes
    # Word snapping keeps CJK to a dictionary word or so, never the whole run.
    cjk = next(quote for quote in quotes if "经济" in quote)
    assert len(cjk) <= 4
    assert stored[1][2] == text.index("Kyiv")  # after the ZWJ family and the flag
    assert page_errors == []


def test_markup_in_text_titles_sources_and_evidence_is_shown_as_text_and_runs_nothing(
    live_server: Any, page: Any, page_errors: list[str], eager_celery: None
) -> None:
    reviewer = UserFactory()
    project = _project_with(reviewer, HOSTILE_TITLE, HOSTILE)
    login(page, live_server, reviewer)
    response = page.goto(f"{live_server.url}/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assignment = _claim(page, live_server, project)
    start = assignment.document.text.index("<script>")
    span = services.span_create(
        assignment=assignment,
        actor=reviewer,
        start=start,
        end=start + len("<script>window.__pwned = 2</script>"),
        label="sourced",
        source='<img src=x onerror="window.__pwned=4">',
        note="<script>window.__pwned=5</script>",
    )
    services.evidence_add(
        span=span,
        actor=reviewer,
        url="https://example.org/?q=<script>",
        stance="context",
        title="<img src=x onerror=window.__pwned=6>",
    )
    page.reload()
    open_workspace(page)
    click_text(page, "<script>")
    expect(page.locator("#panel-span")).to_be_visible()

    expect(page.locator("h1#doc-title")).to_have_text(HOSTILE_TITLE)
    assert "<script>window.__pwned = 2</script>" in page.locator("#doc-text").inner_text()
    expect(page.locator("#span-source")).to_have_value('<img src=x onerror="window.__pwned=4">')
    expect(page.locator("#evidence-list a")).to_have_text("<img src=x onerror=window.__pwned=6>")
    assert page.locator("img").count() == 0
    assert page.locator("script:not([type='module']):not([type='application/json'])").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    screenshot(page, "workspace-markup")
    assert page_errors == []


def test_nested_and_overlapping_spans_stay_visible_and_each_can_be_selected(
    live_server: Any, page: Any, page_errors: list[str], eager_celery: None
) -> None:
    reviewer = UserFactory()
    text = "The minister said the deficit fell by half last year, which is plainly wrong.\n"
    project = _project_with(reviewer, "Nested", text)
    login(page, live_server, reviewer)
    assignment = _claim(page, live_server, project)
    stored = assignment.document.text
    outer = services.span_create(
        assignment=assignment, actor=reviewer, start=0, end=stored.index(","), label="sourced"
    )
    inner = stored.index("deficit fell")
    services.span_create(
        assignment=assignment, actor=reviewer, start=inner, end=inner + 12, label="unsourced"
    )
    crossing = stored.index("last year")
    services.span_create(
        assignment=assignment,
        actor=reviewer,
        start=crossing,
        end=stored.index("wrong") + 5,
        label="opinion",
    )
    page.reload()
    open_workspace(page)
    assert page.locator("#doc-text .seg.nested").count() >= 2

    click_text(page, "deficit")
    expect(page.locator("#span-quote")).to_have_text("deficit fell")
    expect(page.locator("#span-also")).to_be_visible()
    click_text(page, "deficit")  # again: the span around it
    expect(page.locator("#span-quote")).to_have_text(stored[: outer.end])
    page.locator("#span-also-list button", has_text="Opinion").click()
    expect(page.locator("#span-quote")).to_contain_text("plainly wrong")
    # Keyboard: j and k walk the spans in text order.
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    expect(page.locator("#span-quote")).to_have_text(stored[: outer.end])
    page.keyboard.press("j")
    expect(page.locator("#span-quote")).to_have_text("deficit fell")
    screenshot(page, "workspace-nested")
    assert page_errors == []


def test_pages_have_no_serious_or_critical_accessibility_violations(
    live_server: Any, page: Any, eager_celery: None
) -> None:
    reviewer = UserFactory()
    project = _project_with(reviewer, "Accessible", MIXED)
    enable_axe(page)
    page.goto(f"{live_server.url}/login/")
    assert axe_violations(page) == []
    login(page, live_server, reviewer)
    page.goto(f"{live_server.url}/")
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/password/")
    assert axe_violations(page) == []
    _claim(page, live_server, project)
    assert axe_violations(page) == []
    page.keyboard.press("n")
    assert axe_violations(page) == []
    drag_select(page, "Kyiv")
    page.keyboard.press("1")
    wait_saved(page)
    expect(page.locator("#panel-span")).to_be_visible()
    assert axe_violations(page) == []
    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    expect(page.locator("#help-close")).to_be_focused()
    assert axe_violations(page) == []
    screenshot(page, "workspace-help")
    page.keyboard.press("Escape")
    expect(page.locator("#help")).to_be_hidden()
