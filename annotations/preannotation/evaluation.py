"""Evaluation of the engine against the hand-labelled gold set, and a throughput probe.

Sentence labels: each gold sentence is located in its seed text (the n-th occurrence of the
verbatim string); the engine's label for it is the label of the suggestion that covers most
of it, or "none" when no suggestion covers at least half of it. Precision, recall and F1 are
computed per label over all gold sentences ("none" counts as a wrong prediction for recall).

Zones: a predicted zone matches a gold zone of the same kind when their line ranges (1-based,
inclusive) have a Jaccard overlap of at least ``ZONE_JACCARD``; matching is one-to-one.

Run ``python -m annotations.preannotation.evaluation SEEDS_DIR DATA_DIR`` to print the table.
"""

from __future__ import annotations

import bisect
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .engine import analyse
from .model import Analysis, Label

ZONE_JACCARD = 0.8
LABELS = tuple(label.value for label in Label)


@dataclass(frozen=True, slots=True)
class Score:
    """Precision, recall and F1 with the counts behind them."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        """TP / (TP + FP), 0 when nothing was predicted."""
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 0.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN), 0 when there is nothing to find."""
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


@dataclass(frozen=True, slots=True)
class Miss:
    """One gold sentence the engine labelled differently (for finding rule gaps)."""

    file: str
    sentence: str
    gold: str
    predicted: str


@dataclass(slots=True)
class EvaluationReport:
    """Per-label and per-zone-kind scores, source agreement and the misses."""

    labels: dict[str, Score]
    zones: dict[str, Score]
    source_agreement: float
    sentences: int
    missing: int
    misses: list[Miss] = field(default_factory=list)

    def zone_total(self) -> Score:
        """All zone kinds pooled."""
        return Score(
            sum(s.true_positives for s in self.zones.values()),
            sum(s.false_positives for s in self.zones.values()),
            sum(s.false_negatives for s in self.zones.values()),
        )

    def format_table(self) -> str:
        """The report as a fixed-width text table."""
        rows = [f"{'':14}{'P':>7}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>6}{'FN':>6}"]

        def row(name: str, score: Score) -> str:
            return (
                f"{name:14}{score.precision:7.3f}{score.recall:7.3f}{score.f1:7.3f}"
                f"{score.true_positives:6d}{score.false_positives:6d}{score.false_negatives:6d}"
            )

        rows += [row(f"label {name}", score) for name, score in self.labels.items()]
        rows += [row(f"zone {name}", score) for name, score in sorted(self.zones.items())]
        rows.append(row("zones (all)", self.zone_total()))
        rows.append(
            f"sentences: {self.sentences} (not found: {self.missing}); "
            f"source agreement on sourced hits: {self.source_agreement:.3f}"
        )
        return "\n".join(rows)


def _predicted_label(analysis: Analysis, start: int, end: int) -> tuple[str, str | None]:
    best, best_overlap = None, 0
    for suggestion in analysis.suggestions:
        overlap = min(end, suggestion.end) - max(start, suggestion.start)
        if overlap > best_overlap:
            best, best_overlap = suggestion, overlap
    if best is None or best_overlap * 2 < end - start:
        return "none", None
    return best.label.value, best.source


def _find(text: str, needle: str, occurrence: int) -> int:
    position = -1
    for _ in range(occurrence):
        position = text.find(needle, position + 1)
        if position < 0:
            return -1
    return position


def _same_source(gold: str | None, predicted: str | None) -> bool:
    if not gold or not predicted:
        return False
    a, b = gold.lower().removeprefix("the "), predicted.lower().removeprefix("the ")
    return a in b or b in a


def _line_ranges(text: str, analysis: Analysis) -> list[tuple[str, int, int]]:
    starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]

    def line_of(offset: int) -> int:
        # The 1-based number of the last line starting at or before the offset.
        return bisect.bisect_right(starts, offset)

    return [(z.kind.value, line_of(z.start), line_of(z.end - 1)) for z in analysis.zones]


def _jaccard(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0]) + 1
    if inter <= 0:
        return 0.0
    return inter / (max(a[1], b[1]) - min(a[0], b[0]) + 1)


