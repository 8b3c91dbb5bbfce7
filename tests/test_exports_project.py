"""Exports of a real project: reviews, agreement, disputes, resolutions and ratings made through
the services and the API, then exported through the selector, the API, the command and the
admin, and read back (our JSON round trip, the W3C selectors, the CSV, the HTML in Chromium)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from jsonschema import Draft202012Validator

from annotations import services
from annotations.exports import FORMATS
from annotations.exports import json as json_format
from annotations.importing import ParsedDocument, parse_bytes
from annotations.models import Assignment, Dispute, Document, DocumentStatus, Project
from annotations.selectors.exports import ExportFilters, export_build, export_records
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

EVIL = '<img src=x onerror="alert(1)">'
ENGLISH = (
    "The minister said on Monday that 40 schools would close. Officials never explained why. "
    "This is clearly a disgrace."
)
ARABIC = "قال الوزير إن 40 مدرسة ستغلق 🏫. Emoji 👩🏽‍🔬 says costs rose 12%."
MARKUP = f"A reader wrote {EVIL} and <b>bold</b> claims."
UNSETTLED = "Nobody agrees on this sentence. Nor on this one."


def _at(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def _review(document: Document, reviewer: Any, *spans: tuple[str, str, str]) -> Assignment:
    """Claim `document` for `reviewer`, mark (quote, label, source) spans, submit."""
    claim = services.assignment_claim_next(project=document.project, reviewer=reviewer)
    assert claim is not None
    assignment = claim.assignment
    assert assignment.document_id == document.pk
    for quote, label, source in spans:
        start, end = _at(document.text, quote)
        span = services.span_create(
            assignment=assignment,
            actor=reviewer,
            start=start,
            end=end,
            label=label,
            source=source,
        )
        if label == "sourced":
            services.evidence_add(
                span=span,
                actor=reviewer,
                url=f"https://stats.example.org/{reviewer.username}?q=1&r=2",
                stance="refutes",
                title=f"Figures {EVIL}",
                quoted_passage="only 12 schools",
            )
    assignment.refresh_from_db()
    return services.assignment_submit(
        assignment=assignment, actor=reviewer, version=assignment.version
    )


@pytest.fixture
def desk(team: Any, api: Any) -> Any:
    """Four documents: agreed + rated + resolved; agreed (Arabic, emoji); markup; disputed."""
    project = team.project
    english = DocumentFactory(
        project=project,
        title="Schools to close",
        text=ENGLISH,
        author="Jane Doe",
        outlet="Daily Example",
        source_url="https://news.example.com/schools",
    )
    first = ("The minister said on Monday that 40 schools would close.", "sourced", "the minister")
    opinion = ("This is clearly a disgrace.", "opinion", "")
    _review(
        english, team.reviewer, first, ("Officials never explained why.", "unsourced", ""), opinion
    )
    _review(
        english, team.reviewer2, first, ("Officials never explained why.", "opinion", ""), opinion
    )
    english.refresh_from_db()
    assert english.status == DocumentStatus.DISPUTED
    api.force_authenticate(team.lead)
    dispute = Dispute.objects.get(document=english)
    start, end = _at(ENGLISH, "Officials never explained why.")
    resolved = api.post(
        f"/api/v1/disputes/{dispute.pk}/resolve",
        {
            "no_span": False, "start": start, "end": end, "label": "unsourced", "source": "",
            "rating": "unverifiable", "rationale": f"No source is named {EVIL}.", "version": 0,
        },
        format="json",
    )  # fmt: skip
    assert resolved.status_code in (200, 201), resolved.content
    start, end = _at(ENGLISH, first[0])
    rated = api.post(
        f"/api/v1/documents/{english.pk}/ratings",
        {"start": start, "end": end, "rating": "contradicted", "rationale": "Only 12 close."},
        format="json",
    )
    assert rated.status_code in (200, 201), rated.content

    arabic = DocumentFactory(project=project, title="مدارس 🏫", text=ARABIC, outlet="+Outlet")
    spans = (("قال الوزير إن 40 مدرسة ستغلق 🏫", "sourced", "الوزير"), ("👩🏽‍🔬", "opinion", ""))
    _review(arabic, team.reviewer, *spans)
    _review(arabic, team.reviewer2, *spans)

    markup = DocumentFactory(project=project, title=f"Markup {EVIL}", text=MARKUP, author=EVIL)
    marked = ((f"{EVIL} and <b>bold</b> claims", "unsourced", ""),)
    _review(markup, team.reviewer, *marked)
    _review(markup, team.reviewer2, *marked)

    unsettled = DocumentFactory(project=project, title="Unsettled", text=UNSETTLED)
    _review(unsettled, team.reviewer, ("Nobody agrees on this sentence.", "opinion", ""))
    _review(unsettled, team.reviewer2, ("Nobody agrees on this sentence.", "unsourced", ""))
    api.force_authenticate(None)
    for document in (english, arabic, markup, unsettled):
        document.refresh_from_db()
    assert [d.status for d in (english, arabic, markup, unsettled)] == [
        DocumentStatus.ACCEPTED, DocumentStatus.ACCEPTED, DocumentStatus.ACCEPTED,
        DocumentStatus.DISPUTED,
    ]  # fmt: skip
    team.documents = (english, arabic, markup, unsettled)
    return team


def _export(project: Project, name: str, **filters: Any) -> str:
    return "".join(
        FORMATS[name].write(export_build(project=project, filters=ExportFilters(**filters)))
    )


def _final(body: dict[str, Any]) -> dict[str, list[tuple[Any, ...]]]:
    return {
        document["title"]: [
            (s["start"], s["end"], s["quote"], s["label"], s["source"], s["rating"])
            for s in document["final_spans"]
        ]
        for document in body["documents"]
    }


def test_json_export_holds_agreed_resolved_and_rated_spans(desk: Any) -> None:
    body = json.loads(_export(desk.project, "json"))
    schema = json.loads(json_format.SCHEMA_PATH.read_text())
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert [str(error) for error in validator.iter_errors(body)] == []
    final = _final(body)
    minister = _at(ENGLISH, "The minister said on Monday that 40 schools would close.")
    officials = _at(ENGLISH, "Officials never explained why.")
    assert [s[:2] + s[3:] for s in final["Schools to close"]] == [
        (*minister, "sourced", "the minister", "contradicted"),
        (*officials, "unsourced", "", "unverifiable"),
        (*_at(ENGLISH, "This is clearly a disgrace."), "opinion", "", ""),
    ]
    english = body["documents"][0]
    by_start = {s["start"]: s for s in english["final_spans"]}
    assert by_start[minister[0]]["provenance"] == "agreed"
    assert by_start[minister[0]]["decided_by"] == desk.lead.username
    assert by_start[officials[0]]["provenance"] == "resolved"
    assert len(by_start[minister[0]]["evidence"]) == 2
    assert [d["status"] for d in english["disputes"]] == ["resolved"]
    assert english["disputes"][0]["resolutions"][0]["rationale"].startswith("No source")
    assert [r["rating"] for r in english["ratings"]] == ["contradicted"]
    assert sorted(r["reviewer"] for r in english["reviews"]) == sorted(
        [desk.reviewer.username, desk.reviewer2.username]
    )
    assert final["Unsettled"] == []
    for document in body["documents"]:
        for span in document["final_spans"]:
            assert document["text"][span["start"] : span["end"]] == span["quote"]
    assert body["agreement"]["documents"] >= 3


def test_json_round_trip_into_a_new_project_gives_the_same_documents_and_final_spans(
    desk: Any,
) -> None:
    exported = _export(desk.project, "json")
    copy = services.project_create(name="Copy desk")
    items = list(parse_bytes("desk.json", exported.encode(), max_bytes=5 * 1024 * 1024))
    assert all(isinstance(item, ParsedDocument) for item in items)
    report = services.documents_import(project=copy, items=iter(items))
    assert len(report.imported) == 4
    again = json.loads(_export(copy, "json"))
    first = json.loads(exported)
    keys = ("title", "text", "text_sha256", "author", "outlet", "source_url", "published_on")
    assert [[d[k] for k in keys] for d in again["documents"]] == [
        [d[k] for k in keys] for d in first["documents"]
    ]
    assert _final(again) == _final(first)
    assert {s["provenance"] for d in again["documents"] for s in d["final_spans"]} == {"imported"}


def test_csv_export_reads_back_one_row_per_final_span(desk: Any) -> None:
    text = _export(desk.project, "csv")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    body = json.loads(_export(desk.project, "json"))
    assert len(rows) == sum(len(d["final_spans"]) for d in body["documents"]) == 6
    arabic = [row for row in rows if row["document_title"] == "مدارس 🏫"]
    assert arabic[0]["outlet"] == "'+Outlet"
    assert {row["quote"] for row in arabic} == {"قال الوزير إن 40 مدرسة ستغلق 🏫", "👩🏽‍🔬"}
    resolved = next(row for row in rows if row["provenance"] == "resolved")
    assert resolved["reviewer_labels"].count(":") == 2


def test_w3c_selectors_of_a_real_project_reanchor(desk: Any) -> None:
    collection = json.loads(_export(desk.project, "w3c"))
    texts = {d.pk: d.text for d in desk.documents}
    assert collection["total"] == 6
    for item in collection["first"]["items"]:
        quote, position = item["target"]["selector"]
        text = texts[int(item["target"]["source"].rsplit(":", 1)[1])]
        assert text[position["start"] : position["end"]] == quote["exact"]


def test_claimreview_lists_the_rated_claims_only(desk: Any) -> None:
    reviews = json.loads(_export(desk.project, "claimreview"))["@graph"]
    assert sorted(r["reviewRating"]["alternateName"] for r in reviews) == [
        "Contradicted", "Unverifiable",
    ]  # fmt: skip


def test_filters_narrow_by_status_label_and_document(desk: Any) -> None:
    arabic = desk.documents[1]
    titles = lambda body: [d["title"] for d in body["documents"]]  # noqa: E731
    assert titles(json.loads(_export(desk.project, "json", status="disputed"))) == ["Unsettled"]
    opinions = json.loads(_export(desk.project, "json", label="opinion"))
    assert titles(opinions) == ["Schools to close", "مدارس 🏫"]
    assert {s["label"] for d in opinions["documents"] for s in d["final_spans"]} == {"opinion"}
    one = json.loads(_export(desk.project, "json", document_ids=(arabic.pk,)))
    assert one["scope"] == "document"
    assert titles(one) == ["مدارس 🏫"]
    assert one["filters"] == {"documents": str(arabic.pk)}


def test_the_stream_runs_a_bounded_number_of_queries_per_chunk(
    desk: Any, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(chunk_size: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            list(
                export_records(
                    documents=desk.project.documents.order_by("id"), chunk_size=chunk_size
                )
            )
        return len(queries)

    one_chunk, four_chunks = count(4), count(1)
    assert four_chunks > one_chunk
    per_chunk = (four_chunks - one_chunk) // 3
    assert per_chunk <= 16
    with django_assert_max_num_queries(one_chunk):
        list(export_records(documents=desk.project.documents.order_by("id"), chunk_size=100))


# --- The API ------------------------------------------------------------------------------


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_api_project_export_streams_each_format_as_a_download(
    api: Any, desk: Any, name: str
) -> None:
    api.force_authenticate(desk.lead)
    response = api.get(f"/api/v1/projects/{desk.project.pk}/export?format={name}")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == FORMATS[name].content_type
    assert response["Content-Disposition"].startswith('attachment; filename="')
    content = _body(response)
    assert content
    if name != "html":
        text = content.decode("utf-8-sig")
        if name == "csv":
            assert len(list(csv.reader(io.StringIO(text, newline="")))) == 7
        else:
            json.loads(text)


def test_api_document_export_and_links_point_at_the_server(api: Any, desk: Any) -> None:
    english = desk.documents[0]
    api.force_authenticate(desk.admin)
    response = api.get(f"/api/v1/documents/{english.pk}/export?format=w3c")
    assert response.status_code == 200
    body = json.loads(_body(response))
    assert body["total"] == 3
    assert body["first"]["items"][0]["target"]["source"] == (
        f"http://testserver/api/v1/documents/{english.pk}"
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "format"),
        ("format=pdf", "format"),
        ("format=json&status=finished", "status"),
        ("format=json&label=rumour", "label"),
        ("format=json&published_from=yesterday", "published_from"),
        ("format=json&published_from=2026-12-02&published_to=2026-01-01", "published_to"),
    ],
)
def test_api_export_refuses_bad_input_naming_the_field(
    api: Any, desk: Any, query: str, field: str
) -> None:
    api.force_authenticate(desk.lead)
    response = api.get(f"/api/v1/projects/{desk.project.pk}/export?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]


def test_reviewers_cannot_export_and_other_projects_are_not_found(api: Any, desk: Any) -> None:
    english = desk.documents[0]
    api.force_authenticate(desk.reviewer)
    assert api.get(f"/api/v1/projects/{desk.project.pk}/export?format=csv").status_code == 403
    assert api.get(f"/api/v1/documents/{english.pk}/export?format=csv").status_code == 403
    api.force_authenticate(desk.outsider)
    assert api.get(f"/api/v1/projects/{desk.project.pk}/export?format=csv").status_code == 404
    assert api.get(f"/api/v1/documents/{english.pk}/export?format=csv").status_code == 404


# --- The command and the admin ------------------------------------------------------------


def test_command_writes_a_file_or_stdout(desk: Any, tmp_path: Path) -> None:
    target = tmp_path / "desk.csv"
    call_command(
        "export_report", "--project", desk.project.name, "--format", "csv", "--output",
        str(target), "--no-progress", stderr=io.StringIO(),
    )  # fmt: skip
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    assert not (tmp_path / "desk.csv.partial").exists()
    out = io.StringIO()
    english = desk.documents[0]
    call_command(
        "export_report", "--project", desk.project.name, "--format", "json", "--document",
        str(english.pk), "--no-progress", stdout=out,
    )  # fmt: skip
    body = json.loads(out.getvalue())
    assert [d["id"] for d in body["documents"]] == [english.pk]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--project", "No such desk", "--format", "json"], "does not exist"),
        (["--format", "json", "--label", "rumour"], "--label"),
        (["--format", "json", "--document", "999999"], "has no document"),
    ],
)
def test_command_refuses_bad_input(desk: Any, argv: list[str], message: str) -> None:
    if "--project" not in argv:
        argv = ["--project", desk.project.name, *argv]
    with pytest.raises(CommandError, match=message):
        call_command("export_report", *argv, "--no-progress")


def test_admin_actions_download_exports(desk: Any, client: Any, superuser: Any) -> None:
    client.force_login(superuser)
    response = client.post(
        "/admin/annotations/project/",
        {"action": "export_project_csv", "_selected_action": [desk.project.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.csv"')
    assert b"".join(response.streaming_content).startswith(b"\xef\xbb\xbf")
    english = desk.documents[0]
    response = client.post(
        "/admin/annotations/document/",
        {"action": "export_documents_html", "_selected_action": [english.pk]},
    )
    assert response.status_code == 200
    assert b"Schools to close" in b"".join(response.streaming_content)


# --- The HTML in a browser ----------------------------------------------------------------


def test_html_report_renders_in_chromium_with_markup_shown_as_text(
    desk: Any, tmp_path: Path
) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    page = tmp_path / "report.html"
    page.write_text(_export(desk.project, "html"), encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    # S603: the browser is found on PATH and runs on a file this test wrote.
    dom = subprocess.run(  # noqa: S603
        [browser, *flags, "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    # The browser parsed no element out of any user string: they are all text.
    assert "<img" not in dom
    assert '&lt;img src=x onerror="alert(1)"&gt;' in dom
    assert dom.count("<mark ") >= 6
    shot = tmp_path / "report.png"
    subprocess.run(  # noqa: S603
        [browser, *flags, "--window-size=1100,1600", f"--screenshot={shot}", page.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    assert shot.stat().st_size > 20_000


@pytest.mark.requires_redis
def test_api_large_export_runs_as_a_background_job_then_downloads(
    api: Any, desk: Any, celery_worker_real: Any, settings: Any, tmp_path: Path
) -> None:
    import time

    settings.FACTCHECK_EXPORT_INLINE_MAX_DOCUMENTS = 2
    settings.FACTCHECK_JOB_FILES_DIR = tmp_path
    api.force_authenticate(desk.lead)
    response = api.get(f"/api/v1/projects/{desk.project.pk}/export?format=json&label=opinion")
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["kind"] == "export"
    deadline = time.monotonic() + 60
    while job["state"] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.2)
        job = api.get(job["url"]).json()
    assert job["state"] == "done", job
    assert job["progress_done"] == job["progress_total"] == 4
    download = api.get(job["download_url"])
    assert download.status_code == 200
    body = json.loads(b"".join(download.streaming_content))
    assert body["filters"] == {"label": "opinion"}
    assert {s["label"] for d in body["documents"] for s in d["final_spans"]} == {"opinion"}
    api.force_authenticate(desk.reviewer)
    assert api.get(job["download_url"]).status_code in (403, 404)
