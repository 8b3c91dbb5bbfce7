"""The engine: text in, zones, sentences and labelled suggestions out.

Per sentence the order of decisions is: attribution in the sentence, then attribution from
context (a quotation continuing, a paragraph introduced by "X said:", a credit line closing
the paragraph), then the author's stance, then checkable content. A sourced sentence whose
*framing* (the words before the attribution) is heavily loaded is the author's opinion.
"""

# Typographic quotes and dashes are what this text engine reads, so they are meant here.
# ruff: noqa: RUF001

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from . import attribution, claims, layout, opinion
from .model import Analysis, Label, Sentence, Suggestion, Zone, ZoneKind
from .sentences import split_sentences
from .structure import find_zones

ENGINE_NAME = "factcheck-rules"
ENGINE_VERSION = "1.1.0"

LABELLED_ZONES = (ZoneKind.TITLE, ZoneKind.BODY, ZoneKind.CAPTION, ZoneKind.COMMENTS)
# Framing this loaded turns a reported statement into the author's opinion.
FRAMING_OPINION_THRESHOLD = 1.5
COMMENT_CONFIDENCE_FACTOR = 0.8
# A view put down to "critics" is the author's own only when the stance is this strong.
VAGUE_OPINION_THRESHOLD = opinion.OPINION_THRESHOLD
# Shorter unanchored fragments ("It is over.") are too thin to call.
FALLBACK_MIN_WORDS = 4
# Headline conventions: "X Accuses Y Of ...", "OPCW attributes ... : Report".
HEADLINE_SPEECH_RE = re.compile(
    r"^(?P<np>(?:[A-Z][\w’'.-]*\s+){1,5}?)(?P<verb>Accuses|Says|Claims|Warns|Denies|Admits"
    r"|Confirms|Reveals|Alleges|Attributes|Blames|Urges|Vows|Insists|accuses|says|claims|warns"
    r"|denies|admits|confirms|reveals|alleges|attributes|blames|urges|vows|insists)\b"
    r"(?!\s+(?i:goodbye|farewell|hello|thanks|thank you)\b)"
)
# "Night buses cut crime, study finds": a trailing credit to a study, report or poll.
HEADLINE_FINDING_RE = re.compile(
    r",\s+(?P<np>(?:(?:new|a|the|latest)\s+)?(?:study|report|survey|poll|data|analysis|audit"
    r"|review|research|researchers|officials|police|experts))\s+(?:finds|found|says|shows"
    r"|suggests|warns|reveals)\s*$",
    re.IGNORECASE,
)
HEADLINE_CREDIT_RE = re.compile(
    r":\s*(?P<np>Report|Reports|Official|Officials|Source|Sources|Study|Minister|Ministry"
    r"|Media|Analyst|Expert|Experts|Survey|Poll)\s*$"
)


@dataclass(slots=True)
class _Context:
    """What earlier sentences of the same article tell about the current one."""

    last_speaker: str | None = None
    quote_source: str | None = None
    quote_depth: int = 0
    straight_open: bool = False
    intro_source: str | None = None
    intro_paragraph: int = -1
    previous_paragraph_source: str | None = None


def _sentences(text: str, zones: Iterable[Zone]) -> list[tuple[int, int, ZoneKind]]:
    spans: list[tuple[int, int, ZoneKind]] = []
    for zone in zones:
        if zone.kind == ZoneKind.TITLE:
            spans.append((zone.start, zone.end, zone.kind))
        elif zone.kind in LABELLED_ZONES:
            for start, end in split_sentences(text, zone.start, zone.end):
                if not layout.is_image_file_line(text[start:end]):
                    spans.append((start, end, zone.kind))
    spans.sort()
    return spans


def _paragraphs(text: str, spans: list[tuple[int, int, ZoneKind]]) -> list[list[int]]:
    paragraphs: list[list[int]] = []
    previous_end = -1
    for index, (start, _end, _kind) in enumerate(spans):
        if previous_end < 0 or text.find("\n", previous_end, start) != -1:
            paragraphs.append([])
        paragraphs[-1].append(index)
        previous_end = _end
    return paragraphs


def _resolve(found: attribution.Attribution, context: _Context) -> tuple[str, float]:
    if found.pronoun:
        if context.last_speaker:
            return context.last_speaker, found.confidence - 0.05
        return found.source, 0.5
    return found.source, found.confidence


