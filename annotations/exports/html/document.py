"""One document's section: the text with its final spans highlighted, the spans, the sources
named and the disputes with each reviewer's version and the lead's decision."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from html import escape
from itertools import pairwise
from typing import Any

from annotations.exports.figures import SOURCED, UNSOURCED, Tally
from annotations.exports.html.style import (
    FALLBACK_COLOR,
    RATING_COLORS,
    is_http,
    link,
    percent,
    when,
)
from annotations.exports.records import (
    DisputeRecord,
    DocumentRecord,
    LabelRecord,
    ProjectRecord,
    Verdict,
    verdict_anchor,
)


def document_section(
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
    if is_http(document.source_url):
        title = f'<a href="{escape(document.source_url)}" rel="noreferrer">{title}</a>'
    parts = [
        f'<section class="doc" id="doc-{document.id}"><h2>{title}</h2><p class="meta">{meta}</p>',
        counts(tally, project.labels),
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
        parts.append("<h3>Sources named</h3>" + sources(tally.sources))
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
        color = colors.get(inner.label, FALLBACK_COLOR)
        out.append(
            f'<mark style="background:{color}33;box-shadow:inset 0 -2px {color}" '
            f'title="{escape(inner.label)}">{starts}{piece}</mark>'
        )
    return "".join(out)


def counts(tally: Tally, labels: tuple[LabelRecord, ...]) -> str:
    score = tally.sourcing_score
    cells = [
        f'<div><span class="score">{percent(score)}</span><small>sourcing score'
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
        color = colors.get(verdict.label, FALLBACK_COLOR)
        evidence = "".join(
            f"<li>{escape(item.stance)}: {link(item.url, item.title or item.url)}"
            f"{' — “' + escape(item.quoted_passage) + '”' if item.quoted_passage else ''}"
            f' <span class="meta">({escape(item.added_by)})</span></li>'
            for item in verdict.evidence
        )
        decided = escape(verdict.provenance)
        if verdict.decided_by:
            # An agreed span with a lead's name was rated by that lead, not settled by them.
            verb = "rated" if verdict.provenance == "agreed" else "decided"
            decided += f"; {verb} by {escape(verdict.decided_by)}"
        if verdict.decided_at:
            decided += f", {when(verdict.decided_at)}"
        rating = (
            f'<span class="rating" style="color:{RATING_COLORS.get(verdict.rating, "#000")}">'
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
        f"<li><b>{escape(resolution.lead)}</b>, {when(resolution.created_at)}: "
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


def sources(sources: Counter[str], limit: int = 0) -> str:
    common = sources.most_common(limit or None)
    items = "".join(
        f"<li><bdi>{escape(name)}</bdi> <b>&times;{count}</b></li>" for name, count in common
    )
    more = len(sources) - len(common)
    return f"<ul>{items}</ul>" + (f'<p class="meta">and {more} more</p>' if more > 0 else "")
