"""The readable, printable HTML report: one self-contained page (inline CSS and SVG, no script).

Streamed: the head and the agreement figures first, then one section per document as it comes,
then the project summary (document table, comparison by outlet and by author, sources named),
which can only be counted at the end. CSS `order` shows the summary above the documents on
screen and on paper. A Content-Security-Policy in the page forbids every request, and every
string from users or documents goes through `html.escape`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from html import escape
from itertools import pairwise
from typing import Any

from annotations.exports.figures import OPINION, SOURCED, UNSOURCED, Tally
from annotations.exports.records import (
    RATINGS,
    DisputeRecord,
    DocumentRecord,
    Export,
    LabelRecord,
    ProjectRecord,
    Verdict,
    verdict_anchor,
)
from annotations.exports.svg import Bar, bar_chart, stacked_bar

CONTENT_TYPE = "text/html; charset=utf-8"
EXTENSION = "html"
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
_FALLBACK_COLOR = "#757575"
_RATING_COLORS = {
    "supported": "#2e7d32",
    "contradicted": "#c62828",
    "unverifiable": "#757575",
    "misleading": "#ef6c00",
}

STYLE = """
:root{--ink:#1b1b1b;--muted:#5f6368;--rule:#dadce0;--paper:#fff}
*{box-sizing:border-box}
body{margin:0;background:#f4f5f7;color:var(--ink);font:15px/1.55 system-ui,-apple-system,
"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic",sans-serif}
main{display:flex;flex-direction:column;gap:18px;max-width:1000px;margin:0 auto;padding:24px}
main>*{background:var(--paper);border:1px solid var(--rule);border-radius:6px;padding:18px 22px}
.head{order:0}.summary{order:1}.agreement{order:2}.doc{order:3}.foot{order:4;font-size:12px;
color:var(--muted)}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:0 0 6px}
h3{font-size:15px;margin:16px 0 6px}
.meta{color:var(--muted);font-size:13px;margin:0}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}
th,td{border-bottom:1px solid var(--rule);padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f8f9fa;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.text{white-space:pre-wrap;overflow-wrap:anywhere;unicode-bidi:plaintext;border-left:3px solid
var(--rule);padding:6px 12px;margin:8px 0;
font-family:Georgia,"Noto Serif","Noto Naskh Arabic",serif}
mark{padding:0 1px;border-radius:2px;color:inherit}
mark sup{font:600 10px system-ui,sans-serif;color:var(--muted);margin-right:1px}
.legend span,.chip{display:inline-block;margin:0 10px 4px 0;font-size:13px}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;
vertical-align:-1px}
.score{font-size:22px;font-weight:600}.figures{display:flex;flex-wrap:wrap;gap:8px 28px}
.figures div{min-width:120px}.figures small{display:block;color:var(--muted);font-size:12px}
.rating{font-weight:600}.nowrap{white-space:nowrap}.quote{unicode-bidi:plaintext}.none{color:var(--muted);font-style:italic}
.dispute{border:1px solid var(--rule);border-radius:4px;padding:6px 10px;margin:8px 0}
.chart{display:block;max-width:100%;height:auto;font:12px system-ui,sans-serif}
.chart .chart-title{font-weight:600}.chart .chart-none{fill:var(--muted);font-style:italic}
a{color:#1a57b5}
@media print{body{background:#fff;font-size:11pt}main{max-width:none;padding:0;gap:0}
main>*{border:0;border-radius:0;padding:0 0 12pt}.doc{break-before:page}
a{color:inherit;text-decoration:none}table,.dispute,.chart{break-inside:avoid}
mark{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


@dataclass
class _Row:
    id: int
    title: str
    outlet: str
    author: str
    status: str
    tally: Tally


@dataclass
class _Summary:
    total: Tally = field(default_factory=Tally)
    rows: list[_Row] = field(default_factory=list)
    by_outlet: defaultdict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_author: defaultdict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))


def write(export: Export) -> Iterator[str]:
    """Yield the report's HTML, one document section per chunk."""
    project = export.project
    colors = {label.value: _color(label.color) for label in project.labels}
    summary = _Summary()
    yield _head(project, export.scope)
    if project.agreement is not None:
        yield _agreement(project.agreement)
    for document in export.documents:
        tally = Tally()
        tally.add(document.verdicts)
        summary.total.add(document.verdicts)
        summary.by_outlet[document.outlet or "(no outlet)"].add(document.verdicts)
        summary.by_author[document.author or "(no author)"].add(document.verdicts)
        summary.rows.append(
            _Row(
                document.id,
                document.title,
                document.outlet,
                document.author,
                document.status,
                tally,
            )
        )
        yield _document(project, document, tally, colors)
    yield _summary(project, summary, colors, export.scope)
    yield (
        f'<footer class="foot">Generated by factcheck on {_when(project.exported_at)}'
        f"{' for ' + escape(project.exported_by) if project.exported_by else ''}. "
        "Offsets are Unicode code points. Sourcing score: sourced ÷ (sourced + unsourced) "
        "final spans; opinions are not checkable assertions.</footer>\n</main></body></html>\n"
    )


def _head(project: ProjectRecord, scope: str) -> str:
    filters = ", ".join(f"{key} = {value}" for key, value in project.filters.items())
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>Fact-check report: {escape(project.name)}</title>"
        f"<style>{STYLE}</style></head><body><main>\n"
        f'<header class="head"><h1>Fact-check report: {escape(project.name)}</h1>'
        f'<p class="meta">{"One document" if scope == "document" else "Project report"} · '
        f"exported {_when(project.exported_at)}"
        f"{' · ' + escape(filters) if filters else ''}</p>"
        f"{'<p>' + escape(project.description) + '</p>' if project.description else ''}"
        f"{_legend(project.labels)}</header>\n"
    )


def _legend(labels: tuple[LabelRecord, ...]) -> str:
    items = "".join(
        f'<span><i class="swatch" style="background:{_color(label.color)}"></i>'
        f'{escape(label.name)} <span class="meta">({escape(label.value)})</span></span>'
        for label in labels
    )
    return f'<p class="legend" aria-label="Labels">{items}</p>'


def _agreement(agreement: Mapping[str, Any]) -> str:
    """Agreement figures and charts per label and per reviewer, from the agreement read."""
    parts = ['<section class="agreement"><h2>Agreement between reviewers</h2>']
    overall = (
        agreement.get("project") if isinstance(agreement.get("project"), Mapping) else agreement
    )
    figures = _figures(overall)
    if figures:
        parts.append('<div class="figures">')
        for name, value, note in figures:
            shown = f"{value:.2f}" if value is not None else "—"
            parts.append(
                f'<div><span class="score">{shown}</span><small>{escape(name)}'
                f"{' · ' + escape(note) if note else ''}</small></div>"
            )
        parts.append("</div>")
    for key, title in (
        ("per_label", "Agreement per label"),
        ("per_reviewer", "Agreement per reviewer"),
        ("per_pair", "Agreement per reviewer pair"),
    ):
        bars = _bars(agreement.get(key))
        if bars:
            low = -1.0 if any(bar.value is not None and bar.value < 0 for bar in bars) else 0.0
            parts.append(bar_chart(bars, title=title, low=low))
    if len(parts) == 1:
        parts.append('<p class="none">No agreement figures yet.</p>')
    parts.append("</section>\n")
    return "".join(parts)


def _figures(body: Any) -> list[tuple[str, float | None, str]]:
    """The headline figures of an agreement body: numbers, or {"value", "documents"} objects."""
    if not isinstance(body, Mapping):
        return []
    found: list[tuple[str, float | None, str]] = []
    for key, value in body.items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float) and key not in ("documents", "project_id"):
            found.append((key.replace("_", " "), float(value), ""))
        elif isinstance(value, Mapping) and "value" in value:
            number = value.get("value")
            note = f"{value['documents']} documents" if "documents" in value else ""
            found.append(
                (key.replace("_", " "), float(number) if number is not None else None, note)
            )
    return found


