"""Export writers: plain Python, no Django import, one module per format.

Each format module has `write(export: Export) -> Iterator[str]`, which yields chunks as the
documents stream past (memory stays flat whatever the size), plus its `CONTENT_TYPE` and file
`EXTENSION`. The records they read are in `records`; the selector that builds them is
`annotations.selectors.exports`. Depends on `annotations.agreement.verdicts` only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from annotations.exports import claimreview, csv, html, json, labelstudio, w3c
from annotations.exports.records import Export


@dataclass(frozen=True)
class Format:
    name: str
    write: Callable[[Export], Iterator[str]]
    content_type: str
    extension: str
    description: str
    # Whether the writer reads more than the final spans: zones, reviews, disputes, ratings.
    history: bool


FORMATS: dict[str, Format] = {
    name: Format(name, module.write, module.CONTENT_TYPE, module.EXTENSION, text, history)
    for name, module, text, history in (
        ("html", html, "readable, printable report", True),
        ("json", json, "complete, versioned JSON (our schema)", True),
        ("csv", csv, "one row per final span", False),
        ("w3c", w3c, "W3C Web Annotation JSON-LD", False),
        ("claimreview", claimreview, "schema.org ClaimReview JSON-LD of rated claims", False),
        ("labelstudio", labelstudio, "Label Studio tasks JSON", True),
    )
}


def encode(chunks: Iterator[str]) -> Iterator[bytes]:
    """UTF-8 bytes of a writer's chunks (the CSV's byte-order mark included)."""
    for chunk in chunks:
        yield chunk.encode("utf-8")


__all__ = ["FORMATS", "Export", "Format", "encode"]
