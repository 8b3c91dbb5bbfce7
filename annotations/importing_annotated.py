"""Reading annotated exports as documents with suggestions: our JSON and Label Studio's.

Plain Python with no Django import, called by `annotations.importing` when a JSON file is one of
ours (`"format": "factcheck-export"`) or a Label Studio task has annotations or predictions.
Spans come in as suggestions, never as reviewers' work: the new project reviews them afresh.

- Our export: each document's final spans become suggestions of the engine `factcheck-import`,
  and the document's metadata keeps where they came from (project, document id, provenance,
  rating, rationale, who decided) under `import`, so exporting the new project again gives the
  same documents and final spans.
- Label Studio: every `labels` region of the task's annotations (not cancelled) and
  predictions becomes a suggestion of the engine `labelstudio-import`, with a per-region
  TextArea of the same region id as its source.

Offsets are checked against the stored (normalised) text: a region whose quoted text is not at
its offsets is moved to the nearest place the quote occurs, and dropped with a warning if it
occurs nowhere, so a suggestion always points at the words it was made on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

from annotations.importing import ImportItem, ParsedDocument, ParsedSuggestion, Refusal

OUR_FORMAT = "factcheck-export"
OUR_ENGINE = "factcheck-import"
LABEL_STUDIO_ENGINE = "labelstudio-import"
ENGINE_VERSION = "1"
_REASON_MAX = 500


def is_our_export(payload: object) -> bool:
    return isinstance(payload, dict) and payload.get("format") == OUR_FORMAT


def read_our_export(
    name: str, payload: Mapping[str, Any], *, max_bytes: int, parse: Any
) -> Iterator[ImportItem]:
    """Documents of one of our JSON exports, each with its final spans as suggestions.

    `parse` is `importing.parse_record`, passed in so this module needs nothing else from it.
    """
    version = str(payload.get("version", ""))
    if not version.startswith("1."):
        yield Refusal(name, f"unsupported factcheck-export version {version!r}; expected 1.x")
        return
    documents = payload.get("documents")
    if not isinstance(documents, list):
        yield Refusal(name, "the export has no documents list", "documents")
        return
    project: dict[str, Any] = payload["project"] if isinstance(payload.get("project"), dict) else {}
    for index, document in enumerate(documents, start=1):
        origin = f"{name}[{index}]"
        if not isinstance(document, dict):
            yield Refusal(origin, "each document must be a JSON object")
            continue
        record = {
            "title": document.get("title"),
            "text": document.get("text"),
            "url": document.get("source_url") or None,
            "author": document.get("author"),
            "outlet": document.get("outlet"),
            "published": document.get("published_on"),
        }
        item = parse(origin, record, max_bytes=max_bytes)
        if isinstance(item, Refusal):
            yield item
            continue
        spans = document["final_spans"] if isinstance(document.get("final_spans"), list) else []
        suggestions: list[ParsedSuggestion] = []
        kept: list[dict[str, Any]] = []
        warnings: list[str] = []
        source_name = f"{project.get('name', '?')} document {document.get('id', '?')}"
        for span in spans:
            if not isinstance(span, dict):
                continue
            placed = _place(item.text, span, origin, warnings)
            if placed is None:
                continue
            start, end = placed
            provenance = str(span.get("provenance") or "")
            decided_by = str(span.get("decided_by") or "")
            reason = f"final span imported from {source_name} ({provenance}"
            reason += f", decided by {decided_by})" if decided_by else ")"
            suggestions.append(
                ParsedSuggestion(
                    start=start,
                    end=end,
                    label=str(span.get("label") or ""),
                    source=str(span.get("source") or ""),
                    reason=reason[:_REASON_MAX],
                    engine=OUR_ENGINE,
                    confidence=1.0,
                )
            )
            kept.append(
                {
                    **{k: span.get(k) for k in ("label", "source", "rating", "rationale")},
                    **{k: span.get(k) for k in ("provenance", "decided_by", "decided_at")},
                    "start": start,
                    "end": end,
                }
            )
        metadata = {
            "import": {
                "format": OUR_FORMAT,
                "version": version,
                "project": project.get("name"),
                "document_id": document.get("id"),
                "status": document.get("status"),
                "final_spans": kept,
            },
            **({"metadata": document["metadata"]} if document.get("metadata") else {}),
        }
        yield dataclasses.replace(
            item,
            metadata={**item.metadata, **metadata},
            suggestions=tuple(suggestions),
            warnings=item.warnings + tuple(warnings),
        )


def label_studio_suggestions(record: Mapping[str, Any], parsed: ParsedDocument) -> ParsedDocument:
    """The task's annotation and prediction regions as suggestions of `parsed`."""
    warnings: list[str] = []
    suggestions: dict[tuple[int, int, str], ParsedSuggestion] = {}
    for kind in ("annotation", "prediction"):
        entries = record.get(kind + "s")
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict) or entry.get("was_cancelled"):
                continue
            who = _who(kind, entry)
            for value, source in _regions(entry):
                span = {**value, "quote": value.get("text")}
                placed = _place(parsed.text, span, parsed.origin, warnings)
                if placed is None:
                    continue
                score = value.get("score", entry.get("score", 1.0))
                confidence = float(score) if isinstance(score, int | float) else 1.0
                for label in value["labels"]:
                    suggestions.setdefault(
                        (placed[0], placed[1], str(label)),
                        ParsedSuggestion(
                            start=placed[0],
                            end=placed[1],
                            label=str(label)[:50],
                            source=source[:300],
                            reason=f"Label Studio {who}"[:_REASON_MAX],
                            engine=LABEL_STUDIO_ENGINE,
                            confidence=min(max(confidence, 0.0), 1.0),
                        ),
                    )
    return dataclasses.replace(
        parsed,
        suggestions=tuple(sorted(suggestions.values(), key=lambda s: (s.start, s.end, s.label))),
        warnings=parsed.warnings + tuple(warnings),
    )


