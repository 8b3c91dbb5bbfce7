"""CSV: one row per final span, UTF-8 with a byte-order mark so spreadsheets read it as UTF-8.

A cell that begins with `=`, `+`, `-`, `@`, tab or carriage return would be run as a formula by
spreadsheet programs (CSV injection, OWASP); such text cells get a leading apostrophe, which
the programs show as text and do not display. Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from annotations.exports.records import DocumentRecord, Export, Verdict

CONTENT_TYPE = "text/csv; charset=utf-8"
EXTENSION = "csv"
BOM = "\ufeff"
COLUMNS = (
    "document_id",
    "document_title",
    "outlet",
    "author",
    "published_on",
    "document_url",
    "start",
    "end",
    "quote",
    "label",
    "source",
    "rating",
    "rationale",
    "provenance",
    "decided_by",
    "decided_at",
    "evidence_urls",
    "reviewer_labels",
    "dispute_id",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A text cell made safe from being run as a spreadsheet formula."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def write(export: Export) -> Iterator[str]:
    """Yield the CSV text: the BOM and header, then a chunk of rows per document."""
    buffer = io.StringIO()
    # Excel and LibreOffice expect CRLF row ends; newlines inside quoted cells stay \n.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield BOM + buffer.getvalue()
    for document in export.documents:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(_row(document, verdict) for verdict in document.verdicts)
        if buffer.tell():
            yield buffer.getvalue()


def _row(document: DocumentRecord, verdict: Verdict) -> list[str | int]:
    cells: list[str | int] = [
        document.id,
        document.title,
        document.outlet,
        document.author,
        document.published_on.isoformat() if document.published_on else "",
        document.source_url,
        verdict.start,
        verdict.end,
        verdict.quote,
        verdict.label,
        verdict.source,
        verdict.rating,
        verdict.rationale,
        verdict.provenance,
        verdict.decided_by,
        verdict.decided_at.isoformat() if verdict.decided_at else "",
        " ".join(evidence.url for evidence in verdict.evidence),
        "; ".join(
            f"{version.reviewer}: {version.label or '(nothing)'}" for version in verdict.reviewers
        ),
        verdict.dispute_id if verdict.dispute_id is not None else "",
    ]
    return [neutralise(cell) if isinstance(cell, str) else cell for cell in cells]