def _bars(section: Any) -> list[Bar]:
    """Bars from {name: figure} or [{name/label/reviewer, value or a first figure}]."""
    items: list[tuple[str, Any]] = []
    if isinstance(section, Mapping):
        items = [(str(key), value) for key, value in section.items()]
    elif isinstance(section, list):
        for entry in section:
            if isinstance(entry, Mapping):
                name = next(
                    (str(entry[k]) for k in ("label", "reviewer", "name", "pair") if k in entry),
                    "?",
                )
                items.append((name, entry))
    bars = []
    for name, value in items:
        figures = _figures(value) if isinstance(value, Mapping) else []
        if value is None:
            bars.append(Bar(name, None))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            bars.append(Bar(name, float(value)))
        elif figures:
            label, number, note = figures[0]
            shown = " · ".join(part for part in (label, note) if part and part != "value")
            bars.append(Bar(name, number, shown))
    return bars


def _document(
    project: ProjectRecord, document: DocumentRecord, tally: Tally, colors: Mapping[str, str]
) -> str:
    meta = " · ".join(
        escape(part)
        for part in (
            document.outlet,
            document.author,
            document.published_on.isoformat() if document.published_on else "",
            f"status {document.status}",
            f"document {document.id}",
        )
        if part
    )
    title = escape(document.title)
    if _is_http(document.source_url):
        title = f'<a href="{escape(document.source_url)}" rel="noreferrer">{title}</a>'
    parts = [
        f'<section class="doc" id="doc-{document.id}"><h2>{title}</h2><p class="meta">{meta}</p>',
        _counts(tally, project.labels),
        f'<div class="text" dir="auto">{highlight(document.text, document.verdicts, colors)}</div>',
    ]
    if not document.verdicts:
        parts.append(
            '<p class="none">No final spans: the document is not settled yet '
            f"(status {escape(document.status)}).</p>"
        )
    else:
        parts.append(_verdict_table(document.verdicts, colors))
    if tally.sources:
        parts.append("<h3>Sources named</h3>" + _sources(tally.sources))
    if document.disputes:
        parts.append(_disputes(document))
    parts.append("</section>\n")
    return "".join(parts)


