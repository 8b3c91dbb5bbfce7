"""Agreement figures of one document and their additive statistics.

Units are the characters of the document's article zones (the union of its `article` zones);
a document with no article zone is measured on its whole text. Every reviewer codes every
unit: the label of their span covering it (the innermost one where their own spans nest), or
"no label" (the empty string), which is a category like any other. So a reviewer who marked
nothing codes every character "no label", and takes part.

Per document:

- Krippendorff's alpha, nominal, computed by the `krippendorff` package from the units' value
  counts. The package has no unit weights; characters where reviewers differ are one unit each,
  and the unanimous characters of each category are pooled into one unit, which leaves the
  coincidences (and alpha) exactly as they are (see `_pool_unanimous`). Absent when it is
  undefined: fewer than two reviewers, no units, or a single category used throughout.
- Per label, alpha on that label against everything else (derived from the same coincidences).
- Per reviewer pair: Cohen's kappa and Gwet's AC1 on the characters, and span-level precision,
  recall and F1 with exact matching (same start, end and label) and with overlap matching (one
  to one, same label, any overlap); precision and recall take the pair's first reviewer (in
  name order) as the reference.

The additive statistics stored alongside (`stats`) are the coincidence matrix, each pair's
confusion matrix and each pair's span counts per label. Project figures are computed from the
sums of these over documents, never from the documents again (see `project.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import krippendorff
import numpy as np
import numpy.typing as npt

from annotations.agreement.alignment import Cluster, Review, ReviewerSpan
from annotations.agreement.coefficients import (
    Matrix,
    cohen_kappa,
    gwet_ac1,
    label_alpha,
    span_scores,
)

NO_LABEL = ""
PAIR_SEPARATOR = "\t"  # usernames never contain a tab


@dataclass(frozen=True)
class DocumentFigures:
    """What is stored for a document: its own figures and its additive statistics."""

    units: int
    alpha: float | None
    figures: dict[str, Any]
    stats: dict[str, Any]


def article_units(text_length: int, zones: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The merged ranges of the article zones within the text, or the whole text if none."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(zones):
        start, end = max(0, start), min(text_length, end)
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged or ([(0, text_length)] if text_length else [])


def pair_key(first: str, second: str) -> str:
    return PAIR_SEPARATOR.join(sorted((first, second)))


def document_figures(
    *,
    text_length: int,
    article_zones: Iterable[tuple[int, int]],
    reviews: Sequence[Review],
    clusters: Sequence[Cluster],
    labels: Sequence[str],
) -> DocumentFigures:
    """Measure the agreement of one document's reviews (see the module docstring).

    `labels` are the project's label values (fixing the categories' order); labels found on
    spans but no longer in the project are added after them. `clusters` come from `align`.
    """
    categories = [NO_LABEL, *labels]
    for review in reviews:
        for span in review.spans:
            if span.label not in categories:
                categories.append(span.label)
    index = {category: i for i, category in enumerate(categories)}
    units = article_units(text_length, article_zones)
    mask = np.zeros(text_length, dtype=bool)
    for start, end in units:
        mask[start:end] = True
    unit_count = int(mask.sum())
    codes = [_codes(review.spans, text_length, index)[mask] for review in reviews]

    stats: dict[str, Any] = {"reviewers": len(reviews), "units": unit_count}
    figures: dict[str, Any] = {"units": unit_count}
    alpha: float | None = None
    if len(reviews) >= 2 and unit_count:
        # Each unit's value counts: the sum of the reviewers' one-hot codes.
        one_hot = np.eye(len(categories), dtype=np.int64)
        counts = one_hot[codes[0]]
        for code in codes[1:]:
            counts += one_hot[code]
        coincidences = (counts.T @ counts - np.diag(counts.sum(axis=0))) / (len(reviews) - 1)
        stats["coincidence"] = _matrix_to_json(coincidences, categories)
        if np.count_nonzero(counts.sum(axis=0)) > 1:
            alpha = float(
                krippendorff.alpha(
                    value_counts=_pool_unanimous(counts, len(reviews)),
                    value_domain=list(range(len(categories))),
                    level_of_measurement="nominal",
                )
            )
            figures["alpha"] = alpha
        per_label = {
            label: value
            for label in labels
            if (value := label_alpha(stats["coincidence"], label)) is not None
        }
        if per_label:
            figures["label_alpha"] = per_label

    stats["pairs"] = {}
    figures["pairs"] = []
    by_reviewer = {review.reviewer: i for i, review in enumerate(reviews)}
    names = sorted(by_reviewer)
    for a_pos, first in enumerate(names):
        for second in names[a_pos + 1 :]:
            pair: dict[str, Any] = {"spans": _span_counts(first, second, clusters)}
            if unit_count:
                a_codes, b_codes = codes[by_reviewer[first]], codes[by_reviewer[second]]
                flat = np.bincount(
                    a_codes.astype(np.int64) * len(categories) + b_codes,
                    minlength=len(categories) ** 2,
                ).reshape(len(categories), len(categories))
                pair["confusion"] = _matrix_to_json(flat, categories)
            stats["pairs"][pair_key(first, second)] = pair
            figures["pairs"].append(
                {"reviewers": [first, second], **pair_figures(pair, len(labels) + 1)}
            )
    return DocumentFigures(units=unit_count, alpha=alpha, figures=figures, stats=stats)


def pair_figures(pair: dict[str, Any], categories: int) -> dict[str, Any]:
    """Kappa, AC1 and span scores of one pair's (possibly summed) statistics; undefined ones
    are left out."""
    result: dict[str, Any] = {}
    confusion = pair.get("confusion")
    if confusion:
        if (kappa := cohen_kappa(confusion)) is not None:
            result["kappa"] = kappa
        if (ac1 := gwet_ac1(confusion, categories)) is not None:
            result["ac1"] = ac1
    totals = [sum(values[i] for values in pair["spans"].values()) for i in range(4)]
    for name, matched in (("exact", totals[2]), ("overlap", totals[3])):
        if scores := span_scores(reference=totals[0], other=totals[1], matched=matched):
            result[f"span_{name}"] = scores
    return result


def _pool_unanimous(counts: npt.NDArray[np.int64], reviewers: int) -> npt.NDArray[np.int64]:
    """The units' value counts with all unanimous characters of a category pooled into one unit.

    A unit where all M values are category c adds exactly M to the coincidence o[c][c]
    (M * (M - 1) / (M - 1)) and nothing else, so L unanimous characters (L * m values) add the
    same as one unit holding all L * m values: the coincidence matrix, and so the alpha the
    package computes from it, is unchanged, while the package gets a few hundred rows instead
    of one per character. Characters where reviewers differ stay one unit each (their
    contribution is not linear in the counts). The tests compare with the package given every
    character as a unit.
    """
    unanimous = counts.max(axis=1) == reviewers
    pooled = counts[unanimous].sum(axis=0)
    rows = [counts[~unanimous]]
    rows.extend(
        np.eye(len(pooled), dtype=np.int64)[[c]] * total for c, total in enumerate(pooled) if total
    )
    return np.concatenate(rows)


def _codes(
    spans: Sequence[ReviewerSpan], text_length: int, index: dict[str, int]
) -> npt.NDArray[np.int64]:
    """One reviewer's category per character; inner spans paint over outer ones."""
    codes = np.zeros(text_length, dtype=np.int64)
    for span in sorted(spans, key=lambda span: (span.start, -span.end)):
        codes[span.start : span.end] = index[span.label]
    return codes


