"""The export writers against their contracts, on plain records (no database).

JSON against our schema; W3C against the W3C test schemas; ClaimReview against the checklist;
Label Studio through the label-studio-sdk converter; CSV read back with the csv module; HTML
escaping and self-containment. Each checks that the quote re-anchors in the text.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from annotations.exports import FORMATS, claimreview, labelstudio
from annotations.exports import json as json_format
from annotations.exports.records import Export
from tests.conftest import SHARED_REFERENCE
from tests.export_samples import sample_documents, sample_export, sample_project

W3C = SHARED_REFERENCE / "w3c-web-annotation-tests"
CLAIMREVIEW = SHARED_REFERENCE / "schemaorg-claimreview"


def _run(name: str, export: Export | None = None) -> str:
    return "".join(FORMATS[name].write(export or sample_export()))


def _verdict_count() -> int:
    return sum(len(document.verdicts) for document in sample_documents())


# --- JSON ---------------------------------------------------------------------------------


def test_json_export_is_valid_against_our_schema_with_formats_checked() -> None:
    schema = json.loads(json_format.SCHEMA_PATH.read_text())
    Draft202012Validator.check_schema(schema)
    body = json.loads(_run("json"))
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert sorted(str(error) for error in validator.iter_errors(body)) == []
    assert body["document_count"] == 4
    assert len(body["documents"]) == 4
    assert body["version"] == "1.0"


def test_json_schema_refuses_what_breaks_its_contract() -> None:
    schema = json.loads(json_format.SCHEMA_PATH.read_text())
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    body = json.loads(_run("json"))
    body["documents"][0]["final_spans"][0]["provenance"] = "guessed"
    body["documents"][0]["reviews"][0]["spans"][1]["evidence"][0]["url"] = "not a url"
    del body["documents"][1]["text"]
    paths = {"/".join(map(str, error.absolute_path)) for error in validator.iter_errors(body)}
    assert paths == {
        "documents/0/final_spans/0/provenance",
        "documents/0/reviews/0/spans/1/evidence/0/url",
        "documents/1",
    }


def test_json_keeps_every_character_and_offsets_reanchor() -> None:
    body = json.loads(_run("json"))
    documents = {document["id"]: document for document in body["documents"]}
    arabic = documents[102]
    assert "👩🏽‍🔬" in arabic["text"]
    assert "الوزير" in arabic["text"]
    for document in body["documents"]:
        for span in document["final_spans"]:
            assert document["text"][span["start"] : span["end"]] == span["quote"]
    resolved = documents[101]["final_spans"][1]
    assert resolved["provenance"] == "resolved"
    assert [r["label"] for r in resolved["reviewers"]] == ["sourced", "unsourced"]
    assert documents[101]["disputes"][0]["resolutions"][0]["rating"] == "contradicted"


def test_json_of_an_empty_project_is_still_valid() -> None:
    schema = json.loads(json_format.SCHEMA_PATH.read_text())
    body = json.loads(_run("json", Export(sample_project(), [])))
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(body)
    assert body["documents"] == []
    assert body["document_count"] == 0


# --- CSV ----------------------------------------------------------------------------------


def test_csv_has_a_bom_and_reads_back_with_the_csv_module() -> None:
    raw = "".join(FORMATS["csv"].write(sample_export())).encode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == _verdict_count()
    by_quote = {row["quote"]: row for row in rows}
    resolved = by_quote["40 schools would close"]
    assert (
        resolved["rationale"] == 'The minister said it <script>alert("x")</script>; figures say 12.'
    )
    assert resolved["reviewer_labels"] == "alice: sourced; bob: unsourced"
    assert resolved["evidence_urls"] == "https://stats.example.org/schools?q=1&r=2"
    assert resolved["dispute_id"] == "21"
    assert resolved["start"].isdigit()
    assert "👩🏽‍🔬" in by_quote


def test_csv_neutralises_formula_cells_and_keeps_newlines_inside_cells() -> None:
    text = "".join(FORMATS["csv"].write(sample_export())).removeprefix("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    arabic = [row for row in rows if row["document_id"] == "102"]
    formula = next(row for row in arabic if "SUM" in row["quote"])
    assert formula["quote"] == "'=SUM(A1) costs rose 12%"
    assert formula["rationale"] == "'-no data\r\nat all"
    assert formula["author"] == '\'=HYPERLINK("http://evil")'
    assert formula["outlet"] == "'+Outlet"
    markup = next(row for row in rows if row["document_id"] == "103")
    assert markup["rationale"].startswith("'@lead")
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


# --- W3C Web Annotation -------------------------------------------------------------------


def _w3c_registry() -> Registry:
    if not W3C.is_dir():
        pytest.skip(f"W3C test schemas not found at {W3C}")
    resources = []
    for path in sorted((W3C / "definitions").glob("*.json")):
        schema = json.loads(path.read_text())
        resources.append((schema["id"], Resource.from_contents(schema, DRAFT4)))
    return Registry().with_resources(resources)


def _assertions(test_file: Path) -> list[dict[str, Any]]:
    listed = json.loads(test_file.read_text())["assertions"]
    return [json.loads((W3C / name).read_text()) for name in listed]


def _w3c_failures(instance: Any, test_file: Path, registry: Registry) -> list[str]:
    failures = []
    for assertion in _assertions(test_file):
        validator = Draft4Validator(
            assertion, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER
        )
        valid = validator.is_valid(instance)
        if valid != (assertion.get("expectedResult", "valid") == "valid"):
            failures.append(assertion["id"])
    return failures


def test_w3c_export_meets_every_must_of_the_w3c_test_schemas() -> None:
    registry = _w3c_registry()
    for base_url in ("", "https://desk.example.org"):
        collection = json.loads(_run("w3c", sample_export(base_url=base_url)))
        # The page is embedded, so the collection's context is its context when served alone.
        page = {"@context": collection["@context"], **collection["first"]}
        items = page["items"]
        assert collection["total"] == len(items) == _verdict_count()
        assert _w3c_failures(collection, W3C / "collections/collectionMusts.test", registry) == []
        assert _w3c_failures(page, W3C / "collections/pages/pageMusts.test", registry) == []
        for item in items:
            assert _w3c_failures(item, W3C / "annotations/annotationMusts.test", registry) == []


def test_w3c_musts_catch_a_broken_annotation() -> None:
    """The harness can fail: a wrong selector and a bad id are caught."""
    registry = _w3c_registry()
    item = json.loads(_run("w3c"))["first"]["items"][0]
    item["id"] = "not a uri"
    item["target"]["selector"][0] = {"type": "TextQuoteSelector", "prefix": "no exact"}
    failures = _w3c_failures(item, W3C / "annotations/annotationMusts.test", registry)
    assert "3.1-annotationIdValidated.json" in failures
    assert "4.2.4-textQuoteSelectorValid.json" in failures


def test_w3c_selectors_reanchor_in_the_text() -> None:
    texts = {document.id: document.text for document in sample_documents()}
    items = json.loads(_run("w3c"))["first"]["items"]
    for item in items:
        document_id = int(item["target"]["source"].rsplit(":", 1)[1])
        quote, position = item["target"]["selector"]
        text = texts[document_id]
        assert text[position["start"] : position["end"]] == quote["exact"]
        assert text[: position["start"]].endswith(quote["prefix"])
        assert text[position["end"] :].startswith(quote["suffix"])
    rated = next(item for item in items if item["motivation"] == ["classifying", "assessing"])
    purposes = [body["purpose"] for body in rated["body"]]
    assert purposes[:4] == ["tagging", "identifying", "assessing", "commenting"]
    assert rated["body"][4]["factcheck:stance"] == "refutes"


# --- ClaimReview --------------------------------------------------------------------------


def test_claimreview_meets_the_checklist_for_every_rated_claim() -> None:
    checklist_path = CLAIMREVIEW / "claimreview-requirements.json"
    if not checklist_path.is_file():
        pytest.skip(f"ClaimReview checklist not found at {checklist_path}")
    checklist = json.loads(checklist_path.read_text())["google_search_requirements"]
    body = json.loads(_run("claimreview", sample_export(base_url="https://desk.example.org")))
    assert body["@context"] == "https://schema.org"
    reviews = body["@graph"]
    rated = [v for d in sample_documents() for v in d.verdicts if v.rating]
    assert len(reviews) == len(rated) == 3
    for review in reviews:
        assert review["@type"] == "ClaimReview"
        for key in checklist["required"] + checklist["recommended_warning_level"]:
            assert review.get(key), key
        rating = review["reviewRating"]
        assert rating["@type"] == "Rating"
        assert isinstance(rating["ratingValue"], int)
        assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
        assert claimreview.SCALE[rating["alternateName"].lower()] == rating["ratingValue"]
        item = review["itemReviewed"]
        assert item["@type"] == "Claim"
        assert item["appearance"]["@type"] == "CreativeWork"
        assert item["author"]["name"]
        assert review["url"].startswith("https://desk.example.org/")
    contradicted = next(r for r in reviews if r["reviewRating"]["alternateName"] == "Contradicted")
    assert contradicted["claimReviewed"] == "40 schools would close"
    assert contradicted["itemReviewed"]["author"]["name"] == "the minister"
    assert contradicted["itemReviewed"]["appearance"]["url"] == "https://news.example.com/schools"


# --- Label Studio -------------------------------------------------------------------------


def test_labelstudio_export_reads_back_through_the_label_studio_sdk(tmp_path: Path) -> None:
    converter_module = pytest.importorskip("label_studio_sdk.converter")
    tasks = json.loads(_run("labelstudio"))
    source = tmp_path / "export.json"
    source.write_text(json.dumps(tasks), encoding="utf-8")
    converter = converter_module.Converter(
        config=labelstudio.labeling_config(sample_project()),
        project_dir=str(tmp_path),
        download_resources=False,
    )
    out = tmp_path / "out"
    converter.convert_to_json_min(str(source), str(out), is_dir=False)
    converted = json.loads((out / "result.json").read_text(encoding="utf-8"))
    # One record per annotation; the final one (the ground truth) is each task's last.
    by_id: dict[int, dict[str, Any]] = {}
    for record in sorted(converted, key=lambda r: r["annotation_id"] or 0):
        by_id[record["factcheck_document_id"]] = record
    for document in sample_documents():
        if not document.verdicts:
            continue
        spans = sorted(
            (region["start"], region["end"], region["text"], region["labels"][0])
            for region in by_id[document.id]["label"]
        )
        expected = sorted((v.start, v.end, v.quote, v.label) for v in document.verdicts)
        assert spans == expected


def test_labelstudio_tasks_hold_one_annotation_per_reviewer_and_the_final_one() -> None:
    tasks = {task["id"]: task for task in json.loads(_run("labelstudio"))}
    english = tasks[101]
    assert [a["ground_truth"] for a in english["annotations"]] == [False, False, True]
    for annotation in english["annotations"]:
        for region in annotation["result"]:
            value = region["value"]
            if region["type"] == "labels":
                assert english["data"]["text"][value["start"] : value["end"]] == value["text"]
    sources = [r for r in english["annotations"][2]["result"] if r["type"] == "textarea"]
    assert [r["value"]["text"] for r in sources] == [["minister"], ["the minister"]]
    assert tasks[104]["annotations"] == []


# --- HTML ---------------------------------------------------------------------------------


def test_html_escapes_markup_in_text_and_every_user_string() -> None:
    page = _run("html")
    assert "<script" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert 'href="javascript:' not in page


def test_html_is_self_contained() -> None:
    page = _run("html")
    for needle in ("<script", "<link", "<img", "<iframe", "url(", "@import", 'src="'):
        assert needle not in page
    assert "default-src 'none'" in page
    assert "@media print" in page
    assert page.count("<svg") >= 3


def test_html_reports_sourcing_score_sources_and_comparisons() -> None:
    page = _run("html")
    assert "sourcing score (3 of 6 checkable)" in page
    assert "<bdi>the minister</bdi> <b>&times;1</b>" in page
    assert "<h3>By outlet</h3>" in page
    assert "<h3>By author</h3>" in page
    assert "<h3>Disputes</h3>" in page
    assert "The minister said it &lt;script&gt;" in page
