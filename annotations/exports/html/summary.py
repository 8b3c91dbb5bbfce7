"""The project's parts of the report: agreement figures and charts, the summary with the table
of documents, the comparison by outlet and by author, and the sources named."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any

from annotations.exports.figures import OPINION, SOURCED, UNSOURCED, Tally
from annotations.exports.html.document import counts, sources
from annotations.exports.html.style import FALLBACK_COLOR, RATING_COLORS, percent
from annotations.exports.records import RATINGS, ProjectRecord
from annotations.exports.svg import Bar, bar_chart, stacked_bar


@dataclass
class Row:
    id: int
    title: str
    outlet: str
    author: str
    status: str
    tally: Tally


@dataclass
class Summary:
    total: Tally = field(default_factory=Tally)
    rows: list[Row] = field(default_factory=list)
    by_outlet: defaultdict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_author: defaultdict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))


def agreement_section(agreement: Mapping[str, Any]) -> str:
    """Agreement figures and charts (per label, per reviewer, per pair) from the agreement read.

    A figure that rests on nothing is absent from the read, and shows as "no figure", never 0.
    """
    pooled = _mapping(agreement.get("pooled"))
    headline = [
        ("Krippendorff's alpha", _mapping(agreement.get("alpha"))),
        ("Cohen's kappa", _mapping(pooled.get("kappa"))),
        ("Gwet's AC1", _mapping(pooled.get("ac1"))),
        ("span F1, exact", _f1(pooled.get("span_exact"))),
        ("span F1, overlapping", _f1(pooled.get("span_overlap"))),
    ]
    cells = []
    for name, figure in headline:
        value = figure.get("value")
        shown = f"{value:.2f}" if isinstance(value, int | float) else "&mdash;"
        rests = f" · {_documents(figure['documents'])}" if "documents" in figure else ""
        cells.append(
            f'<div><span class="score">{shown}</span><small>{escape(name)}{rests}</small></div>'
        )
    disputes = _mapping(agreement.get("disputes"))
    cells.append(
        f'<div><span class="score">{int(disputes.get("open", 0))}</span><small>open disputes'
        f" · {int(disputes.get('resolved', 0))} resolved</small></div>"
    )
    parts = [
        '<section class="agreement"><h2>Agreement between reviewers</h2>',
        '<div class="figures">' + "".join(cells) + "</div>",
    ]
    labels = _mapping(agreement.get("labels"))
    for title, bars in (
        (
            "Krippendorff's alpha per label",
            [_bar(name, _mapping(entry).get("alpha")) for name, entry in labels.items()],
        ),
        (
            "Span F1 (overlapping) per label",
            [
                _bar(name, _f1(_mapping(entry).get("span_overlap")))
                for name, entry in labels.items()
            ],
        ),
        (
            "Share of each reviewer's spans kept in the final verdicts",
            [
                _bar(str(entry.get("reviewer", "?")), entry.get("survival"))
                for entry in _entries(agreement.get("reviewers"))
            ],
        ),
        (
            "Cohen's kappa per reviewer pair",
            [
                _bar(" & ".join(map(str, entry.get("reviewers") or [])), entry.get("kappa"))
                for entry in _entries(agreement.get("pairs"))
            ],
        ),
    ):
        if any(bar.value is not None for bar in bars):
            negative = any(bar.value is not None and bar.value < 0 for bar in bars)
            parts.append(bar_chart(bars, title=title, low=-1.0 if negative else 0.0))
    parts.append("</section>\n")
    return "".join(parts)


def _documents(count: Any) -> str:
    return f"{count} document" if count == 1 else f"{count} documents"


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _entries(value: Any) -> list[Mapping[str, Any]]:
    return (
        [entry for entry in value if isinstance(entry, Mapping)] if isinstance(value, list) else []
    )


def _f1(scores: Any) -> Mapping[str, Any]:
    """Span scores ({precision, recall, f1, documents}) as a figure of their F1."""
    scores = _mapping(scores)
    return {"value": scores["f1"], "documents": scores.get("documents")} if "f1" in scores else {}


def _bar(name: str, figure: Any) -> Bar:
    figure = _mapping(figure)
    value = figure.get("value")
    documents = figure.get("documents")
    return Bar(
        name,
        float(value) if isinstance(value, int | float) else None,
        _documents(documents) if documents else "",
    )


def summary_section(
    project: ProjectRecord, summary: Summary, colors: Mapping[str, str], scope: str
) -> str:
    total = summary.total
    parts = ['<section class="summary"><h2>Summary</h2>', counts(total, project.labels)]
    if total.ratings:
        parts.append(
            "<p>"
            + " · ".join(
                f'<span class="rating" style="color:{RATING_COLORS[r]}">{total.ratings[r]}</span>'
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
            parts.append("<h3>Sources named</h3>" + sources(total.sources, limit=30))
    parts.append("</section>\n")
    return "".join(parts)


def _document_table(rows: list[Row]) -> str:
    body = "".join(
        f'<tr><td><a href="#doc-{row.id}">{escape(row.title)}</a></td><td>{escape(row.outlet)}</td>'
        f"<td>{escape(row.author)}</td><td>{escape(row.status)}</td>"
        f'<td class="n">{row.tally.spans}</td><td class="n">{row.tally.labels[SOURCED]}</td>'
        f'<td class="n">{row.tally.labels[UNSOURCED]}</td>'
        f'<td class="n">{row.tally.labels[OPINION]}</td>'
        f'<td class="n">{sum(row.tally.ratings.values())}</td>'
        f'<td class="n">{percent(row.tally.sourcing_score)}</td></tr>'
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
            (label, tally.share(label) or 0.0, colors.get(label, FALLBACK_COLOR))
            for label in (SOURCED, UNSOURCED, OPINION)
        ]
        ratings = " · ".join(f"{tally.ratings[r]} {r}" for r in RATINGS if tally.ratings[r])
        rows.append(
            f'<tr><td>{escape(name)}</td><td class="n">{tally.documents}</td>'
            f'<td class="n">{tally.spans}</td>'
            + "".join(f'<td class="n">{percent(tally.share(label))}</td>' for label, _, _ in shares)
            + f"<td>{stacked_bar(shares)}</td>"
            f'<td class="n">{percent(tally.sourcing_score)}</td><td>{ratings}</td></tr>'
        )
    return (
        f'<table><thead><tr><th>{escape(what)}</th><th class="n">Documents</th>'
        '<th class="n">Spans</th><th class="n">Sourced</th><th class="n">Unsourced</th>'
        '<th class="n">Opinion</th><th>Shares</th><th class="n">Sourcing</th>'
        f"<th>Rated claims</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