def _matrix_to_json(matrix: npt.NDArray[Any], categories: Sequence[str]) -> Matrix:
    """A square matrix as {row category: {column category: value}}, zeros left out."""
    result: Matrix = {}
    rows, columns = np.nonzero(matrix)
    for row, column in zip(rows.tolist(), columns.tolist(), strict=True):
        value = matrix[row, column].item()
        result.setdefault(categories[row], {})[categories[column]] = value
    return result


def _span_counts(first: str, second: str, clusters: Sequence[Cluster]) -> dict[str, list[int]]:
    """Per label: [first's spans, second's spans, exact matches, overlap matches]."""
    counts: dict[str, list[int]] = {}
    for cluster in clusters:
        mine = [span for span in cluster.spans if span.reviewer == first]
        theirs = [span for span in cluster.spans if span.reviewer == second]
        for span in mine:
            counts.setdefault(span.label, [0, 0, 0, 0])[0] += 1
        for span in theirs:
            counts.setdefault(span.label, [0, 0, 0, 0])[1] += 1
        exact = [(s.start, s.end, s.label) for s in theirs]
        for span in mine:
            if (span.start, span.end, span.label) in exact:
                exact.remove((span.start, span.end, span.label))
                counts[span.label][2] += 1
        free = list(theirs)
        for span in mine:
            match = next(
                (
                    other
                    for other in free
                    if other.label == span.label
                    and other.start < span.end
                    and span.start < other.end
                ),
                None,
            )
            if match is not None:
                free.remove(match)
                counts[span.label][3] += 1
    return counts
