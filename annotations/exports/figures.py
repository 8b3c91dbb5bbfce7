"""Counts a report shows, gathered while the documents stream past (no Django import).

The sourcing score is the share of checkable assertions that are sourced: final spans labelled
`sourced` over those labelled `sourced` or `unsourced`. Opinions are not checkable assertions,
so they count in neither. Absent (None), not zero, when nothing checkable was found.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from annotations.agreement.verdicts import Verdict

SOURCED = "sourced"
UNSOURCED = "unsourced"
OPINION = "opinion"


def sourcing_score(labels: Counter[str]) -> float | None:
    """sourced / (sourced + unsourced), or None when there is neither."""
    checkable = labels[SOURCED] + labels[UNSOURCED]
    return labels[SOURCED] / checkable if checkable else None


@dataclass
class Tally:
    """Final spans counted by label, rating and named source, over one or many documents."""

    documents: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    ratings: Counter[str] = field(default_factory=Counter)
    sources: Counter[str] = field(default_factory=Counter)

    def add(self, verdicts: Iterable[Verdict]) -> None:
        self.documents += 1
        for verdict in verdicts:
            self.labels[verdict.label] += 1
            if verdict.rating:
                self.ratings[verdict.rating] += 1
            if verdict.source.strip():
                self.sources[verdict.source.strip()] += 1

    @property
    def spans(self) -> int:
        return sum(self.labels.values())

    @property
    def sourcing_score(self) -> float | None:
        return sourcing_score(self.labels)

    def share(self, label: str) -> float | None:
        """The share of final spans with this label, None when there are no spans."""
        total = self.spans
        return self.labels[label] / total if total else None


def context(text: str, start: int, end: int, width: int = 32) -> tuple[str, str]:
    """The prefix and suffix around text[start:end], for re-anchoring a quote."""
    return text[max(0, start - width) : start], text[end : end + width]
