"""The engine: text in, zones, sentences and labelled suggestions out.

Per sentence the order of decisions is: attribution in the sentence, then attribution from
context (a quotation continuing, a paragraph introduced by "X said:", a credit line closing
the paragraph), then the author's stance, then checkable content. A sourced sentence whose
*framing* (the words before the attribution) is heavily loaded is the author's opinion.
"""

# Typographic quotes and dashes are what this text engine reads, so they are meant here.
# ruff: noqa: RUF001, RUF003

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from . import attribution, claims, layout, opinion
from .lexicon import CLOSING_MARKS, DOCUMENT_VERB_ALTERNATION, is_question
from .model import Analysis, Label, Sentence, Suggestion, Zone, ZoneKind
from .sentences import split_sentences
from .structure import find_zones

ENGINE_NAME = "factcheck-rules"
ENGINE_VERSION = "1.3.1"

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


# A pronoun standing for the document just cited, before a document verb: "It also names".
DOCUMENT_PRONOUN_RE = re.compile(
    r"(?:It|They)\s+(?:also\s+|further\s+|then\s+)?"
    rf"(?:{DOCUMENT_VERB_ALTERNATION})\b"
)
OPENING_QUOTES = '“"‘'
# A closing single quote: "’" after a non-space, not followed by a letter ("doesn’t").
SINGLE_CLOSE_RE = re.compile(r"(?<=\S)’(?![^\W\d_])")
CREDIT_WORD_RE = re.compile(r"[^\W\d_][\w’'-]*")
MIN_CAPTION_DESCRIPTION_WORDS = 7
CREDIT_WORDS = frozenset({"by", "via", "courtesy", "photo", "file", "handout", "credit"})
# Fallback reading of a sentence with no anchor, no source and no stance cue.
# A demonstrative or dummy subject over a copula ("This is a turning point.", "That's the
# problem.", "There is something odd here.") characterises; the writer is judging.
CHARACTERISING_RE = re.compile(
    r"^(?:(?:But|And|So|Yet|Still)\s+)?(?:(?:This|That|These|Those|It|There|Which|None of this"
    r"|All of this|Neither|Both)(?:\s+[a-z][\w’'-]*)?\s+(?:is|was|are|were|seems|remains|isn[’']t"
    r"|wasn[’']t|aren[’']t)|(?:That|It|There|This|What)[’']s)\b"
)
# Event and state reports: a past or perfect tense, a passive, a negated auxiliary ("did not
# testify", "has since been removed", "are not reserved", "were executed"). Such a sentence
# reports something that happened, which can be checked even without a name or a number.
_ADVERBS = r"(?:(?:\w+ly|not|never|long|since|already|just|yet|also|now|still|being|been)\s+)*"
EVENT_RE = re.compile(
    r"\b(?:did|has|have|had|was|were)(?:n[’']t|\s+not|\s+never)\b"
    rf"|\b(?:has|have|had|is|are|was|were|be|been|being)\s+{_ADVERBS}(?:[a-z]{{2,}}(?<!e)ed|been"
    r"|[a-z]+en|made|done|gone|held|left|sent|told|paid|built|found|kept|lost|won|run|set|cut"
    r"|put|shut|hit|hurt|sold|seen|taken|given|known|shown|brought|bought|caught|taught)\b"
    r"|\b(?:was|were)\b|\b[a-z]{2,}(?<!e)ed\b|\b(?:has|have|had)\s+no\b"
)
# Explainer furniture that announces what follows: "Here is what we know.", "Here are the
# facts.", "Here's how it works."
SIGNPOST_RE = re.compile(
    r"^(?:Here|Below)(?:’s|'s|\s+is|\s+are)\s+(?:what|how|why|where|when|who|everything"
    r"|the (?:facts|details|latest|key|timeline|background)|a (?:look|timeline|summary)"
    r"|some|a few)\b"
)
MAX_SIGNPOST_WORDS = 16
# The header over a list of references; the entries under it cite, they claim nothing.
REFERENCE_HEADER_RE = re.compile(
    r"(?:sources|references|bibliography|further reading|notes|works cited)\s*:?", re.IGNORECASE
)
# A subhead written as a short question on its own line ("What happened?").
MAX_SUBHEAD_QUESTION_WORDS = 10


