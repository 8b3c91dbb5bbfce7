"""docs/bad-input.md, row by row: every input class tried, with the answer it gets.

Each test id is a row of the table in docs/bad-input.md (a test checks they stay the same), and
each case states the status code and the field the answer must name (or the error code).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from annotations.models import Role
from tests.agreement_support import submit_review
from tests.conftest import ROOT
from tests.factories import (
    AssignmentFactory,
    DocumentFactory,
    MembershipFactory,
    ProjectFactory,
    SpanFactory,
)

pytestmark = pytest.mark.django_db

TEXT = "Emoji 😀 here: the minister said 40 schools would close."


@dataclass(frozen=True)
class World:
    api: Any
    team: Any
    assignment: Any
    span: Any

    @property
    def spans(self) -> str:
        return f"/api/v1/assignments/{self.assignment.pk}/spans"

    @property
    def evidence(self) -> str:
        return f"/api/v1/spans/{self.span.pk}/evidence"

    @property
    def documents(self) -> str:
        return f"/api/v1/projects/{self.team.project.pk}/documents"

    def as_lead(self) -> World:
        self.api.force_authenticate(self.team.lead)
        return self


def span(w: World, **body: Any) -> Any:
    return w.api.post(w.spans, {"label": "opinion", **body}, format="json")


def evidence(w: World, url: str) -> Any:
    return w.api.post(w.evidence, {"url": url, "stance": "supports"}, format="json")


def document(w: World, **body: Any) -> Any:
    return w.as_lead().api.post(w.documents, body, format="json")


def _reviewed(w: World, *labels: tuple[str, str]) -> Any:
    """A document of a project of its own, reviewed by two reviewers with these (label,
    source) spans at the same place; the team's lead leads it."""
    project = ProjectFactory()
    MembershipFactory(project=project, user=w.team.lead, role=Role.LEAD)
    document = DocumentFactory(project=project, text=TEXT)
    start = TEXT.index("the minister")
    for label, source in labels:
        reviewer = MembershipFactory(project=project, role=Role.REVIEWER).user
        submit_review(document, reviewer, (start, len(TEXT), label, source))
    return document


def rationale_with_markup(w: World) -> Any:
    dispute = _reviewed(w, ("sourced", "the minister"), ("opinion", "")).disputes.get()
    return w.as_lead().api.post(
        f"/api/v1/disputes/{dispute.pk}/resolve",
        {
            "start": dispute.start,
            "end": dispute.end,
            "label": "sourced",
            "source": "<b>the minister</b>",
            "rationale": "<script>alert(1)</script> named in the text",
            "version": 0,
        },
        format="json",
    )


def formula_in_export(w: World) -> Any:
    formula = '=HYPERLINK("http://attacker.example","open")'
    document = _reviewed(w, ("sourced", formula), ("sourced", formula))
    return w.as_lead().api.get(f"/api/v1/documents/{document.pk}/export?format=csv")


def raw(w: World, path: str, body: bytes, content_type: str, **extra: Any) -> Any:
    return w.api.generic("POST", path, body, content_type=content_type, **extra)


@dataclass(frozen=True)
class Row:
    name: str
    send: Callable[[World], Any]
    status: int
    names: str  # the field named in `fields`, or "code:<code>" for errors without fields


