"""Label Studio JSON: one task per document, one annotation per reviewer plus the final one.

Tasks carry the text in `data.text` (with title, url, author, outlet, published and our document
id beside it) and `annotations[].result[]` regions of type `labels` with code-point offsets, the
quoted text and the label. The final verdicts are the annotation marked `ground_truth`. The
matching labelling config is `labeling_config(project)`; a sourced region's source rides in a
per-region TextArea named `source`, as Label Studio stores per-region text.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import quoteattr

from annotations.exports.records import DocumentRecord, Export, ProjectRecord

CONTENT_TYPE = "application/json; charset=utf-8"
EXTENSION = "json"
FROM_NAME = "label"
SOURCE_NAME = "source"
TO_NAME = "text"
FINAL = "final"


def labeling_config(project: ProjectRecord) -> str:
    """The Label Studio labelling config for this project's label set."""
    labels = "\n".join(
        f"    <Label value={quoteattr(label.value)} background={quoteattr(label.color)}/>"
        for label in project.labels
    )
    return (
        "<View>\n"
        f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}">\n{labels}\n  </Labels>\n'
        f'  <Text name="{TO_NAME}" value="$text"/>\n'
        f'  <TextArea name="{SOURCE_NAME}" toName="{TO_NAME}" perRegion="true" '
        'editable="true" maxSubmissions="1"/>\n'
        "</View>\n"
    )


def write(export: Export) -> Iterator[str]:
    """Yield a JSON array of tasks, one document per chunk."""
    yield "["
    first = True
    for document in export.documents:
        yield ("" if first else ",") + "\n" + _dumps(task(document, export.project.exported_at))
        first = False
    yield "\n]\n"


def task(document: DocumentRecord, exported_at: dt.datetime) -> dict[str, Any]:
    """One document as a task. Every annotation has a creation time (Label Studio sorts by it)."""
    annotations: list[dict[str, Any]] = []
    for review in document.reviews:
        if review.state != "submitted":
            continue
        regions = [
            (f"s{span.id}", span.start, span.end, span.quote, span.label, span.source)
            for span in review.spans
        ]
        annotations.append(
            {
                "id": len(annotations) + 1,
                "completed_by": {"username": review.reviewer},
                "created_at": (review.submitted_at or exported_at).isoformat(),
                "ground_truth": False,
                "was_cancelled": False,
                "result": _results(regions),
            }
        )
    if document.verdicts:
        regions = [
            (f"v{verdict.start}-{verdict.end}", verdict.start, verdict.end, verdict.quote,
             verdict.label, verdict.source)
            for verdict in document.verdicts
        ]  # fmt: skip
        annotations.append(
            {
                "id": len(annotations) + 1,
                "completed_by": {"username": FINAL},
                "created_at": max(
                    (v.decided_at for v in document.verdicts if v.decided_at), default=exported_at
                ).isoformat(),
                "ground_truth": True,
                "was_cancelled": False,
                "result": _results(regions),
            }
        )
    data: dict[str, Any] = {
        "text": document.text,
        "title": document.title,
        "factcheck_document_id": document.id,
    }
    for key, value in (
        ("url", document.source_url),
        ("author", document.author),
        ("outlet", document.outlet),
        ("published", document.published_on.isoformat() if document.published_on else ""),
    ):
        if value:
            data[key] = value
    return {"id": document.id, "data": data, "annotations": annotations, "predictions": []}


def _results(regions: list[tuple[str, int, int, str, str, str]]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for region_id, start, end, quote, label, source in regions:
        value = {"start": start, "end": end, "text": quote}
        results.append(
            {
                "id": region_id,
                "from_name": FROM_NAME,
                "to_name": TO_NAME,
                "type": "labels",
                "origin": "manual",
                "value": {**value, "labels": [label]},
            }
        )
        if source:
            results.append(
                {
                    "id": region_id,
                    "from_name": SOURCE_NAME,
                    "to_name": TO_NAME,
                    "type": "textarea",
                    "origin": "manual",
                    "value": {**value, "text": [source]},
                }
            )
    return results


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