def _zone_scores(
    gold: Sequence[tuple[str, int, int]], predicted: Sequence[tuple[str, int, int]]
) -> dict[str, tuple[int, int, int]]:
    counts: dict[str, tuple[int, int, int]] = {}
    used: set[int] = set()
    kinds = {kind for kind, _, _ in gold} | {kind for kind, _, _ in predicted}
    for kind in kinds:
        matched = 0
        for g_kind, g_first, g_last in gold:
            if g_kind != kind:
                continue
            for index, (p_kind, p_first, p_last) in enumerate(predicted):
                if index in used or p_kind != kind:
                    continue
                if _jaccard((g_first, g_last), (p_first, p_last)) >= ZONE_JACCARD:
                    used.add(index)
                    matched += 1
                    break
        n_gold = sum(1 for k, _, _ in gold if k == kind)
        n_pred = sum(1 for k, _, _ in predicted if k == kind)
        counts[kind] = (matched, n_pred - matched, n_gold - matched)
    return counts


def evaluate(
    seeds_dir: Path,
    data_dir: Path,
    *,
    sentences_file: str = "eval_sentences.jsonl",
    zones_file: str = "eval_zones.json",
) -> EvaluationReport:
    """Score the engine on the gold set in ``data_dir`` against the texts in ``seeds_dir``.

    The file names let the held-out set (``tests/data/heldout/``) use the same scorer.
    """
    rows = [
        json.loads(line)
        for line in (data_dir / sentences_file).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    gold_zones = json.loads((data_dir / zones_file).read_text(encoding="utf-8"))
    names = sorted({row["file"] for row in rows} | set(gold_zones))
    texts = {name: (seeds_dir / name).read_text(encoding="utf-8") for name in names}
    analyses = {name: analyse(text) for name, text in texts.items()}
    label_counts = {label: [0, 0, 0] for label in LABELS}
    misses: list[Miss] = []
    missing = agree = sourced_hits = 0
    for row in rows:
        text, needle = texts[row["file"]], row["sentence"]
        start = _find(text, needle, int(row.get("occurrence", 1)))
        if start < 0:
            missing += 1
            continue
        predicted, source = _predicted_label(analyses[row["file"]], start, start + len(needle))
        gold = row["label"]
        if predicted == gold:
            if gold in label_counts:
                label_counts[gold][0] += 1
            if gold == Label.SOURCED:
                sourced_hits += 1
                agree += _same_source(row.get("source"), source)
            continue
        if predicted in label_counts:
            label_counts[predicted][1] += 1
        if gold in label_counts:
            label_counts[gold][2] += 1
        misses.append(Miss(row["file"], needle, gold, predicted))
    zone_counts: dict[str, list[int]] = {}
    for name, zones in gold_zones.items():
        gold_ranges = [(z["kind"], z["first_line"], z["last_line"]) for z in zones]
        predicted_ranges = _line_ranges(texts[name], analyses[name])
        for kind, (tp, fp, fn) in _zone_scores(gold_ranges, predicted_ranges).items():
            total = zone_counts.setdefault(kind, [0, 0, 0])
            total[0], total[1], total[2] = total[0] + tp, total[1] + fp, total[2] + fn
    return EvaluationReport(
        labels={label: Score(*counts) for label, counts in label_counts.items()},
        zones={kind: Score(*counts) for kind, counts in zone_counts.items()},
        source_agreement=agree / sourced_hits if sourced_hits else 0.0,
        sentences=len(rows),
        missing=missing,
        misses=misses,
    )


def throughput(texts: Sequence[str], repeat: int = 1) -> float:
    """Analyse ``texts`` ``repeat`` times; return megabytes (UTF-8, 10**6 bytes) per second."""
    size = sum(len(text.encode("utf-8")) for text in texts) * repeat
    began = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            analyse(text)
    elapsed = time.perf_counter() - began
    return size / 1e6 / elapsed if elapsed > 0 else float("inf")


def main(argv: Sequence[str]) -> int:
    """Command-line entry: print the evaluation table and the seed throughput."""
    if len(argv) != 2:
        sys.stderr.write("usage: python -m annotations.preannotation.evaluation SEEDS DATA\n")
        return 2
    seeds_dir, data_dir = Path(argv[0]), Path(argv[1])
    report = evaluate(seeds_dir, data_dir)
    seeds = [path.read_text(encoding="utf-8") for path in sorted(seeds_dir.glob("*.txt"))]
    sys.stdout.write(report.format_table() + "\n")
    sys.stdout.write(f"throughput on seeds: {throughput(seeds, repeat=5):.2f} MB/s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
