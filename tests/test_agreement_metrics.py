"""Agreement metrics against published reference values and small hand-computed cases."""

from __future__ import annotations

import json
import math
from typing import Any

import krippendorff
import numpy as np
import pytest

from annotations.agreement import Review, ReviewerSpan, align, document_figures, project_figures
from annotations.agreement.coefficients import (
    alpha_from_coincidences,
    cohen_kappa,
    gwet_ac1,
    span_scores,
)
from tests.conftest import SHARED_REFERENCE

REFERENCE = SHARED_REFERENCE / "agreement" / "reference_values.json"
LABELS = ["sourced", "unsourced", "opinion"]


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    if not REFERENCE.is_file():
        pytest.skip(f"reference values not found at {REFERENCE}")
    return dict(json.loads(REFERENCE.read_text(encoding="utf-8")))


def _case(reference: dict[str, Any], case_id: str) -> dict[str, Any]:
    return next(case for case in reference["coding_alpha"] if case["id"] == case_id)


def _matrix(rows: list[list[Any]]) -> np.ndarray[Any, Any]:
    return np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)


def _coincidences(data: np.ndarray[Any, Any]) -> dict[str, dict[str, float]]:
    """The coincidence matrix of reliability data (observers x units), by hand."""
    result: dict[str, dict[str, float]] = {}
    for unit in data.T:
        values = [str(int(v)) for v in unit if not math.isnan(v)]
        if len(values) < 2:
            continue
        for i, first in enumerate(values):
            for j, second in enumerate(values):
                if i != j:
                    row = result.setdefault(first, {})
                    row[second] = row.get(second, 0.0) + 1 / (len(values) - 1)
    return result


def test_krippendorff_four_observers_twelve_units(reference: dict[str, Any]) -> None:
    case = _case(reference, "krippendorff2011_four_observers_twelve_units")
    data = _matrix(case["reliability_data"])
    published = case["expected_published"]["nominal"]["alpha"]
    assert krippendorff.alpha(data, level_of_measurement="nominal") == pytest.approx(
        published, abs=0.0005
    )
    # Our additive path (coincidences summed, then the formula) agrees with the package.
    assert alpha_from_coincidences(_coincidences(data)) == pytest.approx(published, abs=0.0005)


@pytest.mark.parametrize(
    "case_id",
    [
        "krippendorff2004_p224_binary_two_coders",
        "krippendorff2004_p227_three_categories_two_coders",
        "three_observers_fifteen_units",
    ],
)
def test_coincidence_alpha_matches_published_nominal_values(
    reference: dict[str, Any], case_id: str
) -> None:
    case = _case(reference, case_id)
    if isinstance(case["reliability_data"][0][0], str):
        mapping = {v: i for i, v in enumerate(sorted({*case["reliability_data"][0]}))}
        rows = [[mapping.get(v) for v in row] for row in case["reliability_data"]]
    else:
        rows = case["reliability_data"]
    data = _matrix(rows)
    expected = case.get("expected_published", {}).get("nominal", {}).get("alpha")
    if expected is None:
        expected = case["recomputed_here"]["nominal"]["alpha"]
    assert alpha_from_coincidences(_coincidences(data)) == pytest.approx(expected, abs=0.0005)


def test_cohen_kappa_of_the_digitized_bertha_bill_example(reference: dict[str, Any]) -> None:
    case = _case(reference, "krippendorff1995_digitized_A_bertha_bill")
    first, second = case["reliability_data"]
    confusion: dict[str, dict[str, float]] = {}
    for a, b in zip(first, second, strict=True):
        row = confusion.setdefault(str(a), {})
        row[str(b)] = row.get(str(b), 0) + 1
    assert cohen_kappa(confusion) == pytest.approx(
        case["expected_published"]["cohen_kappa"], abs=5e-4
    )
    data = _matrix([first, second])
    assert alpha_from_coincidences(_coincidences(data)) == pytest.approx(
        case["expected_published"]["nominal_alpha"], abs=5e-4
    )


def test_kappa_and_ac1_by_hand() -> None:
    # 10 characters: both "x" on 6, both "" on 2, "x" vs "" on 2.
    confusion = {"x": {"x": 6, "": 2}, "": {"": 2}}
    # po = 0.8; kappa: pe = 0.8*0.6 + 0.2*0.4 = 0.56 -> (0.8-0.56)/0.44
    assert cohen_kappa(confusion) == pytest.approx(0.24 / 0.44)
    # AC1 over q=2: pi_x = 0.7, pi_"" = 0.3; pe = (0.21 + 0.21)/1 = 0.42 -> (0.8-0.42)/0.58
    assert gwet_ac1(confusion, 2) == pytest.approx(0.38 / 0.58)


def test_ac1_stays_sensible_when_one_category_dominates() -> None:
    # 100 characters, 98 both "no label", one each marked by only one reviewer.
    confusion = {"": {"": 98, "x": 1}, "x": {"": 1}}
    kappa = cohen_kappa(confusion)
    assert kappa is not None
    assert kappa < 0.01
    ac1 = gwet_ac1(confusion, 4)
    assert ac1 is not None
    assert ac1 > 0.97


def test_span_scores_by_hand() -> None:
    assert span_scores(reference=4, other=2, matched=2) == {
        "precision": 1.0,
        "recall": 0.5,
        "f1": pytest.approx(2 / 3),
    }
    assert span_scores(reference=0, other=0, matched=0) == {}


