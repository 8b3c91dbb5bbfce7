"""Project figures from a running total of the documents' stored statistics.

Each document stores, when its round completes, its additive statistics (coincidences, pairs'
confusion matrices and span counts) and, once settled, each reviewer's counts against the
verdicts. `add_round` and `add_verdicts` fold one document's into a project's running total
(sign -1 takes them out again, when a document is reopened or re-settled), together with the
number of documents behind each part; `figures_from_total` computes the coefficients of the
total. So the project's figures never look at a document again, and reading them costs the
same at any size. Every figure says how many documents it rests on; a figure that rests on
nothing is left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from annotations.agreement.alignment import Review
from annotations.agreement.coefficients import (
    add,
    alpha_from_coincidences,
    label_alpha,
    span_scores,
)
from annotations.agreement.metrics import PAIR_SEPARATOR, pair_figures

VerdictSpan = tuple[int, int, str]  # start, end, label


def reviewer_verdict_counts(
    *, reviews: Sequence[Review], verdicts: Sequence[VerdictSpan], tolerance: int
) -> dict[str, list[int]]:
    """Each reviewer's [spans, verdicts, matched]: how many of their spans survived into the
    final verdicts (same label, both boundaries within `tolerance`, one to one)."""
    counts: dict[str, list[int]] = {}
    for review in reviews:
        free = list(verdicts)
        matched = 0
        for span in sorted(review.spans, key=lambda s: (s.start, s.end)):
            hit = next(
                (
                    verdict
                    for verdict in free
                    if verdict[2] == span.label
                    and abs(verdict[0] - span.start) <= tolerance
                    and abs(verdict[1] - span.end) <= tolerance
                ),
                None,
            )
            if hit is not None:
                free.remove(hit)
                matched += 1
        counts[review.reviewer] = [len(review.spans), len(verdicts), matched]
    return counts


def _figure(value: float | None, documents: int, **more: Any) -> dict[str, Any] | None:
    if value is None or documents <= 0:
        return None
    return {"value": value, "documents": documents, **more}


def _put(target: dict[str, Any], key: str, figure: Mapping[str, Any] | None) -> None:
    if figure:
        target[key] = dict(figure)


def add_round(total: dict[str, Any], stats: Mapping[str, Any], sign: int = 1) -> dict[str, Any]:
    """Fold one document's round statistics into a project's running total (in place)."""
    part: dict[str, Any] = {"documents": 1}
    if stats.get("coincidence"):
        part.update(
            coincidence=stats["coincidence"], alpha_documents=1, units=int(stats.get("units", 0))
        )
    pairs = stats.get("pairs") or {}
    if pairs:
        pooled: dict[str, Any] = {"documents": 1}
        for pair in pairs.values():
            add(pooled, {key: value for key, value in pair.items() if key != "documents"})
        part["pooled"] = pooled
        part["pairs"] = {key: {**pair, "documents": 1} for key, pair in pairs.items()}
    return add(total, part, sign)


def add_verdicts(
    total: dict[str, Any], verdict_stats: Mapping[str, list[int]], sign: int = 1
) -> dict[str, Any]:
    """Fold one settled document's reviewer counts [spans, verdicts, matched] into the total;
    a fourth element counts the documents."""
    part = {"reviewers": {name: [*values, 1] for name, values in verdict_stats.items()}}
    return add(total, part, sign)


def figures_from_total(total: Mapping[str, Any], labels: Sequence[str]) -> dict[str, Any]:
    """The project's figures from its running total (see the module docstring)."""
    categories = len(labels) + 1
    alpha_documents = int(total.get("alpha_documents", 0))
    coincidence = total.get("coincidence", {}) if alpha_documents > 0 else {}
    result: dict[str, Any] = {"documents": int(total.get("documents", 0))}
    _put(
        result,
        "alpha",
        _figure(
            alpha_from_coincidences(coincidence),
            alpha_documents,
            units=int(total.get("units", 0)),
        ),
    )
    pooled = total.get("pooled", {})
    pooled_documents = int(pooled.get("documents", 0))
    result["labels"] = {}
    for label in labels:
        entry: dict[str, Any] = {}
        _put(entry, "alpha", _figure(label_alpha(coincidence, label), alpha_documents))
        counts = pooled.get("spans", {}).get(label) if pooled_documents > 0 else None
        if counts:
            for name, matched in (("span_exact", counts[2]), ("span_overlap", counts[3])):
                scores = span_scores(reference=counts[0], other=counts[1], matched=matched)
                if scores:
                    entry[name] = {**scores, "documents": pooled_documents}
        if entry:
            result["labels"][label] = entry
    if pooled_documents > 0:
        result["pooled"] = _with_documents(pair_figures(pooled, categories), pooled_documents)
    result["pairs"] = [
        {
            "reviewers": key.split(PAIR_SEPARATOR),
            "documents": int(pair["documents"]),
            **_with_documents(pair_figures(pair, categories), int(pair["documents"])),
        }
        for key, pair in sorted(total.get("pairs", {}).items())
        if pair.get("documents", 0) > 0
    ]
    result["reviewers"] = []
    for reviewer, (spans, verdicts, matched, documents) in sorted(
        total.get("reviewers", {}).items()
    ):
        if documents <= 0:
            continue
        entry = {
            "reviewer": reviewer,
            "documents": documents,
            "spans": spans,
            "verdicts": verdicts,
            "matched": matched,
        }
        _put(entry, "survival", _figure(matched / spans if spans else None, documents))
        _put(entry, "verdict_recall", _figure(matched / verdicts if verdicts else None, documents))
        result["reviewers"].append(entry)
    return result


def project_figures(
    *, rows: Iterable[tuple[Mapping[str, Any], Mapping[str, Any] | None]], labels: Sequence[str]
) -> dict[str, Any]:
    """The figures of documents' (stats, verdict_stats) rows, summed from nothing (what the
    running total must always equal)."""
    total: dict[str, Any] = {}
    for stats, verdict_stats in rows:
        add_round(total, stats)
        if verdict_stats:
            add_verdicts(total, verdict_stats)
    return figures_from_total(total, labels)


def _with_documents(figures: Mapping[str, Any], documents: int) -> dict[str, Any]:
    """Give every figure of a pair's result the number of documents it rests on."""
    result: dict[str, Any] = {}
    for name, value in figures.items():
        if isinstance(value, Mapping):
            result[name] = {**value, "documents": documents}
        else:
            result[name] = {"value": value, "documents": documents}
    return result
