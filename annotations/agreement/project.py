"""Project figures as sums of the documents' stored statistics, and reviewers against verdicts.

`project_figures` never looks at a document again: it adds up the `stats` each document stored
when its round completed (coincidences, pairs' confusion matrices and span counts) and the
`verdict_stats` stored when it was settled, then computes the coefficients of the sums. Every
figure says how many documents it rests on; a figure that rests on nothing is left out.
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
    if value is None or not documents:
        return None
    return {"value": value, "documents": documents, **more}


def _put(target: dict[str, Any], key: str, figure: Mapping[str, Any] | None) -> None:
    if figure:
        target[key] = dict(figure)


def project_figures(
    *, rows: Iterable[tuple[Mapping[str, Any], Mapping[str, Any] | None]], labels: Sequence[str]
) -> dict[str, Any]:
    """The project's figures from its documents' (stats, verdict_stats) rows."""
    coincidence: dict[str, Any] = {}
    alpha_documents = 0
    units = 0
    pairs: dict[str, dict[str, Any]] = {}
    pair_documents: dict[str, int] = {}
    pooled: dict[str, Any] = {}
    pooled_documents = 0
    reviewers: dict[str, list[int]] = {}
    reviewer_documents: dict[str, int] = {}
    documents = 0
    for stats, verdict_stats in rows:
        documents += 1
        if stats.get("coincidence"):
            add(coincidence, stats["coincidence"])
            alpha_documents += 1
            units += int(stats.get("units", 0))
        if stats.get("pairs"):
            pooled_documents += 1
        for key, pair in stats.get("pairs", {}).items():
            add(pairs.setdefault(key, {"spans": {}}), pair)
            add(pooled.setdefault("spans", {}), pair["spans"])
            if "confusion" in pair:
                add(pooled.setdefault("confusion", {}), pair["confusion"])
            pair_documents[key] = pair_documents.get(key, 0) + 1
        for reviewer, values in (verdict_stats or {}).items():
            add(reviewers, {reviewer: values})
            reviewer_documents[reviewer] = reviewer_documents.get(reviewer, 0) + 1

    categories = len(labels) + 1
    result: dict[str, Any] = {"documents": documents}
    _put(
        result,
        "alpha",
        _figure(alpha_from_coincidences(coincidence), alpha_documents, units=units),
    )
    result["labels"] = {}
    for label in labels:
        entry: dict[str, Any] = {}
        _put(entry, "alpha", _figure(label_alpha(coincidence, label), alpha_documents))
        counts = pooled.get("spans", {}).get(label)
        if counts:
            for name, matched in (("span_exact", counts[2]), ("span_overlap", counts[3])):
                scores = span_scores(reference=counts[0], other=counts[1], matched=matched)
                if scores:
                    entry[name] = {**scores, "documents": pooled_documents}
        if entry:
            result["labels"][label] = entry
    if pooled_documents:
        result["pooled"] = _with_documents(pair_figures(pooled, categories), pooled_documents)
    result["pairs"] = [
        {
            "reviewers": key.split(PAIR_SEPARATOR),
            "documents": pair_documents[key],
            **_with_documents(pair_figures(pair, categories), pair_documents[key]),
        }
        for key, pair in sorted(pairs.items())
    ]
    result["reviewers"] = []
    for reviewer, (spans, verdicts, matched) in sorted(reviewers.items()):
        entry = {
            "reviewer": reviewer,
            "documents": reviewer_documents[reviewer],
            "spans": spans,
            "verdicts": verdicts,
            "matched": matched,
        }
        n = reviewer_documents[reviewer]
        _put(entry, "survival", _figure(matched / spans if spans else None, n))
        _put(entry, "verdict_recall", _figure(matched / verdicts if verdicts else None, n))
        result["reviewers"].append(entry)
    return result


def _with_documents(figures: Mapping[str, Any], documents: int) -> dict[str, Any]:
    """Give every figure of a pair's result the number of documents it rests on."""
    result: dict[str, Any] = {}
    for name, value in figures.items():
        if isinstance(value, Mapping):
            result[name] = {**value, "documents": documents}
        else:
            result[name] = {"value": value, "documents": documents}
    return result
