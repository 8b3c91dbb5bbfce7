"""W3C Web Annotation Data Model JSON-LD: an AnnotationCollection, one annotation per final span.

Each annotation targets the stored text of its document with a TextQuoteSelector (exact,
prefix, suffix) and a TextPositionSelector (code points, end exclusive, as the model requires),
so `text[start:end] == exact` re-anchors it. The label is a `tagging` body, the source an
`identifying` body, the rating an `assessing` body, the lead's rationale a `commenting` body, and
each evidence link a linked SpecificResource whose stance (supports / refutes / context) has no
term in the model and so is a term of our own, declared in the context.

The collection holds one page with every annotation; its `total` is written after the items,
which JSON allows, so the stream never needs to count first.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from annotations.exports.figures import context
from annotations.exports.records import (
    GENERATOR,
    DocumentRecord,
    Export,
    ProjectRecord,
    Verdict,
    document_iri,
    verdict_anchor,
)

CONTENT_TYPE = "application/ld+json; charset=utf-8"
EXTENSION = "jsonld"
ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
OUR_TERMS = "urn:factcheck:terms:"
CONTEXT: list[Any] = [ANNO_CONTEXT, {"factcheck": OUR_TERMS}]


def write(export: Export) -> Iterator[str]:
    """Yield the collection as JSON-LD, a document's annotations per chunk."""
    project = export.project
    collection_id = _collection_iri(project)
    head = {
        "@context": CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": f"Final verdicts of {project.name}",
        "generator": generator(project),
        "generated": _time(project.exported_at),
        "first": {
            "id": collection_id + ("&page=1" if project.base_url else ":page:1"),
            "type": "AnnotationPage",
            "startIndex": 0,
        },
    }
    opening = _dumps(head)
    # Reopen the page object and the collection: "...,"first":{...,"startIndex":0}}"
    yield opening[:-2] + ',"items":['
    count = 0
    for document in export.documents:
        for verdict in document.verdicts:
            yield ("," if count else "") + "\n" + _dumps(annotation(project, document, verdict))
            count += 1
    yield f'\n]}},"total":{count}}}\n'


def annotation(
    project: ProjectRecord, document: DocumentRecord, verdict: Verdict
) -> dict[str, Any]:
    """One final span as a standalone Web Annotation (it carries its own @context)."""
    prefix, suffix = context(document.text, verdict.start, verdict.end)
    bodies: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "tagging", "value": verdict.label}
    ]
    if verdict.source:
        bodies.append({"type": "TextualBody", "purpose": "identifying", "value": verdict.source})
    if verdict.rating:
        bodies.append({"type": "TextualBody", "purpose": "assessing", "value": verdict.rating})
    if verdict.rationale:
        bodies.append({"type": "TextualBody", "purpose": "commenting", "value": verdict.rationale})
    for evidence in verdict.evidence:
        body: dict[str, Any] = {
            "type": "SpecificResource",
            "purpose": "linking",
            "source": evidence.url,
            "factcheck:stance": evidence.stance,
        }
        if evidence.title:
            body["factcheck:title"] = evidence.title
        if evidence.quoted_passage:
            body["factcheck:quotedPassage"] = evidence.quoted_passage
        if evidence.added_by:
            body["creator"] = {"type": "Person", "nickname": evidence.added_by}
        bodies.append(body)
    creators = (
        [verdict.decided_by]
        if verdict.decided_by
        else sorted({version.reviewer for version in verdict.reviewers if version.label})
    )
    item: dict[str, Any] = {
        "@context": CONTEXT,
        "id": _annotation_iri(project, verdict),
        "type": "Annotation",
        "motivation": ["classifying", "assessing"] if verdict.rating else "classifying",
        "body": bodies,
        "target": {
            "type": "SpecificResource",
            "source": document_iri(project, document.id),
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": verdict.quote,
                    "prefix": prefix,
                    "suffix": suffix,
                },
                {"type": "TextPositionSelector", "start": verdict.start, "end": verdict.end},
            ],
        },
        "generator": generator(project),
        "generated": _time(project.exported_at),
        "factcheck:provenance": verdict.provenance,
    }
    if creators:
        item["creator"] = [{"type": "Person", "nickname": name} for name in creators]
    if verdict.decided_at is not None:
        item["created"] = _time(verdict.decided_at)
    if document.source_url:
        # The page the stored text was taken from: the context the annotation applies in.
        item["target"]["scope"] = document.source_url
    return item


def generator(project: ProjectRecord) -> dict[str, str]:
    return {
        "id": project.base_url.rstrip("/") + "/" if project.base_url else "urn:factcheck:software",
        "type": "Software",
        "name": GENERATOR,
    }


def _collection_iri(project: ProjectRecord) -> str:
    if project.base_url:
        return f"{project.base_url.rstrip('/')}/api/v1/projects/{project.id}/export?format=w3c"
    return f"urn:factcheck:project:{project.id}:verdicts"


def _annotation_iri(project: ProjectRecord, verdict: Verdict) -> str:
    if project.base_url:
        return f"{document_iri(project, verdict.document_id)}/verdicts#{verdict_anchor(verdict)}"
    return f"urn:factcheck:verdict:{verdict_anchor(verdict)}"


def _time(value: dt.datetime) -> str:
    # xsd:dateTime with its offset, as the model asks ("2026-12-02T19:00:00Z").
    return value.isoformat().replace("+00:00", "Z")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