# Speaker turns in an interview or transcript: "Q: …" / "A: …", "SMITH: …", "Jo Bell: …".
SPEAKER_TURN_RE = re.compile(r"(?P<tag>Q|A|[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,2})\s*:\s+(?=\S)")
QUESTION_TAGS = frozenset({"Q", "Question", "QUESTION", "Interviewer", "INTERVIEWER"})
ANSWER_TAGS = frozenset({"A", "Answer", "ANSWER"})
# A tag is a speaker only when it recurs: "CLAIM:" and "VERDICT:" once each are labels.
MIN_TURNS_PER_TAG = 2
# The interviewee, named at the start of the introduction: "Dr. Ana Ruiz, 52, is …".
INTERVIEWEE_RE = re.compile(
    r"(?P<name>(?:(?:Dr|Prof|Mr|Mrs|Ms|Sir|Dame)\.?\s+)?[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){1,3})"
    r"(?=,|\s+(?:is|was|has|leads|runs|heads)\b)"
)
INTERVIEWEE = "the interviewee"


@dataclass(slots=True)
class _Context:
    """What earlier sentences of the same article tell about the current one."""

    last_speaker: str | None = None
    quote_source: str | None = None
    quote_depth: int = 0
    straight_open: bool = False
    single_depth: int = 0
    last_document: str | None = None
    intro_source: str | None = None
    intro_paragraph: int = -1
    previous_paragraph_source: str | None = None

    @property
    def inside_quotation(self) -> bool:
        """True while a curly, straight or single quotation is open."""
        return self.quote_depth > 0 or self.straight_open or self.single_depth > 0


def _sentences(text: str, zones: Iterable[Zone]) -> list[tuple[int, int, ZoneKind]]:
    spans: list[tuple[int, int, ZoneKind]] = []
    for zone in zones:
        if zone.kind == ZoneKind.TITLE:
            spans.extend(_title_spans(text, zone))
        elif zone.kind in LABELLED_ZONES:
            for start, end in split_sentences(text, zone.start, zone.end):
                if not layout.is_image_file_line(text[start:end]):
                    spans.append((start, end, zone.kind))
    spans.sort()
    return spans


def _title_spans(text: str, zone: Zone) -> list[tuple[int, int, ZoneKind]]:
    """A title block's sentences: the headline whole, a standfirst split into sentences.

    A kicker ("OPINION") opening a block of several lines labels a section and claims
    nothing, so it gets no sentence.
    """
    spans: list[tuple[int, int, ZoneKind]] = []
    position = zone.start
    block = text[zone.start : zone.end]
    several = "\n" in block
    for line in block.split("\n"):
        start = position + len(line) - len(line.lstrip())
        end = position + len(line.rstrip())
        position += len(line) + 1
        if start >= end:
            continue
        if not spans and several and layout.is_kicker(text[start:end]):
            continue
        if not spans:
            spans.append((start, end, ZoneKind.TITLE))
        else:
            spans.extend((a, b, ZoneKind.TITLE) for a, b in split_sentences(text, start, end))
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