def _update_quotes(sentence: str, context: _Context) -> bool:
    """Track quotation marks; return True when the sentence started inside a quotation."""
    started_inside = context.quote_depth > 0 or context.straight_open
    context.quote_depth = max(0, context.quote_depth + sentence.count("“") - sentence.count("”"))
    if sentence.count('"') % 2:
        context.straight_open = not context.straight_open
    return started_inside


def _opens_quotation(sentence: str, context: _Context, started_inside: bool) -> bool:
    """True when the sentence opens a quotation it does not close (quote depth after it)."""
    return not started_inside and (context.quote_depth > 0 or context.straight_open)


def _closing_attribution(
    text: str, spans: list[tuple[int, int, ZoneKind]], later: list[int]
) -> attribution.Attribution | None:
    """The attribution of the sentence that closes a quotation opened earlier in the paragraph.

    '“This is a good budget. It keeps the libraries open,” the mayor said.': the first
    sentence is the mayor's too.
    """
    for index in later:
        start, end, _kind = spans[index]
        sentence = text[start:end]
        if "”" in sentence or '"' in sentence:
            return attribution.find_attribution(sentence)
    return None


def _is_credit_fragment(sentence: str) -> bool:
    """A caption's credit on its own: "(Photo: Jo Vance/The Star)", "Credit: Reuters"."""
    stripped = sentence.strip()
    bracketed = stripped[:1] in "([" and stripped.rstrip(".")[-1:] in ")]"
    return bracketed or layout.CAPTION_PREFIX_RE.match(stripped) is not None


def _headline_attribution(title: str) -> tuple[Label, str, float, str | None] | None:
    speech = HEADLINE_SPEECH_RE.match(title)
    if speech is not None:
        source = speech.group("np").strip()
        return Label.SOURCED, f"headline speech: cue '{speech.group('verb')}'", 0.7, source
    finding = HEADLINE_FINDING_RE.search(title)
    if finding is not None:
        source = finding.group("np")
        return Label.SOURCED, f"headline credit: '{source}'", 0.65, source
    credit = HEADLINE_CREDIT_RE.search(title)
    if credit is not None:
        source = credit.group("np")
        return Label.SOURCED, f"headline credit: '{source}'", 0.65, source
    return None


def _label_sentence(
    sentence: str,
    started_inside: bool,
    paragraph: int,
    credit: str | None,
    context: _Context,
    kind: ZoneKind,
) -> tuple[Label, str, float, str | None] | None:
    in_comments, is_title = kind == ZoneKind.COMMENTS, kind == ZoneKind.TITLE
    found = attribution.find_attribution(sentence)
    vague = None
    if found is not None and found.kind == attribution.VAGUE:
        vague, found = found, None
    if found is not None:
        source, confidence = _resolve(found, context)
        if credit and found.pronoun:
            source = credit  # "He pointed out ... - SANA": the carrying outlet is the source
        framing = opinion.opinion_cues(sentence[: found.framing_end], whole_sentence=False)
        if framing.score >= FRAMING_OPINION_THRESHOLD:
            reason = f"{framing.reason()} framing a statement by {source}"
            return Label.OPINION, reason, 0.6, None
        if not found.pronoun:
            context.last_speaker = source
        if any(mark in sentence for mark in '“"'):
            context.quote_source = source
        reason = f"{found.kind}: cue '{found.cue}', speaker '{source}'"
        return Label.SOURCED, reason, round(confidence, 2), source
    if started_inside and context.quote_source:
        source = context.quote_source
        return Label.SOURCED, f"continues a quotation by '{source}'", 0.75, source
    if context.intro_source and context.intro_paragraph == paragraph:
        source = context.intro_source
        return Label.SOURCED, f"quotation introduced by '{source}'", 0.7, source
    if credit:
        return Label.SOURCED, f"block quotation credited to '{credit}'", 0.75, credit
    if vague is not None:
        # "Critics say …": a view put down to nobody in particular is not a source.
        stance = opinion.opinion_cues(sentence)
        if stance.score >= VAGUE_OPINION_THRESHOLD:
            return Label.OPINION, f"{stance.reason()} over a vague attribution", 0.5, None
        reason = f"vague attribution: '{vague.source} {vague.cue}' names no source"
        return Label.UNSOURCED, reason, 0.55, None
    stance = opinion.opinion_cues(sentence)
    if stance.score >= opinion.OPINION_THRESHOLD:
        return Label.OPINION, stance.reason(), round(min(0.95, 0.45 + 0.15 * stance.score), 2), None
    checkable = claims.claim_cues(sentence)
    if checkable is not None and not (in_comments and "number" not in checkable.anchors):
        return Label.UNSOURCED, checkable.reason(), checkable.confidence, None
    # Nothing checkable and no source: what is left is the writer's generalisation or
    # judgement. In-body subheads (no closing punctuation) are left alone.
    words = len(sentence.split())
    closed = sentence.rstrip(" ”’\"')").endswith((".", "!", "?", "…"))
    if words >= FALLBACK_MIN_WORDS and (closed or is_title or in_comments):
        cues = f"; weak cues: {', '.join(stance.cues[:2])}" if stance.cues else ""
        return Label.OPINION, "no checkable anchor and no attribution" + cues, 0.35, None
    return None


