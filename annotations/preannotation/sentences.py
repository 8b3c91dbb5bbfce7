"""Sentence splitter: rule-based, linear, offset-exact.

A line break always ends a sentence, except inside a hard-wrapped paragraph (a line without
closing punctuation followed by a line starting in lower case). Inside a line, a full stop,
question or exclamation mark or ellipsis (with any closing quotes) ends a sentence when the
next word can start one; abbreviations, initials and dotted acronyms are the exceptions
(tables below). Sentences glued by scrapers ("It don't.No") are split too.
"""

# Typographic quotes and dashes are what this text engine reads, so they are meant here.
# ruff: noqa: RUF001

from __future__ import annotations

import re

from .lexicon import words

# Abbreviations that never end a sentence: titles before names, Latin, reference words.
# Words that are also ordinary words ("art", "ch", "vol", "pp", "fig") belong only in the
# table below: they are abbreviations only before a number ("art. 5", "fig. 3").
# ("No." is only an abbreviation before a number: "voted no. Marsh said" ends a sentence.)
NO_BREAK_ABBREVIATIONS = words(
    """mr mrs ms dr prof gen col lt sgt capt maj adm cmdr rev hon sen rep gov pres st mt ft
    messrs gens brig cpl pvt supt insp det amb sec dept e.g i.e cf vs approx est figs
    ca para"""
)
# Abbreviations that end a sentence only when a digit does not follow ("No. 5", "Jan. 28").
BEFORE_NUMBER_ABBREVIATIONS = words(
    """no nos jan feb mar apr jun jul aug sep sept oct nov dec art ch vol p pp fig"""
)
# After a dotted acronym ("U.S.", "U.N."), a new sentence is assumed only before these words.
SENTENCE_STARTERS = words(
    """The This That These Those It Its He She They We I You Our Their His Her But And Yet So
    In On At As If When While After Before Since Although However Meanwhile There Here
    What Why How Who A An One Many Some Most All No Now Then Still Also"""
)
CLOSERS = "\"'”’»)]"
# A candidate boundary: closing punctuation (with closing quotes) before whitespace, or a
# full stop glued between a lower-case word and a capital.
CANDIDATE_RE = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)|(?<=[A-Za-z’'][A-Za-z])[.!?](?=[A-Z])")
LIST_MARKER_RE = re.compile(r"(?:[•●▪◦‣∙·*]|[–—-](?=\s)|\d{1,2}[.)](?=\s)|\([a-z0-9]\))\s*")
WORD_BEFORE_RE = re.compile(r"([\w.'’-]+)$")
DOTTED_ACRONYM_RE = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
FOLLOWING_WORD_RE = re.compile(r"\s*[\"“‘']?(\w+)")
LINE_END_PUNCTUATION = tuple(".!?:;…" + CLOSERS)
# A credit closing a quoted paragraph ("… others. - SANA") stays with the last sentence.
CREDIT_TAIL_RE = re.compile(r"(?<=[.!?”\"])\s?[-–—]\s?[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,3}$")


def _units(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Stripped (start, end) of each paragraph unit; hard-wrapped lines are joined."""
    units: list[tuple[int, int]] = []
    position = start
    while position < end:
        newline = text.find("\n", position, end)
        line_end = end if newline == -1 else newline
        left, right = position, line_end
        while left < right and text[left].isspace():
            left += 1
        while right > left and text[right - 1].isspace():
            right -= 1
        if left < right:
            previous = units[-1] if units else None
            joins = (
                previous is not None
                and text.count("\n", previous[1], left) == 1
                and text[previous[1] - 1] not in LINE_END_PUNCTUATION
                and text[left].islower()
            )
            if previous is not None and joins:
                units[-1] = (previous[0], right)
            else:
                units.append((left, right))
        position = line_end + 1
    return units


def _is_boundary(text: str, unit_start: int, punct: str, begin: int, next_char: str) -> bool:
    """Decide whether the punctuation ``punct`` at ``begin`` ends a sentence."""
    if next_char.islower() or next_char in ",;:)]}":
        return False
    if punct[0] in "!?…" or punct.startswith(".."):
        return True
    match = WORD_BEFORE_RE.search(text, max(unit_start, begin - 40), begin)
    if match is None:
        return True
    word = match.group(1).lstrip("'’-.")
    lowered = word.lower()
    if lowered in NO_BREAK_ABBREVIATIONS:
        return False
    if lowered in BEFORE_NUMBER_ABBREVIATIONS and next_char.isdigit():
        return False
    if len(word) == 1 and word.isupper():
        return False  # an initial: "M. K. Bhadrakumar"
    if DOTTED_ACRONYM_RE.fullmatch(word):
        # Matched in place: slicing the rest of the text here made splitting quadratic.
        following = FOLLOWING_WORD_RE.match(text, begin + len(punct))
        return following is not None and following.group(1) in SENTENCE_STARTERS
    return True


def _split_unit(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    marker = LIST_MARKER_RE.match(text, start, end)
    cursor = marker.end() if marker and marker.end() < end else start
    credit = CREDIT_TAIL_RE.search(text, max(cursor, end - 60), end)
    scan_end = credit.start() if credit else end
    for match in CANDIDATE_RE.finditer(text, cursor, scan_end):
        boundary = match.end()
        following = boundary
        while following < scan_end and text[following].isspace():
            following += 1
        if following >= scan_end or boundary <= cursor:
            continue
        punct = match.group(0).rstrip(CLOSERS)
        if _is_boundary(text, start, punct, match.start(), text[following]):
            _emit(text, cursor, boundary, out)
            cursor = following
    _emit(text, cursor, end, out)


def _emit(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    # Drop pieces with no letter or digit: a stray "….." or a bullet.
    if start < end and any(char.isalnum() for char in text[start:end]):
        out.append((start, end))


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into sentences; return their (start, end) offsets."""
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for unit_start, unit_end in _units(text, start, stop):
        _split_unit(text, unit_start, unit_end, spans)
    return spans