def _speaker_turns(
    text: str, spans: list[tuple[int, int, ZoneKind]], paragraphs: list[list[int]]
) -> dict[int, tuple[bool, str]]:
    """Map each speaker-turn paragraph to (is_answer, speaker).

    "Q:" lines are the interviewer's; "A:" lines are the interviewee's, named by the opening
    of the first paragraph of the article that is no turn ("Dr. Ana Ruiz, 52, is …"). A name
    tag ("SMITH:", "Jo Bell:") speaks for itself. A tag counts only when it recurs.
    """
    tags: dict[int, str] = {}
    for number, paragraph in enumerate(paragraphs):
        start, end, kind = spans[paragraph[0]]
        match = SPEAKER_TURN_RE.match(text, start, end)
        if kind == ZoneKind.BODY and match is not None:
            tags[number] = match.group("tag")
    counts = Counter(tags.values())
    recurring = {tag for tag, count in counts.items() if count >= MIN_TURNS_PER_TAG}
    if len(recurring) < 2:
        return {}  # one recurring label is a list ("Update: …"), not a conversation
    turns: dict[int, tuple[bool, str]] = {}
    interviewee = INTERVIEWEE
    for number, paragraph in enumerate(paragraphs):
        start, end, kind = spans[paragraph[0]]
        if kind == ZoneKind.TITLE:
            interviewee = INTERVIEWEE  # a new article
        tag = tags.get(number, "")
        if tag not in recurring:
            named = INTERVIEWEE_RE.match(text, start, end)
            if kind == ZoneKind.BODY and interviewee == INTERVIEWEE and named is not None:
                interviewee = named.group("name")
            continue
        if tag in QUESTION_TAGS:
            turns[number] = (False, "interviewer")
        elif tag in ANSWER_TAGS:
            turns[number] = (True, interviewee)
        else:
            turns[number] = (True, tag.title() if tag.isupper() else tag)
    return turns


def _resolve(found: attribution.Attribution, context: _Context) -> tuple[str, float]:
    if found.pronoun:
        if context.last_speaker:
            return context.last_speaker, found.confidence - 0.05
        return found.source, 0.5
    return found.source, found.confidence


def _update_quotes(sentence: str, context: _Context) -> bool:
    """Track quotation marks; return True when the sentence started inside a quotation."""
    started_inside = context.inside_quotation
    context.quote_depth = max(0, context.quote_depth + sentence.count("“") - sentence.count("”"))
    if "‘" in sentence or context.single_depth:
        # British single quotes: "’" closes only where it is no apostrophe ("doesn’t").
        closes = len(SINGLE_CLOSE_RE.findall(sentence))
        context.single_depth = max(0, context.single_depth + sentence.count("‘") - closes)
    if sentence.count('"') % 2:
        context.straight_open = not context.straight_open
    return started_inside


def _opens_quotation(context: _Context, started_inside: bool) -> bool:
    """True when the sentence opens a quotation it does not close (quote depth after it)."""
    return not started_inside and context.inside_quotation


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
        if "”" in sentence or '"' in sentence or SINGLE_CLOSE_RE.search(sentence):
            return attribution.find_attribution(sentence)
    return None


def _is_credit_fragment(sentence: str) -> bool:
    """A caption's credit on its own: "(Photo: Jo Vance/The Star)", "Credit: Reuters".

    A labelled or bracketed line that *describes* the picture ("[Image: A ferry docks at
    the pier before dawn.]", "Caption: Crews clear the road after the storm.") is a claim like
    any other. A credit or a label names a photographer, an agency or a topic in a few words
    ("(Map: Nordic Wire, flood zones)"); a description is a clause of some length.
    """
    stripped = sentence.strip()
    bracketed = stripped[:1] in "([" and stripped.rstrip(".")[-1:] in ")]"
    label = layout.CAPTION_PREFIX_RE.match(stripped)
    if not bracketed and label is None:
        return False
    rest = stripped[label.end() :] if label is not None else stripped
    lower = [
        word
        for word in CREDIT_WORD_RE.findall(rest)
        if word.islower() and word not in layout.NAME_CONNECTORS and word not in CREDIT_WORDS
    ]
    return len(lower) <= 1 or len(CREDIT_WORD_RE.findall(rest)) < MIN_CAPTION_DESCRIPTION_WORDS


def _without_lead_label(sentence: str, kind: ZoneKind) -> str:
    """The sentence without a label that frames it: a caption's "Picture:", a dateline.

    "Picture: Waves break over the pier" describes a picture (no command to picture it);
    "DUNMERE, May 3, 2024 (Wire) — Acme said …" reads from "Acme".
    """
    if kind == ZoneKind.CAPTION:
        label = layout.CAPTION_PREFIX_RE.match(sentence)
        if label is not None and label.end() < len(sentence):
            return sentence[label.end() :].lstrip()
    elif kind == ZoneKind.BODY:
        dateline = layout.parse_dateline(sentence)
        if dateline is not None and dateline[0] < len(sentence):
            return sentence[dateline[0] :]
    return sentence