def analyse(text: str) -> Analysis:
    """Analyse one text: its zones, its sentences and a labelled suggestion per sentence."""
    zones = tuple(find_zones(text))
    spans = _sentences(text, zones)
    suggestions: list[Suggestion] = []
    context = _Context()
    for number, paragraph in enumerate(_paragraphs(text, spans)):
        first_start = spans[paragraph[0]][0]
        last_start, last_end, _ = spans[paragraph[-1]]
        if spans[paragraph[0]][2] == ZoneKind.TITLE:
            context = _Context()  # a new article: forget speakers and quotations
        credit_match = attribution.CREDIT_RE.search(text, last_start, last_end)
        credit = credit_match.group("np") if credit_match and len(paragraph) > 1 else None
        opens_with_quote = text[first_start] in '“"'
        paragraph_source: str | None = None
        for position, index in enumerate(paragraph):
            start, end, kind = spans[index]
            sentence = text[start:end]
            if layout.is_date_line(sentence) or (
                kind == ZoneKind.CAPTION and _is_credit_fragment(sentence)
            ):
                continue  # a timestamp or a photo credit asserts nothing
            started_inside = _update_quotes(sentence, context)
            if opens_with_quote and index == paragraph[0] and context.previous_paragraph_source:
                started_inside, context.quote_source = True, context.previous_paragraph_source
            elif position > 0 and text[start] in '“"' and paragraph_source:
                # A new quotation after a quoted speaker, in the same paragraph, is theirs too.
                started_inside, context.quote_source = True, paragraph_source
            result: tuple[Label, str, float, str | None] | None = None
            if kind == ZoneKind.TITLE:
                result = _headline_attribution(sentence)
            if result is None and _opens_quotation(sentence, context, started_inside):
                closing = _closing_attribution(text, spans, paragraph[position + 1 :])
                if closing is not None and attribution.find_attribution(sentence) is None:
                    speaker, sure = _resolve(closing, context)
                    reason = f"opens a quotation closed by '{closing.cue}', speaker '{speaker}'"
                    result = (Label.SOURCED, reason, round(sure - 0.05, 2), speaker)
            if result is None:
                result = _label_sentence(sentence, started_inside, number, credit, context, kind)
            if sentence.rstrip().endswith(":") and result and result[0] == Label.SOURCED:
                # "According to the report:" only introduces the next paragraph's quotation.
                context.intro_source, context.intro_paragraph = result[3], number + 1
                continue
            via = attribution.VIA_RE.match(sentence)
            if via is not None and position == len(paragraph) - 1 and position > 0 and suggestions:
                # A closing "Via X" credits the sentence before it, and is no claim itself.
                previous = suggestions[-1]
                if previous.start == spans[paragraph[position - 1]][0]:
                    credited = attribution.clean_source(via.group("np"))
                    suggestions[-1] = Suggestion(
                        previous.start,
                        previous.end,
                        Label.SOURCED,
                        f"credit line: cue 'via', speaker '{credited}'",
                        0.7,
                        credited,
                    )
                continue
            if result is None:
                continue
            label, reason, confidence, source = result
            if label == Label.SOURCED:
                paragraph_source = source
            if kind == ZoneKind.COMMENTS:
                reason = "comment: " + reason
                confidence = round(confidence * COMMENT_CONFIDENCE_FACTOR, 2)
            suggestions.append(Suggestion(start, end, label, reason, confidence, source))
        context.previous_paragraph_source = paragraph_source
        context.quote_depth, context.straight_open = 0, False
    return Analysis(
        engine=ENGINE_NAME,
        version=ENGINE_VERSION,
        zones=zones,
        sentences=tuple(Sentence(start, end) for start, end, _kind in spans),
        suggestions=tuple(suggestions),
    )


def analyse_many(texts: Iterable[str]) -> Iterator[Analysis]:
    """Analyse each text in turn (a convenience for batch jobs)."""
    for text in texts:
        yield analyse(text)
