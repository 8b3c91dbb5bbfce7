"""Result types of the pre-annotation engine.

Every offset is a Python ``str`` index (a Unicode code point) into the analysed text, end
exclusive, so the service layer can store them as they are. The types are frozen so one
``Analysis`` can be shared between threads and cached without defensive copies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class ZoneKind(StrEnum):
    """The structural role of a stretch of text."""

    ARTICLE = "article"
    TITLE = "title"
    BYLINE = "byline"
    BODY = "body"
    CAPTION = "caption"
    COMMENTS = "comments"
    BOILERPLATE = "boilerplate"


class Label(StrEnum):
    """The span labels a reviewer chooses from."""

    SOURCED = "sourced"
    UNSOURCED = "unsourced"
    OPINION = "opinion"


@dataclass(frozen=True, slots=True)
class Zone:
    """A structural zone; ARTICLE zones carry title/author/outlet/published when found."""

    kind: ZoneKind
    start: int
    end: int
    metadata: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence (or title, caption line, list item) of zone text."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A labelled span proposed to reviewers, with the rule that produced it."""

    start: int
    end: int
    label: Label
    reason: str
    confidence: float
    source: str | None


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the engine found in one text."""

    engine: str
    version: str
    zones: tuple[Zone, ...]
    sentences: tuple[Sentence, ...]
    suggestions: tuple[Suggestion, ...]
