"""Importing documents: the seed corpus, every refused input class, and duplicates."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotations.importing import ParsedDocument, Refusal, normalise_text, parse_bytes, read_paths
from annotations.models import AuditEvent, Document
from annotations.services import documents_import
from tests.conftest import SEEDS, SHARED_REFERENCE

LIMIT = 5 * 1024 * 1024

# Facts of the seed corpus, read off the files: (title, characters after normalisation).
SEED_FACTS = {
    "000_d6e0c713d2832b7b.txt": (
        "Top Russian General Accuses US Of Training ISIS At Syrian Border Base",
        11005,
    ),
    "001_c9753a411fc09999.txt": (
        "Syrian Army Frees 19 ISIS Hostages! ...Providing New Evidence of US Arming & Protecting "
        "ISIS Terrorists in Syria",
        16342,
    ),
    "002_868390ee499e0b84.txt": ("Ukraine\u2019s survival hangs in the balance", 48729),
    "003_7730bb2ab92353fe.txt": ("Menu Close", 20549),
    "004_9d5a950fd5bf1e8b.txt": ("US Allies Now Fighting CIA-Backed Terror Groups In Syria", 2589),
}


def parse_one(name: str, data: bytes, limit: int = LIMIT) -> ParsedDocument | Refusal:
    items = list(parse_bytes(name, data, max_bytes=limit))
    assert len(items) == 1
    return items[0]


@pytest.mark.parametrize("name", sorted(SEED_FACTS))
def test_each_seed_file_imports_with_its_title_length_and_hash(name: str, project: object) -> None:
    report = documents_import(project=project, items=read_paths([SEEDS / name], max_bytes=LIMIT))
    [document] = report.imported
    title, characters = SEED_FACTS[name]
    assert document.title == title
    assert len(document.text) == characters
    raw = (SEEDS / name).read_text(encoding="utf-8")
    assert document.text == unicodedata.normalize("NFC", raw).strip()
    assert document.text_sha256 == hashlib.sha256(document.text.encode()).hexdigest()
    assert Document.objects.get(pk=document.pk).text == document.text
    assert AuditEvent.objects.filter(action="document.imported", entity_id=document.pk).count() == 1


def test_normalisation_unifies_line_ends_composes_unicode_and_strips_control_characters() -> None:
    text, warnings = normalise_text("  Cafe\u0301\r\nline two\rline\x07 three\tend\n\n")
    assert text == "Café\nline two\nline three\tend"
    assert unicodedata.is_normalized("NFC", text)
    assert warnings == ["removed 1 control character(s)"]


def test_the_same_text_with_other_line_ends_is_a_duplicate(project: object) -> None:
    first = documents_import(project=project, items=[parse_one("a.txt", b"Title\nBody.\n")])
    second = documents_import(project=project, items=[parse_one("b.txt", b"Title\r\nBody.\r\n")])
    assert len(first.imported) == 1
    assert second.imported == []
    assert [(d.origin, d.existing_document_id) for d in second.duplicates] == [
        ("b.txt", first.imported[0].pk)
    ]


def test_duplicates_within_one_import_are_reported_against_the_first(project: object) -> None:
    report = documents_import(
        project=project,
        items=[
            parse_one("a.txt", b"Same text"),
            parse_one("b.txt", b"Same text"),
            parse_one("c.txt", b"Other text"),
        ],
    )
    assert [d.title for d in report.imported] == ["Same text", "Other text"]
    assert [(d.origin, d.existing_document_id) for d in report.duplicates] == [
        ("b.txt", report.imported[0].pk)
    ]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "the file is empty"),
        ("blank.txt", b" \n\t\n", "the file is empty"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("latin1.txt", "Caf\xe9".encode("latin-1"), "not valid UTF-8"),
        ("broken16.txt", b"\xff\xfe\x41", "not valid UTF-16"),
        ("notes.docx", b"PK\x03\x04", "unsupported file type .docx"),
        ("bad.json", b"{not json", "invalid JSON at line 1"),
        ("notext.json", b'{"title": "x"}', "no text field"),
        ("types.json", b'{"text": "x", "title": 5}', "the field title must be a string"),
        ("date.json", b'{"text": "x", "published": "last week"}', "published is not an ISO date"),
        ("url.json", b'{"text": "x", "url": "javascript:alert(1)"}', "url must start with http"),
        ("empty.json", b"[]", "holds no records"),
        ("onlycontrol.txt", b"\x07\x08", "the text is empty"),
        ("surrogate.json", b'{"text": "a \\ud800 b"}', '"text" holds a lone surrogate'),
        ("nulmeta.json", b'{"text": "x", "section": ["a\\u0000"]}', '"section" holds a NUL'),
        ("spaceurl.json", b'{"text": "x", "url": "http://a.b/c d"}', "url holds blank space"),
        ("longurl.json", b'{"text": "x", "url": "http://' + b"a" * 2000 + b'"}', "url is 2007"),
        ("longauthor.json", b'{"text": "x", "author": "' + b"a" * 301 + b'"}', "author is 301"),
    ],
)
def test_bad_input_is_refused_with_a_reason(name: str, data: bytes, reason: str) -> None:
    item = parse_one(name, data)
    assert isinstance(item, Refusal)
    assert item.origin == name
    assert reason in item.reason


def test_oversized_files_are_refused_before_reading_and_the_rest_still_import(
    tmp_path: Path, project: object
) -> None:
    (tmp_path / "big.txt").write_text("x" * 2048)
    (tmp_path / "small.txt").write_text("Small\nfine")
    report = documents_import(project=project, items=read_paths([tmp_path], max_bytes=1024))
    assert [d.title for d in report.imported] == ["Small"]
    assert [(Path(r.origin).name, r.reason) for r in report.refused] == [
        ("big.txt", "the file is 2.0 KB, over the 1.0 KB limit")
    ]


def test_html_keeps_text_and_drops_markup_scripts_and_styles() -> None:
    html = (
        b"<html><head><title>The headline</title><style>p{}</style></head><body>"
        b"<script>steal()</script><h1>Heading</h1><p>One <b>bold</b> claim.</p>"
        b"<p>Second&nbsp;para<br>next line</p><!-- note --></body></html>"
    )
    item = parse_one("page.html", html)
    assert isinstance(item, ParsedDocument)
    assert item.title == "The headline"
    assert item.text == "Heading\n\nOne bold claim.\n\nSecond para\nnext line"


def test_markdown_title_is_the_first_heading_without_marks() -> None:
    item = parse_one("post.md", b"\n# A title\n\nBody *text*.")
    assert isinstance(item, ParsedDocument)
    assert (item.title, item.text) == ("A title", "# A title\n\nBody *text*.")


def test_json_and_jsonl_records_carry_their_metadata_and_bad_lines_do_not_stop_the_rest() -> None:
    record = {
        "title": "T",
        "text": "Body",
        "url": "https://example.org/a",
        "author": "A. Writer",
        "outlet": "Daily",
        "published": "2024-03-28",
        "section": "world",
    }
    lines = json.dumps(record).encode() + b"\n{oops\n" + json.dumps({"text": "Line three"}).encode()
    items = list(parse_bytes("feed.jsonl", lines, max_bytes=LIMIT))
    assert [type(i).__name__ for i in items] == ["ParsedDocument", "Refusal", "ParsedDocument"]
    first = items[0]
    assert isinstance(first, ParsedDocument)
    assert (first.title, first.source_url, first.author, first.outlet, str(first.published_on)) == (
        "T",
        "https://example.org/a",
        "A. Writer",
        "Daily",
        "2024-03-28",
    )
    assert first.metadata == {"section": "world"}
    assert items[1].origin == "feed.jsonl:2"
    assert isinstance(items[2], ParsedDocument)
    assert items[2].title == "Line three"


def test_label_studio_tasks_import_from_their_data_field() -> None:
    path = SHARED_REFERENCE / "label-studio" / "named_entity_tasks.json"
    if not path.exists():
        pytest.skip(f"the shared Label Studio reference is not beside the clone ({path})")
    items = list(parse_bytes(path.name, path.read_bytes(), max_bytes=LIMIT))
    tasks = json.loads(path.read_text())
    assert len(items) == len(tasks)
    assert all(isinstance(i, ParsedDocument) for i in items)
    assert [i.text for i in items if isinstance(i, ParsedDocument)] == [
        normalise_text(t["data"]["text"])[0] for t in tasks
    ]


@pytest.mark.parametrize("name", ["deep.json", "deep.jsonl"])
def test_json_nested_too_deeply_is_refused(name: str) -> None:
    (item,) = parse_bytes(name, b"[" * 100_000, max_bytes=LIMIT)
    assert isinstance(item, Refusal)
    assert "nested too deeply" in item.reason


def test_author_and_outlet_lose_control_characters_like_the_title() -> None:
    item = parse_one("a.json", b'{"text": "x", "author": "A.\\u0000 Writer", "outlet": "D\\nT"}')
    assert isinstance(item, ParsedDocument)
    assert (item.author, item.outlet) == ("A. Writer", "D T")


def test_upload_of_unstorable_json_is_reported_as_refused_not_an_error(api: Any, team: Any) -> None:
    api.force_authenticate(team.lead)
    files = [
        SimpleUploadedFile("surrogate.json", b'{"text": "a \\udc00 b"}'),
        SimpleUploadedFile("deep.json", b"[" * 100_000),
        SimpleUploadedFile("nul.json", b'{"text": "fine", "author": "A\\u0000", "x": "\\u0000"}'),
        SimpleUploadedFile("good.json", b'{"text": "Good text.", "author": "B\\u0000"}'),
    ]
    response = api.post(
        f"/api/v1/projects/{team.project.pk}/documents/upload", {"files": files}, format="multipart"
    )
    assert response.status_code == 200
    body = response.json()
    assert [r["origin"] for r in body["refused"]] == ["surrogate.json", "deep.json", "nul.json"]
    assert [d["title"] for d in body["imported"]] == ["Good text."]
    assert Document.objects.get(project=team.project).author == "B"
