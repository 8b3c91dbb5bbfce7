"""Checkable-claim cues: what makes a sentence a factual assertion someone could verify.

A sentence asserts something checkable when it carries an anchor a fact-checker can look up:
a number or quantity, a date or time, a named actor (a capitalised name inside the
sentence), or a causal link. Anchors are counted per kind; the more kinds, the surer.
"""

# Typographic quotes and dashes are what this text engine reads, so they are meant here.
# ruff: noqa: RUF001

from __future__ import annotations

import re
from dataclasses import dataclass

from .layout import MONTHS
from .lexicon import WEEKDAY_NAMES, is_question

NUMBER_WORDS = (
    "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    "fifty|hundred|hundreds|thousand|thousands|million|millions|billion|billions|dozen|dozens"
)
NUMBER_RE = re.compile(rf"\d|\b(?:{NUMBER_WORDS})\b", re.IGNORECASE)
DATE_RE = re.compile(
    rf"\b(?:{MONTHS}|{'|'.join(WEEKDAY_NAMES)}"
    r"|(?:1[89]|20)\d\d|yesterday|(?:last|this|past|next) (?:week|month|year|decade|century)"
    r"|(?:last|this|past|next) (?:spring|summer|fall|autumn|winter|season|quarter))\b"
)
# A capitalised word that does not open the sentence or follow closing punctuation.
# Dotted acronyms count too: "U.S.", "U.N.".
NAMED_RE = re.compile(r"(?<=[\w,;()’'] )(?!I\b)(?:[A-Z](?:\.[A-Z])+\.?|[A-Z][\w’'-]+)")
CAUSAL_RE = re.compile(
    r"\b(?:because|due to|led to|leading to|caused|causing|resulted in|as a result|in order to"
    r"|so that|thanks to|responsible for)\b",
    re.IGNORECASE,
)
MIN_CLAIM_WORDS = 5
ANCHORS = (("number", NUMBER_RE), ("date", DATE_RE), ("named", NAMED_RE), ("causal", CAUSAL_RE))


@dataclass(frozen=True, slots=True)
class ClaimCues:
    """The checkable anchors found in a sentence."""

    anchors: tuple[str, ...]
    confidence: float

    def reason(self) -> str:
        """A short reason listing the anchors."""
        return "checkable claim without attribution: " + ", ".join(self.anchors)


def claim_cues(sentence: str) -> ClaimCues | None:
    """Return the sentence's checkable anchors, or None if it asserts nothing checkable."""
    if len(sentence.split()) < MIN_CLAIM_WORDS or is_question(sentence):
        return None
    anchors: list[str] = []
    for name, pattern in ANCHORS:
        match = pattern.search(sentence)
        if match is not None:
            anchors.append(f"{name} '{match.group(0)}'" if name != "number" else name)
    if not anchors:
        return None
    return ClaimCues(tuple(anchors), min(0.8, 0.45 + 0.1 * len(anchors)))