def _is_question_subhead(sentence: str) -> bool:
    """A short question standing alone as a paragraph: an explainer's section head."""
    stripped = sentence.strip()
    return (
        stripped.endswith("?")
        and len(stripped.split()) <= MAX_SUBHEAD_QUESTION_WORDS
        and not any(mark in stripped for mark in '“”"‘')
        # "Is this really the best we can do?" is rhetoric, not a section head.
        and not opinion.opinion_cues(stripped, whole_sentence=False).cues
    )


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
    found: attribution.Attribution | None,
    started_inside: bool,
    paragraph: int,
    credit: str | None,
    context: _Context,
    kind: ZoneKind,
) -> tuple[Label, str, float, str | None] | None:
    """Label one sentence; ``found`` is its attribution if the caller has already found one."""
    in_comments = kind == ZoneKind.COMMENTS
    if found is None:
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
        if found.kind == "document":
            context.last_document = source
        if any(mark in sentence for mark in OPENING_QUOTES):
            context.quote_source = source
        reason = f"{found.kind}: cue '{found.cue}', speaker '{source}'"
        return Label.SOURCED, reason, round(confidence, 2), source
    if context.last_document and DOCUMENT_PRONOUN_RE.match(sentence):
        # "The study links X to Y. It also names three plants.": the study again.
        source = context.last_document
        return Label.SOURCED, f"document finding continued: '{source}'", 0.65, source
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
    if (
        kind == ZoneKind.BODY
        and SIGNPOST_RE.match(sentence)
        and len(sentence.split()) <= MAX_SIGNPOST_WORDS
        and not re.search(r"\bI\b", sentence)
    ):
        return None  # "Here is what we know": it announces the claims, it makes none
    stance = opinion.opinion_cues(sentence)
    if stance.score >= opinion.OPINION_THRESHOLD:
        return Label.OPINION, stance.reason(), round(min(0.95, 0.45 + 0.15 * stance.score), 2), None
    checkable = claims.claim_cues(sentence)
    if checkable is not None and not (in_comments and "number" not in checkable.anchors):
        return Label.UNSOURCED, checkable.reason(), checkable.confidence, None
    return _fallback(sentence, stance, kind)


def _fallback(
    sentence: str, stance: opinion.OpinionCues, kind: ZoneKind
) -> tuple[Label, str, float, str | None] | None:
    """Label a sentence with no source, no stance strong enough and no checkable anchor.

    What is left is either a plain report of an event or state ("Whitcombe did not
    testify.", "The listing has since been removed.") or the writer's characterisation
    ("That is the problem.", "Boredom is where ideas come from."). Weak stance cues or a
    demonstrative subject over a copula make it the writer's; a past, perfect or passive
    verb (or a caption, which describes its picture) makes it a report. What is neither stays
    opinion, as generalisations do. In-body subheads (no closing punctuation) are left alone;
    a short closed fragment ("It isn't.", "Great piece.") is the writer's aside unless it is a
    name ("Marcy D.").
    """
    in_comments, is_title = kind == ZoneKind.COMMENTS, kind == ZoneKind.TITLE
    words = sentence.split()
    closed = sentence.rstrip(CLOSING_MARKS + "]").endswith((".", "!", "?", "…"))
    if not (closed or is_title or in_comments):
        return None
    if len(words) < FALLBACK_MIN_WORDS:
        if not closed or kind not in (ZoneKind.BODY, ZoneKind.COMMENTS):
            return None
        if layout.is_name_like(sentence.rstrip(".")):
            return None
        return Label.OPINION, "short unanchored aside", 0.3, None
    cues = f"; weak cues: {', '.join(stance.cues[:2])}" if stance.cues else ""
    own = opinion.unquoted(sentence)
    if (
        not in_comments
        and not stance.cues
        and not CHARACTERISING_RE.match(own)
        and (kind == ZoneKind.CAPTION or EVENT_RE.search(own))
    ):
        reason = "reports an event or state without attribution"
        return Label.UNSOURCED, reason, 0.4, None
    return Label.OPINION, "no checkable anchor and no attribution" + cues, 0.35, None


