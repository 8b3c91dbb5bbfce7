"""Our complete, versioned JSON: everything about a project's documents, streamed.

The shape is described by `schema/factcheck-export.schema.json` (checked in the tests) and is
what `import_documents` reads back. One document is serialised at a time; the closing
`document_count` comes last because it is only known at the end of the stream.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import is_dataclass
from pathlib import Path
from typing import Any

from annotations.exports.records import (
    FORMAT_NAME,
    FORMAT_VERSION,
    DocumentRecord,
    Export,
    ProjectRecord,
    Verdict,
)

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "factcheck-export.schema.json"
CONTENT_TYPE = "application/json; charset=utf-8"
EXTENSION = "json"


def write(export: Export) -> Iterator[str]:
    """Yield the export as JSON text, one document per chunk."""
    head = header(export.project, scope=export.scope)
    opening = _dumps(head)
    # Everything but the closing brace, then the documents array.
    yield opening[:-1] + ', "documents": ['
    count = 0
    for document in export.documents:
        yield ("," if count else "") + "\n" + _dumps(document_json(document))
        count += 1
    yield f'\n], "document_count": {count}}}\n'


def header(project: ProjectRecord, *, scope: str) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "scope": scope,
        "exported_at": project.exported_at,
        "exported_by": project.exported_by,
        "filters": dict(project.filters),
        "project": {
            "id": project.id,
            "name": project.name,
            "description": project.description,
            "reviews_required": project.reviews_required,
            "dispute_tolerance": project.dispute_tolerance,
            "labels": project.labels,
        },
        "agreement": project.agreement,
    }


def document_json(document: DocumentRecord) -> dict[str, Any]:
    """The document's fields, with its verdicts as `final_spans` (without the document id)."""
    body = dict(vars(document))
    del body["verdicts"]
    body["final_spans"] = [verdict_json(verdict) for verdict in document.verdicts]
    return body


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    body = dict(vars(verdict))
    del body["document_id"]  # the document it sits in says so
    return body


def _encode(value: Any) -> Any:
    """What the JSON encoder cannot write by itself: records, mappings, dates and times.

    A record becomes the mapping of its fields (their names are the JSON's keys, so the schema
    and the records agree); the C encoder then walks it, which is what keeps this fast.
    """
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return vars(value)
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"cannot export {type(value).__name__} as JSON")


def _dumps(value: Any) -> str:
    return json.dumps(
        value, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_encode
    )