def highlight(text: str, verdicts: tuple[Verdict, ...], colors: Mapping[str, str]) -> str:
    """The escaped text with each final span in a <mark>, numbered; overlaps split into pieces.

    A piece covered by several spans takes the colour of the one that started last (the inner).
    """
    numbers = {id(verdict): index for index, verdict in enumerate(verdicts, start=1)}
    cuts = sorted({0, len(text), *(v.start for v in verdicts), *(v.end for v in verdicts)})
    out: list[str] = []
    for left, right in pairwise(cuts):
        if left >= right:
            continue
        piece = escape(text[left:right])
        covering = [v for v in verdicts if v.start <= left and right <= v.end]
        if not covering:
            out.append(piece)
            continue
        inner = max(covering, key=lambda v: (v.start, -v.end))
        starts = "".join(
            f'<sup id="{verdict_anchor(v)}">{numbers[id(v)]}</sup>'
            for v in covering
            if v.start == left
        )
        color = colors.get(inner.label, _FALLBACK_COLOR)
        out.append(
            f'<mark style="background:{color}33;box-shadow:inset 0 -2px {color}" '
            f'title="{escape(inner.label)}">{starts}{piece}</mark>'
        )
    return "".join(out)


def _counts(tally: Tally, labels: tuple[LabelRecord, ...]) -> str:
    score = tally.sourcing_score
    cells = [
        f'<div><span class="score">{_percent(score)}</span><small>sourcing score'
        f" ({tally.labels[SOURCED]} of {tally.labels[SOURCED] + tally.labels[UNSOURCED]}"
        " checkable)</small></div>"
    ]
    known = [label.value for label in labels]
    for value in known + sorted(set(tally.labels) - set(known)):
        cells.append(
            f'<div><span class="score">{tally.labels[value]}</span>'
            f"<small>{escape(value)}</small></div>"
        )
    rated = sum(tally.ratings.values())
    cells.append(f'<div><span class="score">{rated}</span><small>rated claims</small></div>')
    return '<div class="figures">' + "".join(cells) + "</div>"


