"""Importing annotated exports: our JSON (final spans as suggestions marked as imported, with
provenance) and Label Studio tasks with annotations or predictions (engine labelstudio-import)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from annotations.exports import FORMATS
from annotations.importing import ParsedDocument, parse_bytes
from annotations.importing_annotated import LABEL_STUDIO_ENGINE, OUR_ENGINE
from annotations.models import Suggestion
from annotations.services import documents_import
from tests.conftest import SHARED_REFERENCE
from tests.export_samples import sample_documents, sample_export

LIMIT = 5 * 1024 * 1024
LABEL_STUDIO = SHARED_REFERENCE / "label-studio"


def _parse(name: str, data: bytes) -> list[Any]:
    return list(parse_bytes(name, data, max_bytes=LIMIT))


def test_our_json_export_parses_into_documents_with_their_final_spans() -> None:
    data = "".join(FORMATS["json"].write(sample_export())).encode()
    parsed = _parse("desk.json", data)
    # The sample's third document names a javascript: URL, which the importer refuses.
    assert [getattr(item, "field", None) for item in parsed] == [None, None, "url", None]
    items = [item for item in parsed if isinstance(item, ParsedDocument)]
    samples = [document for document in sample_documents() if document.id != 103]
    assert [item.text for item in items] == [document.text for document in samples]
    for item, document in zip(items, samples, strict=True):
        assert [(s.start, s.end, s.label, s.source) for s in item.suggestions] == [
            (v.start, v.end, v.label, v.source) for v in document.verdicts
        ]
        assert all(s.engine == OUR_ENGINE for s in item.suggestions)
        assert item.metadata["import"]["document_id"] == document.id
    english = items[0]
    assert english.source_url == "https://news.example.com/schools"
    assert english.published_on is not None
    resolved = english.metadata["import"]["final_spans"][1]
    assert resolved["provenance"] == "resolved"
    assert resolved["rating"] == "contradicted"
    assert resolved["decided_by"] == "lead"
    assert "decided by lead" in english.suggestions[1].reason


def test_our_export_of_another_version_is_refused_with_the_reason() -> None:
    body = json.loads("".join(FORMATS["json"].write(sample_export())))
    body["version"] = "2.0"
    [refusal] = _parse("future.json", json.dumps(body).encode())
    assert "unsupported factcheck-export version" in refusal.reason


def test_a_final_span_whose_quote_moved_is_reanchored_or_skipped_with_a_warning() -> None:
    body = json.loads("".join(FORMATS["json"].write(sample_export())))
    spans = body["documents"][0]["final_spans"]
    spans[0]["start"] += 3  # wrong offsets, right quote: moved back onto the quote
    spans[0]["end"] += 3
    spans[1]["quote"] = "words that are nowhere"
    item = _parse("moved.json", json.dumps(body).encode())[0]
    text = item.text
    assert (
        text[item.suggestions[0].start : item.suggestions[0].end] == "The minister said on Monday"
    )
    assert len(item.suggestions) == len(spans) - 1
    assert any("is not in the text" in warning for warning in item.warnings)


@pytest.mark.django_db
def test_importing_our_export_stores_imported_suggestions(project: Any) -> None:
    data = "".join(FORMATS["json"].write(sample_export())).encode()
    report = documents_import(project=project, items=iter(_parse("desk.json", data)))
    assert len(report.imported) == 3
    assert [refusal.field for refusal in report.refused] == ["url"]
    stored = Suggestion.objects.filter(document__project=project, engine=OUR_ENGINE)
    assert stored.count() == sum(len(d.verdicts) for d in sample_documents() if d.id != 103)
    for suggestion in stored.select_related("document"):
        assert suggestion.document.text[suggestion.start : suggestion.end]
    sourced = stored.get(label="sourced", source_name="الوزير")
    assert sourced.document.text[sourced.start : sourced.end].endswith("🏫")


def _reference(name: str) -> bytes:
    path = LABEL_STUDIO / name
    if not path.is_file():
        pytest.skip(f"Label Studio reference file not found at {path}")
    return path.read_bytes()


def test_label_studio_predictions_become_suggestions_with_their_scores() -> None:
    tasks = json.loads(_reference("example_preannotated_ner_tasks.json"))
    items = _parse("ls.json", _reference("example_preannotated_ner_tasks.json"))
    first = items[0]
    assert first.text == tasks[0]["data"]["text"]
    regions = {
        (r["value"]["start"], r["value"]["end"], r["value"]["labels"][0])
        for p in tasks[0]["predictions"]
        for r in p["result"]
    }
    assert {(s.start, s.end, s.label) for s in first.suggestions} == regions
    assert all(s.engine == LABEL_STUDIO_ENGINE for s in first.suggestions)
    jerusalem = next(s for s in first.suggestions if s.label == "Location")
    assert first.text[jerusalem.start : jerusalem.end] == "Jerusalem"
    assert "prediction (one)" in jerusalem.reason
    assert jerusalem.confidence == 0.65


def test_label_studio_annotations_become_suggestions() -> None:
    [item] = _parse("task.json", _reference("named_entity_annotations_1.json"))
    [suggestion] = item.suggestions
    assert (suggestion.label, item.text[suggestion.start : suggestion.end]) == (
        "Date",
        "February 22",
    )
    assert "annotation 1001" in suggestion.reason
    assert item.metadata["label_studio_id"] == 1


@pytest.mark.django_db
def test_our_label_studio_export_imports_with_regions_and_sources(project: Any) -> None:
    data = "".join(FORMATS["labelstudio"].write(sample_export())).encode()
    report = documents_import(project=project, items=iter(_parse("ls.json", data)))
    assert len(report.imported) == 3
    english = next(d for d in report.imported if d.title == "Schools to close")
    stored = Suggestion.objects.filter(document=english, engine=LABEL_STUDIO_ENGINE)
    quotes = {(english.text[s.start : s.end], s.label, s.source_name) for s in stored}
    assert ("40 schools would close", "sourced", "the minister") in quotes
    assert ("40 schools would close", "unsourced", "") in quotes  # bob's version
    assert ("The minister said on Monday", "sourced", "minister") in quotes