def analyse(text: str) -> Analysis:
    """Analyse one text: its zones, its sentences and a labelled suggestion per sentence."""
    zones = tuple(find_zones(text))
    spans = _sentences(text, zones)
    suggestions: list[Suggestion] = []
    context = _Context()
    paragraphs = _paragraphs(text, spans)
    turns = _speaker_turns(text, spans, paragraphs)
    in_references = False
    previous_end = 0
    for number, paragraph in enumerate(paragraphs):
        first_start = spans[paragraph[0]][0]
        last_start, last_end, _ = spans[paragraph[-1]]
        if spans[paragraph[0]][2] == ZoneKind.TITLE:
            context = _Context()  # a new article: forget speakers and quotations
        credit_match = attribution.CREDIT_RE.search(text, last_start, last_end)
        credit = credit_match.group("np") if credit_match and len(paragraph) > 1 else None
        opens_with_quote = text[first_start] in OPENING_QUOTES
        paragraph_source: str | None = None
        # A reference list runs from its header to the next blank line.
        in_references = in_references and text.count("\n", previous_end, first_start) < 2
        previous_end = last_end
        if in_references:
            continue
        if len(paragraph) == 1 and REFERENCE_HEADER_RE.fullmatch(text, first_start, last_end):
            in_references = True
            continue
        for position, index in enumerate(paragraph):
            start, end, kind = spans[index]
            sentence = text[start:end]
            if layout.is_date_line(sentence) or (
                kind == ZoneKind.CAPTION and _is_credit_fragment(sentence)
            ):
                continue  # a timestamp or a photo credit asserts nothing
            if kind == ZoneKind.BODY and len(paragraph) == 1 and _is_question_subhead(sentence):
                continue  # "What happened?" on its own line heads a section, it argues nothing
            started_inside = _update_quotes(sentence, context)
            if opens_with_quote and index == paragraph[0] and context.previous_paragraph_source:
                started_inside, context.quote_source = True, context.previous_paragraph_source
            elif position > 0 and text[start] in OPENING_QUOTES and paragraph_source:
                # A new quotation after a quoted speaker, in the same paragraph, is theirs too.
                started_inside, context.quote_source = True, paragraph_source
            result: tuple[Label, str, float, str | None] | None = None
            turn = turns.get(number)
            if turn is not None and turn[0]:
                # Everything said in a speaker's turn is theirs, views included.
                reason = f"speaker turn: '{turn[1]}'"
                result = (Label.SOURCED, reason, 0.75, turn[1])
            elif turn is not None and is_question(sentence):
                continue  # the interviewer's question asks, it claims nothing
            if kind == ZoneKind.TITLE:
                result = _headline_attribution(sentence)
            in_sentence: attribution.Attribution | None = None
            if result is None and _opens_quotation(context, started_inside):
                closing = _closing_attribution(text, spans, paragraph[position + 1 :])
                if closing is not None:
                    in_sentence = attribution.find_attribution(sentence)
                if closing is not None and in_sentence is None:
                    speaker, sure = _resolve(closing, context)
                    reason = f"opens a quotation closed by '{closing.cue}', speaker '{speaker}'"
                    result = (Label.SOURCED, reason, round(sure - 0.05, 2), speaker)
            if result is None:
                own = _without_lead_label(sentence, kind)
                # The attribution found above holds for the sentence without a lead label only
                # when there was no label to take off.
                found = in_sentence if own == sentence else None
                result = _label_sentence(own, found, started_inside, number, credit, context, kind)
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
        context.quote_depth, context.straight_open, context.single_depth = 0, False, 0
    return Analysis(
        engine=ENGINE_NAME,
        version=ENGINE_VERSION,
        zones=zones,
        sentences=tuple(Sentence(start, end) for start, end, _kind in spans),
        suggestions=tuple(suggestions),
    )