def _verdict_table(verdicts: tuple[Verdict, ...], colors: Mapping[str, str]) -> str:
    rows = []
    for index, verdict in enumerate(verdicts, start=1):
        color = colors.get(verdict.label, _FALLBACK_COLOR)
        evidence = "".join(
            f"<li>{escape(item.stance)}: {_link(item.url, item.title or item.url)}"
            f"{' — “' + escape(item.quoted_passage) + '”' if item.quoted_passage else ''}"
            f' <span class="meta">({escape(item.added_by)})</span></li>'
            for item in verdict.evidence
        )
        decided = escape(verdict.provenance)
        if verdict.decided_by:
            decided += f" by {escape(verdict.decided_by)}"
        if verdict.decided_at:
            decided += f", {_when(verdict.decided_at)}"
        rating = (
            f'<span class="rating" style="color:{_RATING_COLORS.get(verdict.rating, "#000")}">'
            f"{escape(verdict.rating)}</span>"
            if verdict.rating
            else ""
        )
        rows.append(
            f'<tr><td class="n"><a href="#{verdict_anchor(verdict)}">{index}</a></td>'
            f'<td class="quote" dir="auto">{escape(verdict.quote)}</td>'
            f'<td class="nowrap"><i class="swatch" style="background:{color}"></i>'
            f"{escape(verdict.label)}</td><td><bdi>{escape(verdict.source)}</bdi></td><td>{rating}"
            f"{'<br>' + escape(verdict.rationale) if verdict.rationale else ''}</td>"
            f"<td>{decided}</td><td>{'<ul>' + evidence + '</ul>' if evidence else ''}</td></tr>"
        )
    return (
        '<h3>Final spans</h3><table><thead><tr><th class="n">#</th><th>Quote</th>'
        "<th>Label</th><th>Source</th><th>Rating and rationale</th><th>Provenance</th>"
        "<th>Evidence</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _disputes(document: DocumentRecord) -> str:
    spans = {
        span.id: (review.reviewer, span) for review in document.reviews for span in review.spans
    }
    reviewers = [review.reviewer for review in document.reviews if review.state == "submitted"]
    parts = ["<h3>Disputes</h3>"]
    for dispute in document.disputes:
        parts.append(_dispute(document.text, dispute, spans, reviewers))
    return "".join(parts)


def _dispute(
    text: str,
    dispute: DisputeRecord,
    spans: Mapping[int, tuple[str, Any]],
    reviewers: list[str],
) -> str:
    versions = []
    marked = set()
    for span_id in dispute.span_ids:
        if span_id not in spans:
            continue
        reviewer, span = spans[span_id]
        marked.add(reviewer)
        versions.append(
            f"<tr><td>{escape(reviewer)}</td><td>{escape(span.label)}</td>"
            f'<td class="n">{span.start}&ndash;{span.end}</td><td class="quote" dir="auto">'
            f"{escape(span.quote)}</td><td>{escape(span.source)}</td><td>{escape(span.note)}</td></tr>"
        )
    for reviewer in reviewers:
        if reviewer not in marked:
            versions.append(
                f'<tr><td>{escape(reviewer)}</td><td colspan="5" class="none">marked nothing here'
                "</td></tr>"
            )
    decisions = "".join(
        f"<li><b>{escape(resolution.lead)}</b>, {_when(resolution.created_at)}: "
        + (
            "no span here"
            if resolution.no_span
            else f"{escape(resolution.label)} at {resolution.start}&ndash;{resolution.end}"
        )
        + (f", rated {escape(resolution.rating)}" if resolution.rating else "")
        + f" — {escape(resolution.rationale)}</li>"
        for resolution in dispute.resolutions
    )
    return (
        f'<div class="dispute"><b>{escape(dispute.kind)} dispute</b> '
        f'<span class="meta">({escape(dispute.status)}, {dispute.start}&ndash;{dispute.end})</span>'
        f'<p class="quote" dir="auto">“{escape(text[dispute.start : dispute.end])}”</p>'
        "<table><thead><tr><th>Reviewer</th><th>Label</th><th class=\"n\">Offsets</th>"
        "<th>Quote</th><th>Source</th><th>Note</th></tr></thead><tbody>"
        + "".join(versions)
        + "</tbody></table>"
        + (f"<p>Lead's decision:</p><ul>{decisions}</ul>" if decisions else "<p class=\"none\">"
           "Not resolved yet.</p>")
        + "</div>"
    )  # fmt: skip


def _summary(
    project: ProjectRecord, summary: _Summary, colors: Mapping[str, str], scope: str
) -> str:
    total = summary.total
    parts = ['<section class="summary"><h2>Summary</h2>', _counts(total, project.labels)]
    if total.ratings:
        parts.append(
            "<p>"
            + " · ".join(
                f'<span class="rating" style="color:{_RATING_COLORS[r]}">{total.ratings[r]}</span>'
                f" {r}"
                for r in RATINGS
                if total.ratings[r]
            )
            + "</p>"
        )
    if scope == "project":
        parts.append("<h3>Documents</h3>" + _document_table(summary.rows))
        parts.append("<h3>By outlet</h3>" + _comparison(summary.by_outlet, colors, "Outlet"))
        parts.append("<h3>By author</h3>" + _comparison(summary.by_author, colors, "Author"))
        if total.sources:
            parts.append("<h3>Sources named</h3>" + _sources(total.sources, limit=30))
    parts.append("</section>\n")
    return "".join(parts)


def _document_table(rows: list[_Row]) -> str:
    body = "".join(
        f'<tr><td><a href="#doc-{row.id}">{escape(row.title)}</a></td><td>{escape(row.outlet)}</td>'
        f"<td>{escape(row.author)}</td><td>{escape(row.status)}</td>"
        f'<td class="n">{row.tally.spans}</td><td class="n">{row.tally.labels[SOURCED]}</td>'
        f'<td class="n">{row.tally.labels[UNSOURCED]}</td>'
        f'<td class="n">{row.tally.labels[OPINION]}</td>'
        f'<td class="n">{sum(row.tally.ratings.values())}</td>'
        f'<td class="n">{_percent(row.tally.sourcing_score)}</td></tr>'
        for row in rows
    )
    return (
        "<table><thead><tr><th>Document</th><th>Outlet</th><th>Author</th><th>Status</th>"
        '<th class="n">Spans</th><th class="n">Sourced</th><th class="n">Unsourced</th>'
        '<th class="n">Opinion</th><th class="n">Rated</th><th class="n">Sourcing</th></tr>'
        f"</thead><tbody>{body}</tbody></table>"
    )


def _comparison(groups: Mapping[str, Tally], colors: Mapping[str, str], what: str) -> str:
    """Share sourced / unsourced / opinion and rated claims by rating, per outlet or author."""
    rows = []
    for name, tally in sorted(groups.items(), key=lambda item: (-item[1].spans, item[0])):
        shares = [
            (label, tally.share(label) or 0.0, colors.get(label, _FALLBACK_COLOR))
            for label in (SOURCED, UNSOURCED, OPINION)
        ]
        ratings = " · ".join(f"{tally.ratings[r]} {r}" for r in RATINGS if tally.ratings[r])
        rows.append(
            f'<tr><td>{escape(name)}</td><td class="n">{tally.documents}</td>'
            f'<td class="n">{tally.spans}</td>'
            + "".join(
                f'<td class="n">{_percent(tally.share(label))}</td>' for label, _, _ in shares
            )
            + f"<td>{stacked_bar(shares)}</td>"
            f'<td class="n">{_percent(tally.sourcing_score)}</td><td>{ratings}</td></tr>'
        )
    return (
        f'<table><thead><tr><th>{escape(what)}</th><th class="n">Documents</th>'
        '<th class="n">Spans</th><th class="n">Sourced</th><th class="n">Unsourced</th>'
        '<th class="n">Opinion</th><th>Shares</th><th class="n">Sourcing</th>'
        f"<th>Rated claims</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _sources(sources: Counter[str], limit: int = 0) -> str:
    common = sources.most_common(limit or None)
    items = "".join(
        f"<li><bdi>{escape(name)}</bdi> <b>&times;{count}</b></li>" for name, count in common
    )
    more = len(sources) - len(common)
    return f"<ul>{items}</ul>" + (f'<p class="meta">and {more} more</p>' if more > 0 else "")


def _link(url: str, text: str) -> str:
    if _is_http(url):
        return f'<a href="{escape(url)}" rel="noreferrer">{escape(text)}</a>'
    return escape(text)


def _is_http(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _color(value: str) -> str:
    return value if _HEX.match(value) else _FALLBACK_COLOR


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _when(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