def _regions(entry: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    """An annotation's `labels` regions, each with the text of its per-region TextArea."""
    results = [r for r in entry.get("result") or [] if isinstance(r, dict)]
    sources: dict[Any, str] = {}
    for result in results:
        value = result.get("value")
        if result.get("type") == "textarea" and isinstance(value, dict):
            texts = value.get("text")
            if isinstance(texts, list) and texts and isinstance(texts[0], str):
                sources[result.get("id")] = texts[0]
    for result in results:
        value = result.get("value")
        if (
            result.get("type") == "labels"
            and isinstance(value, dict)
            and isinstance(value.get("labels"), list)
            and value["labels"]
        ):
            yield value, sources.get(result.get("id"), "")


def has_label_studio_regions(record: Mapping[str, Any]) -> bool:
    return any(
        isinstance(record.get(key), list) and record[key] for key in ("annotations", "predictions")
    )


def _who(kind: str, entry: Mapping[str, Any]) -> str:
    if kind == "prediction":
        return f"prediction ({entry.get('model_version') or 'unnamed model'})"
    author = entry.get("completed_by")
    if isinstance(author, dict):
        author = author.get("username") or author.get("email") or author.get("id")
    named = " ".join(str(part) for part in ("annotation", entry.get("id")) if part is not None)
    return f"{named} by {author}" if author else named


def _place(
    text: str, span: Mapping[str, Any], origin: str, warnings: list[str]
) -> tuple[int, int] | None:
    """Where a span's quote sits in `text`: at its offsets, or at the nearest occurrence."""
    start, end, quote = span.get("start"), span.get("end"), span.get("quote")
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool):
        warnings.append(f"{origin}: a span without integer start and end was skipped")
        return None
    if not isinstance(quote, str) or not quote:
        if 0 <= start < end <= len(text):
            return start, end
        warnings.append(f"{origin}: span {start}-{end} lies outside the text; skipped")
        return None
    if 0 <= start < end <= len(text) and text[start:end] == quote:
        return start, end
    found, position = [], text.find(quote)
    while position != -1:
        found.append(position)
        position = text.find(quote, position + 1)
    if not found:
        warnings.append(f"{origin}: the quote of span {start}-{end} is not in the text; skipped")
        return None
    nearest = min(found, key=lambda p: abs(p - start))
    return nearest, nearest + len(quote)