def _spans(name: str, *spans: tuple[int, int, str]) -> Review:
    return Review(name, tuple(ReviewerSpan(name, s, e, label) for s, e, label in spans))


def test_document_alpha_is_the_packages_on_characters_with_no_label_a_category() -> None:
    reviews = [_spans("ann", (0, 10, "opinion")), _spans("bob", (0, 5, "opinion"))]
    figures = document_figures(
        text_length=20,
        article_zones=[],
        reviews=reviews,
        clusters=align(reviews, tolerance=0),
        labels=LABELS,
    )
    # Units: 20 characters; ann codes 0-9 opinion, bob 0-4. By hand, as reliability data:
    opinion, none = 3, 0
    data = np.array([[opinion] * 10 + [none] * 10, [opinion] * 5 + [none] * 15], dtype=float)
    assert figures.alpha == pytest.approx(krippendorff.alpha(data, level_of_measurement="nominal"))
    assert figures.units == 20
    assert figures.figures["pairs"][0]["span_overlap"]["f1"] == 1.0
    assert figures.figures["pairs"][0]["span_exact"]["f1"] == 0.0


def test_only_article_zones_are_units() -> None:
    reviews = [_spans("ann", (0, 10, "opinion")), _spans("bob", (12, 20, "opinion"))]
    figures = document_figures(
        text_length=40,
        article_zones=[(10, 30), (25, 35)],
        reviews=reviews,
        clusters=align(reviews, tolerance=0),
        labels=LABELS,
    )
    assert figures.units == 25  # [10, 35)


def test_alpha_is_absent_when_there_is_no_variation() -> None:
    reviews = [_spans("ann"), _spans("bob")]
    figures = document_figures(
        text_length=10, article_zones=[], reviews=reviews, clusters=[], labels=LABELS
    )
    assert figures.alpha is None
    assert "alpha" not in figures.figures


def test_project_alpha_from_summed_coincidences_equals_the_package_on_concatenated_units() -> None:
    documents = [
        (30, [_spans("ann", (0, 10, "opinion")), _spans("bob", (2, 12, "unsourced"))]),
        (25, [_spans("ann", (5, 20, "sourced")), _spans("cat", (5, 20, "sourced"))]),
        (
            40,
            [
                _spans("bob", (0, 8, "opinion"), (20, 30, "sourced")),
                _spans("cat", (0, 8, "opinion")),
                _spans("dan"),
            ],
        ),
    ]
    names = ["ann", "bob", "cat", "dan"]
    code = {"": 0, "sourced": 1, "unsourced": 2, "opinion": 3}
    columns: list[list[float]] = []
    rows = []
    for length, reviews in documents:
        measured = document_figures(
            text_length=length,
            article_zones=[],
            reviews=reviews,
            clusters=align(reviews, tolerance=0),
            labels=LABELS,
        )
        rows.append((measured.stats, None))
        by_name = {review.reviewer: review for review in reviews}
        for char in range(length):
            column = []
            for name in names:
                review = by_name.get(name)
                if review is None:
                    column.append(np.nan)
                    continue
                label = next((s.label for s in review.spans if s.start <= char < s.end), "")
                column.append(float(code[label]))
            columns.append(column)
    concatenated = np.array(columns).T
    expected = krippendorff.alpha(concatenated, level_of_measurement="nominal")
    figures = project_figures(rows=rows, labels=LABELS)
    assert figures["alpha"]["value"] == pytest.approx(expected, rel=1e-12)
    assert figures["alpha"]["documents"] == 3
    assert figures["alpha"]["units"] == 95


def test_project_figures_leave_out_what_rests_on_nothing() -> None:
    figures = project_figures(rows=[], labels=LABELS)
    assert figures == {"documents": 0, "labels": {}, "pairs": [], "reviewers": []}


def test_pooling_unanimous_characters_leaves_the_packages_alpha_unchanged() -> None:
    import random

    rng = random.Random(3)
    for _ in range(20):
        length = rng.randint(50, 300)
        reviews = []
        for name in ("ann", "bob", "cat")[: rng.randint(2, 3)]:
            spans = []
            for _ in range(rng.randint(0, 6)):
                start = rng.randrange(length - 1)
                spans.append((start, rng.randint(start + 1, length), rng.choice(LABELS)))
            reviews.append(_spans(name, *spans))
        measured = document_figures(
            text_length=length,
            article_zones=[],
            reviews=reviews,
            clusters=align(reviews, tolerance=2),
            labels=LABELS,
        )
        code = {"": 0, "sourced": 1, "unsourced": 2, "opinion": 3}
        data = np.array(
            [
                [
                    code[
                        next(
                            (
                                s.label
                                for s in sorted(r.spans, key=lambda s: (s.start, -s.end))[::-1]
                                if s.start <= char < s.end
                            ),
                            "",
                        )
                    ]
                    for char in range(length)
                ]
                for r in reviews
            ],
            dtype=float,
        )
        if len(np.unique(data)) < 2:
            assert measured.alpha is None
            continue
        expected = krippendorff.alpha(
            data, level_of_measurement="nominal", value_domain=[0, 1, 2, 3]
        )
        assert measured.alpha == pytest.approx(expected, rel=1e-9)
