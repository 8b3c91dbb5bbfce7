"""Agreement coefficients from additive counts (coincidence and confusion matrices).

Matrices are nested dicts `{row category: {column category: count}}` with zeros left out, so
that they are JSON as stored and sum across documents key by key (`add`).

Project alpha is computed here from summed coincidence matrices with Krippendorff's nominal
formula, `1 - (n - 1) * sum(o[c][k], c != k) / sum(n_c * n_k, c != k)`. The `krippendorff`
package takes units, not coincidences, and has no unit weights, so summing documents' matrices
is the only way to add a document without recomputing the others; the tests check that the
result equals `krippendorff.alpha` on all documents' units concatenated (it must: a
coincidence matrix is a sum over units).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Matrix = dict[str, dict[str, float]]


def add(total: dict[str, Any], more: Mapping[str, Any], sign: int = 1) -> dict[str, Any]:
    """Add `more` (times `sign`, so -1 takes it away) into `total` in place: numbers add, dicts
    add key by key, lists add element-wise (span counts). Returns `total`."""
    for key, value in more.items():
        if isinstance(value, Mapping):
            add(total.setdefault(key, {}), value, sign)
        elif isinstance(value, list):
            current = total.setdefault(key, [0] * len(value))
            for i, item in enumerate(value):
                current[i] += sign * item
        else:
            total[key] = total.get(key, 0) + sign * value
    return total


def _marginals(matrix: Matrix) -> dict[str, float]:
    totals: dict[str, float] = {}
    for row, columns in matrix.items():
        for value in columns.values():
            totals[row] = totals.get(row, 0.0) + value
    return totals


def alpha_from_coincidences(coincidences: Matrix) -> float | None:
    """Nominal alpha of a coincidence matrix; None when undefined (no pairable values, or a
    single category used throughout)."""
    n_c = _marginals(coincidences)
    n = sum(n_c.values())
    expected = n * n - sum(value * value for value in n_c.values())
    if n <= 1 or expected <= 0:
        return None
    observed = sum(
        value
        for row, columns in coincidences.items()
        for column, value in columns.items()
        if row != column
    )
    return 1.0 - (n - 1) * observed / expected


def label_alpha(coincidences: Matrix, label: str) -> float | None:
    """Alpha of one label against all other categories (the matrix collapsed to two)."""
    collapsed: Matrix = {}
    for row, columns in coincidences.items():
        for column, value in columns.items():
            key_row = "1" if row == label else "0"
            key_column = "1" if column == label else "0"
            collapsed.setdefault(key_row, {})
            collapsed[key_row][key_column] = collapsed[key_row].get(key_column, 0.0) + value
    return alpha_from_coincidences(collapsed)


def _agreement_parts(confusion: Matrix) -> tuple[float, dict[str, float], dict[str, float]]:
    """Observed agreement and the two raters' category proportions."""
    total = sum(value for columns in confusion.values() for value in columns.values())
    rows: dict[str, float] = {}
    columns_total: dict[str, float] = {}
    agree = 0.0
    for row, columns in confusion.items():
        for column, value in columns.items():
            rows[row] = rows.get(row, 0.0) + value / total
            columns_total[column] = columns_total.get(column, 0.0) + value / total
            if row == column:
                agree += value
    return agree / total, rows, columns_total


def cohen_kappa(confusion: Matrix) -> float | None:
    """Cohen's kappa of two raters' confusion matrix; None when chance agreement is total."""
    if not any(confusion.values()):
        return None
    observed, first, second = _agreement_parts(confusion)
    chance = sum(p * second.get(category, 0.0) for category, p in first.items())
    if chance >= 1.0:
        return None
    return (observed - chance) / (1.0 - chance)


def gwet_ac1(confusion: Matrix, categories: int) -> float | None:
    """Gwet's AC1 of two raters over `categories` possible categories (Gwet 2008).

    Chance agreement is `sum(pi_k * (1 - pi_k)) / (q - 1)` with `pi_k` the mean of the two
    raters' proportions, so it stays small when one category dominates, where kappa collapses.
    """
    if categories < 2 or not any(confusion.values()):
        return None
    observed, first, second = _agreement_parts(confusion)
    chance = sum(
        (p := (first.get(c, 0.0) + second.get(c, 0.0)) / 2) * (1 - p)
        for c in set(first) | set(second)
    ) / (categories - 1)
    if chance >= 1.0:
        return None
    return (observed - chance) / (1.0 - chance)


def span_scores(*, reference: int, other: int, matched: int) -> dict[str, float]:
    """Precision, recall and F1 of `other` against `reference`; empty when both marked
    nothing (nothing to score), and each of precision/recall left out when its base is 0."""
    scores: dict[str, float] = {}
    if other:
        scores["precision"] = matched / other
    if reference:
        scores["recall"] = matched / reference
    if reference + other:
        scores["f1"] = 2 * matched / (reference + other)
    return scores