ROWS = [
    Row("offset negative", lambda w: span(w, start=-1, end=4), 400, "start"),
    Row("offsets inverted", lambda w: span(w, start=8, end=4), 400, "end"),
    Row("offset past the end", lambda w: span(w, start=0, end=len(TEXT) + 1), 400, "end"),
    Row("offset inside an emoji (UTF-16 surrogate pair)", lambda w: span(w, start=6, end=7), 201,
        "quote:😀"),
    Row("offset a huge integer", lambda w: span(w, start=2**70, end=2**71), 400, "start"),
    Row("offset not an integer", lambda w: span(w, start="1e3", end=4), 400, "start"),
    Row("unknown label", lambda w: span(w, start=0, end=5, label="satire"), 400, "label"),
    Row("quote mismatch", lambda w: span(w, start=0, end=5, quote="Other"), 400, "quote"),
    Row("evidence javascript: URL", lambda w: evidence(w, "javascript:alert(1)"), 400, "url"),
    Row("evidence file: URL", lambda w: evidence(w, "file:///etc/passwd"), 400, "url"),
    Row("evidence data: URL", lambda w: evidence(w, "data:text/html,<b>x</b>"), 400, "url"),
    Row("evidence loopback address", lambda w: evidence(w, "http://127.0.0.1/admin/"), 400, "url"),
    Row("evidence localhost name", lambda w: evidence(w, "http://localhost:8000/"), 400, "url"),
    Row("evidence private address", lambda w: evidence(w, "http://10.1.2.3/x"), 400, "url"),
    Row("evidence link-local address", lambda w: evidence(w, "http://169.254.169.254/"), 400,
        "url"),
    Row("evidence IPv6 loopback and link-local", lambda w: evidence(w, "http://[fe80::1]/"), 400,
        "url"),
    Row("evidence 10 KB URL", lambda w: evidence(w, "https://example.org/" + "a" * 10240), 400,
        "url"),
    Row("body over the size limit (10 MB)",
        lambda w: raw(w, w.spans, b"{}", "application/json", CONTENT_LENGTH=str(10 << 20)), 413,
        "code:too_large"),
    Row("body nested 100,000 deep", lambda w: raw(w, w.spans, b"[" * 100_000, "application/json"),
        400, "code:parse_error"),
    Row("wrong content type (text/plain)", lambda w: raw(w, w.spans, b"start=1", "text/plain"),
        415, "code:unsupported_media_type"),
    Row("wrong content type (XML)", lambda w: raw(w, w.spans, b"<a/>", "application/xml"), 415,
        "code:unsupported_media_type"),
    Row("invalid UTF-8 body", lambda w: raw(w, w.spans, b'{"start": "\xff"}', "application/json"),
        400, "code:parse_error"),
    Row("NaN or Infinity in a JSON body",
        lambda w: raw(w, w.spans, b'{"start": NaN, "end": 3}', "application/json"), 400, "start"),
    Row("NUL byte in a note", lambda w: span(w, start=0, end=5, note="a\x00b"), 400, "note"),
    Row("NUL byte in a document's text", lambda w: document(w, text="a\x00b c"), 400, "text"),
    Row("lone surrogate in a document's text",
        lambda w: raw(w.as_lead(), w.documents, b'{"text": "a \\ud800 b"}', "application/json"),
        400, "text"),
    Row("document over 5 MB", lambda w: document(w, text="x" * (5 * 1024 * 1024 + 1)), 400,
        "text"),
    Row("pathological document (one 1 MB line, no punctuation)",
        lambda w: document(w, text="word " * 200_000), 201, "stored"),
    Row("markup in text and title",
        lambda w: document(w, text="<script>alert(1)</script> body", title="<img src=x>"), 201,
        "stored"),
    Row("markup in source and note",
        lambda w: span(w, start=0, end=5, source="<b>Ann</b>", note="<script>x</script>"), 201,
        "stored"),
    Row("markup in a rationale", rationale_with_markup, 201, "stored"),
    Row("formula cells in an export", formula_in_export, 200, "csv"),
    Row("newline in a path", lambda w: w.api.get("/api/v1/spans/1%0A"), 404, "code:not_found"),
]  # fmt: skip


@pytest.fixture
def world(api: Any, team: Any) -> World:
    doc = DocumentFactory(project=team.project, text=TEXT)
    assignment = AssignmentFactory(document=doc, reviewer=team.reviewer)
    api.force_authenticate(team.reviewer)
    return World(api, team, assignment, SpanFactory(assignment=assignment, start=0, end=5))


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_each_input_class_gets_its_documented_answer(world: World, row: Row) -> None:
    response = row.send(world)
    assert response.status_code == row.status, getattr(response, "content", b"")[:300]
    if row.names == "csv":
        # The spreadsheet would run a cell that starts with =, +, -, @, tab or CR: each such
        # cell is written with a leading apostrophe, so it is shown as text.
        assert response["Content-Type"].startswith("text/csv")
        cells = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        values = [cell for row_ in cells for cell in row_]
        assert '\'=HYPERLINK("http://attacker.example","open")' in values
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in values)
        return
    assert response["Content-Type"] == "application/json"
    body = response.json()
    if row.status >= 400:
        assert isinstance(body["message"], str)
        if row.names.startswith("code:"):
            assert body["code"] == row.names.removeprefix("code:")
        else:
            assert list(body["fields"]) == [row.names]
            assert all(isinstance(reason, str) for reason in body["fields"][row.names])
    elif row.names.startswith("quote:"):
        assert body["quote"] == row.names.removeprefix("quote:")
    else:
        # Stored as sent (texts are normalised: trimmed, NFC) and returned as JSON text;
        # escaping is the renderer's job.
        sent = {k: v for k, v in json.loads(response.wsgi_request.body).items() if k != "label"}
        for key, value in sent.items():
            if key in body and isinstance(value, str) and value == value.strip():
                assert body[key] == value


def test_the_table_in_docs_lists_exactly_these_rows() -> None:
    table = (ROOT / "docs" / "bad-input.md").read_text().split("## Limits")[0]
    cells = re.findall(r"^\| ([^|]+?) \|", table, re.MULTILINE)
    documented = [cell for cell in cells if cell not in {"input", "---"}]
    assert documented == [row.name for row in ROWS]
