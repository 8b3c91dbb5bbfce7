"""Alignment of reviewers' spans into clusters and disputes (plain Python, no database)."""

from __future__ import annotations

from annotations.agreement import Disagreement, Review, ReviewerSpan, align, normalise_source


def _review(name: str, *spans: tuple[int, int, str] | tuple[int, int, str, str]) -> Review:
    return Review(
        name,
        tuple(
            ReviewerSpan(name, s[0], s[1], s[2], s[3] if len(s) > 3 else "", i)
            for i, s in enumerate(spans)
        ),
    )


def _kinds(*reviews: Review, tolerance: int = 3) -> list[tuple[int, int, Disagreement | None]]:
    return [(c.start, c.end, c.kind) for c in align(reviews, tolerance=tolerance)]


def test_identical_spans_agree() -> None:
    a = _review("ann", (10, 40, "unsourced"))
    b = _review("bob", (10, 40, "unsourced"))
    [cluster] = align([a, b], tolerance=3)
    assert cluster.agreed
    assert cluster.missing == ()
    [final] = cluster.consensus()
    assert (final.start, final.end, final.label) == (10, 40, "unsourced")
    assert sorted(final.span_ids) == [0, 0]


def test_different_labels_are_a_label_dispute() -> None:
    a = _review("ann", (10, 40, "unsourced"))
    b = _review("bob", (10, 40, "opinion"))
    assert _kinds(a, b) == [(10, 40, Disagreement.LABEL)]


def test_nested_span_of_another_reviewer_is_a_boundary_dispute() -> None:
    a = _review("ann", (10, 60, "opinion"))
    b = _review("bob", (20, 30, "opinion"))
    assert _kinds(a, b) == [(10, 60, Disagreement.BOUNDARY)]


def test_the_same_nested_structure_from_both_reviewers_agrees() -> None:
    spans = ((10, 60, "opinion"), (20, 30, "sourced", "the minister"))
    [cluster] = align([_review("ann", *spans), _review("bob", *spans)], tolerance=0)
    assert cluster.agreed
    assert [(f.start, f.end, f.label) for f in cluster.consensus()] == [
        (10, 60, "opinion"),
        (20, 30, "sourced"),
    ]


def test_partial_overlap_within_tolerance_agrees_on_the_majority_or_wider_boundary() -> None:
    a = _review("ann", (10, 40, "unsourced"))
    b = _review("bob", (12, 43, "unsourced"))
    c = _review("cat", (10, 43, "unsourced"))
    [cluster] = align([a, b, c], tolerance=3)
    assert cluster.agreed
    [final] = cluster.consensus()
    assert (final.start, final.end) == (10, 43)
    [two] = align([a, b], tolerance=3)
    assert [(f.start, f.end) for f in two.consensus()] == [(10, 43)]


def test_partial_overlap_beyond_tolerance_is_a_boundary_dispute() -> None:
    a = _review("ann", (10, 40, "unsourced"))
    b = _review("bob", (14, 40, "unsourced"))
    assert _kinds(a, b, tolerance=3) == [(10, 40, Disagreement.BOUNDARY)]
    assert _kinds(a, b, tolerance=4) == [(10, 40, None)]


def test_adjacent_spans_do_not_overlap_and_are_two_presence_disputes() -> None:
    a = _review("ann", (0, 5, "opinion"))
    b = _review("bob", (5, 9, "opinion"))
    assert _kinds(a, b) == [(0, 5, Disagreement.PRESENCE), (5, 9, Disagreement.PRESENCE)]


def test_one_reviewer_only_marking_is_a_presence_dispute() -> None:
    a = _review("ann", (0, 5, "opinion"), (10, 20, "unsourced"))
    b = _review("bob", (10, 20, "unsourced"))
    clusters = align([a, b], tolerance=3)
    assert [(c.kind, c.missing) for c in clusters] == [
        (Disagreement.PRESENCE, ("bob",)),
        (None, ()),
    ]


def test_nothing_to_mark_disagrees_with_a_span() -> None:
    marked = _review("ann", (3, 12, "sourced", "AP"))
    nothing = _review("bob")
    [cluster] = align([marked, nothing], tolerance=3)
    assert cluster.kind == Disagreement.PRESENCE
    assert cluster.missing == ("bob",)


def test_everyone_marking_nothing_leaves_no_cluster() -> None:
    assert align([_review("ann"), _review("bob")], tolerance=3) == []


def test_three_reviewers_two_agree_one_differs() -> None:
    a = _review("ann", (10, 40, "sourced", "Reuters"))
    b = _review("bob", (10, 40, "sourced", "Reuters"))
    c = _review("cat", (10, 40, "unsourced"))
    [cluster] = align([a, b, c], tolerance=3)
    assert cluster.kind == Disagreement.LABEL
    assert {span.reviewer for span in cluster.spans} == {"ann", "bob", "cat"}


def test_three_reviewers_one_missing_is_presence() -> None:
    a = _review("ann", (10, 40, "opinion"))
    b = _review("bob", (11, 40, "opinion"))
    assert _kinds(a, b, _review("cat")) == [(10, 40, Disagreement.PRESENCE)]


def test_same_label_different_sources_is_a_source_dispute() -> None:
    a = _review("ann", (0, 30, "sourced", "The Health Minister"))
    b = _review("bob", (0, 30, "sourced", "the opposition leader"))
    assert _kinds(a, b) == [(0, 30, Disagreement.SOURCE)]


def test_sources_are_compared_after_normalising_case_spacing_and_punctuation() -> None:
    a = _review("ann", (0, 30, "sourced", "Dr. Jane  Smith,"))
    b = _review("bob", (0, 30, "sourced", "dr jane smith"))
    assert _kinds(a, b) == [(0, 30, None)]
    assert normalise_source("  U.N.\u00a0Secretary-General ") == "u n secretary general"


def test_a_reviewer_splitting_a_place_in_two_is_a_boundary_dispute() -> None:
    a = _review("ann", (0, 10, "unsourced"), (12, 30, "unsourced"))
    b = _review("bob", (0, 30, "unsourced"))
    assert _kinds(a, b) == [(0, 30, Disagreement.BOUNDARY)]


def test_emoji_and_arabic_offsets_are_code_points() -> None:
    text = "قال الوزير 🙂 إن المدارس ستغلق. 👍🏽 رأيي أنه قرار سيئ."
    claim = text.index("إن")
    end = text.index(".") + 1
    opinion = text.index("رأيي")
    a = _review("ann", (claim, end, "sourced", "الوزير"), (opinion, len(text), "opinion"))
    b = _review("bob", (claim, end, "sourced", "الوزير"), (opinion + 1, len(text), "opinion"))
    clusters = align([a, b], tolerance=1)
    assert [c.kind for c in clusters] == [None, None]
    assert text[clusters[0].start : clusters[0].end] == "إن المدارس ستغلق."
    assert text[clusters[1].start : clusters[1].end].startswith("رأيي")


def test_a_single_review_has_nothing_to_dispute() -> None:
    alone = _review("ann", (0, 10, "opinion"), (5, 8, "sourced"))
    clusters = align([alone], tolerance=0)
    assert [c.kind for c in clusters] == [None]
    assert len(clusters[0].consensus()) == 2
