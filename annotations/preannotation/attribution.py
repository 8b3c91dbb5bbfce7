"""Attribution: who a sentence's claim is credited to, and by which cue.

Shapes recognised, in order: "according to X", inverted speech ('…," said X'), a speaker
before a speech verb ("the SVR said", "Gerasimov further indicated"), a credit line closing
a block quotation ("… - SANA"), a "Via X" line and a link. The speaker is read from the
words next to the cue with small word tables (``lexicon``), never from a list of names, so
the rules hold on unseen text.
"""

# Typographic quotes and dashes are what this text engine reads, so they are meant here.
# ruff: noqa: RUF001, RUF003

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import (
    ANONYMOUS_HEADS,
    DOCUMENT_NOUNS,
    DOCUMENT_VERB_ALTERNATION,
    MONTH_AND_DAY_NAMES,
    NOT_SPEAKERS,
    PRONOUN_SPEAKERS,
    SPEAKER_NOUNS,
    SPEAKER_VERB_FILLERS,
    SPEECH_PARTICIPLES,
    SPEECH_VERBS,
    TOLD_OUTLET_VERBS,
    VAGUE_STANCE_VERBS,
    alternation,
    words,
)

ACCORDING_RE = re.compile(r"\baccording\s+(?:to\s+)?(?P<np>[^,.;:!?()“”\"]{2,90})", re.IGNORECASE)
_VERB_ALTERNATION = alternation(SPEECH_VERBS | SPEECH_PARTICIPLES)
CUE_RE = re.compile(
    rf"\b(?P<verb>{_VERB_ALTERNATION}|pointed out|points out|pointed to|points to)\b"
)
# A role in a named body before the verb: "a spokesman for the county fire service said".
ROLE_IN_BODY_RE = re.compile(
    r"\b(?P<np>(?:an?|the)\s+(?:[a-z-]+\s+)?(?:spokes(?:man|woman|person)|representative"
    r"|official|officer|lawyer|attorney|member|director|head|chief|secretary|manager|adviser"
    r"|advisor|researcher|professor|chair|chairman|chairwoman)\s+(?:for|of|at|with|from)\s+"
    r"[^,.;:!?“”\"‘]{2,70}?)\s*$"
)
_NAME = r"[A-Z][\w’'.-]*(?:\s+(?:of\s+|the\s+|al\s+|bin\s+)?[A-Z][\w’'.-]*)*"
# '…,” said board chair Jo Lind', '…, said Dr. Ana Ruiz, a surgeon': the speaker after the verb,
# possibly behind up to three lower-case role words.
INVERTED_RE = re.compile(
    r"(?:[”\"’],?|,[”\"’]?)\s*(?P<verb>said|says|added|adds|wrote|writes|told|tells|noted|stated"
    r"|continued|explained|insisted|warned|asked)\s+"
    rf"(?P<np>(?:the\s+)?(?:[a-z][\w’'-]*\s+){{0,3}}?{_NAME}|he|she|they)\b"
)
# "the journal's disclosure form shows", "City counts show", "a report by the auditor found".
DOCUMENT_FINDING_RE = re.compile(
    r"(?P<np>(?:(?:the|a|an|new|recent|latest|[A-Z][\w’'.&-]*|[\w-]+[’']s|\d{4})\s+){0,4}"
    rf"(?:[a-z-]+\s+)?(?:{alternation(DOCUMENT_NOUNS)})"
    r"(?:\s+(?:by|from|of)\s+(?:the\s+)?[A-Z][\w’'.&-]*(?:\s+[A-Z][\w’'.&-]*){0,4})?)"
    rf"\s+(?:{DOCUMENT_VERB_ALTERNATION})\b"
)
DOCUMENT_VERB_RE = re.compile(rf"\b(?:{DOCUMENT_VERB_ALTERNATION})\b")
# A vague collective as the subject: "Some parents say", "Not every researcher agrees",
# "Plenty of longtime fans aren't convinced". Such a view has no source to check.
VAGUE_SUBJECT_RE = re.compile(
    r"(?:^|[,;—–]\s*|\b(?:and|but)\s+)(?P<np>(?:[Ss]ome|[Mm]any|[Mm]ost|[Ss]everal|[Ff]ew|[Aa] few"
    r"|[Pp]lenty of|[Nn]ot (?:every|all|everyone)|[Oo]thers?)(?:\s+[a-z][\w’'-]*){0,3}?)\s+"
    r"(?P<verb>say|says|said|argue|argues|argued|claim|claims|claimed|insist"
    r"|(?:are|were|is|was)(?:n[’']t| not) (?:convinced|persuaded|sure)|remain unconvinced"
    rf"|{alternation(VAGUE_STANCE_VERBS)})\b"
)
VAGUE = "vague attribution"
# A credit closing a block quotation: "… some others. - SANA".
CREDIT_RE = re.compile(r"(?:^|[\s.”\"])[-–—]\s?(?P<np>[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,3})\s*$")
VIA_RE = re.compile(rf"^(?:Via|Source:|Sources:|H/T|Hat tip:?)\s+(?P<np>(?:the\s+)?{_NAME})")
URL_RE = re.compile(r"https?://(?:www\.)?(?P<np>[\w-]+(?:\.[\w-]+)+)")
# Passive reporting ("was widely reported") names nobody.
PASSIVE_BEFORE = words("was were been being is are be widely")
# "called for" and "called off" are requests and acts, not statements about facts.
NOT_SPEECH_AFTER = words("off up upon goodbye farewell hello thanks")
OUTLET_AFTER_RE = re.compile(rf"^\s+(?:to\s+)?(?P<outlet>(?:the\s+)?{_NAME})")
NP_CONNECTORS = words("the a an of for and al bin de one")
MAX_SPEAKER_WORDS = 10
QUOTE_CHARS = '“”"‘'


@dataclass(frozen=True, slots=True)
class Attribution:
    """A claim's attribution inside one sentence; offsets are relative to the sentence."""

    source: str
    cue: str
    kind: str
    framing_end: int
    confidence: float
    pronoun: bool = False


def _strip_possessive(word: str) -> str:
    for suffix in ("’s", "'s", "’", "'"):
        if word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def clean_source(phrase: str) -> str:
    """Normalise a speaker phrase: "a new Reuters report" -> "Reuters", "the SVR" stays."""
    tokens = phrase.strip(" ,;:").split()
    for index, token in enumerate(tokens):
        if _strip_possessive(token).lower() in DOCUMENT_NOUNS:
            names = [
                _strip_possessive(t)
                for t in tokens[:index]
                if t[0].isupper()
                and t not in MONTH_AND_DAY_NAMES
                and t.lower() not in ("the", "a", "an")
            ]
            if names:
                return " ".join(names)
            after = tokens[index + 1 :]
            if after and after[0].lower() in ("from", "by", "of"):
                named: list[str] = []
                for t in after[2:] if after[1:2] == ["the"] else after[1:]:
                    if t in MONTH_AND_DAY_NAMES or not (t[0].isupper() or t in SPEAKER_NOUNS):
                        break
                    named.append(t)
                if named:
                    return " ".join(named)
            break
    while tokens and tokens[0].lower() in ("a", "an"):
        tokens = tokens[1:]
    return " ".join(tokens) if tokens else phrase.strip()


def _is_np_word(word: str) -> bool:
    core = word.strip('()“”"‘’')
    if not core:
        return False
    lowered = _strip_possessive(core.lower())  # "the attorney general’s office"
    return core[0].isupper() or lowered in SPEAKER_NOUNS or lowered in NP_CONNECTORS


def _trim_np(tokens: list[str]) -> list[str]:
    while tokens and (tokens[0] in NOT_SPEAKERS or tokens[0].lower() in ("of", "and", "for")):
        if tokens[0] == "The" and len(tokens) > 1 and tokens[1][:1].isupper():
            tokens = ["the", *tokens[1:]]  # "The WHO" keeps its article, as "the SVR" does
            break
        tokens = tokens[1:]
    while tokens and tokens[-1].lower() in NP_CONNECTORS:
        tokens = tokens[:-1]
    return tokens


def speaker_before(sentence: str, position: int) -> tuple[str, bool] | None:
    """Return (speaker, is_pronoun) for the words just before a speech verb, if they name one."""
    tokens = sentence[:position].split()
    index = len(tokens)
    while index and tokens[index - 1].lower() in SPEAKER_VERB_FILLERS:
        if tokens[index - 1].endswith(","):
            break
        index -= 1
    if index and tokens[index - 1] in PRONOUN_SPEAKERS:
        return tokens[index - 1], True
    collected: list[str] = []
    while index and len(collected) < MAX_SPEAKER_WORDS:
        word = tokens[index - 1]
        if word.rstrip('”"’').endswith(",") or word[-1] in '”"' or not _is_np_word(word):
            break
        collected.insert(0, word)
        index -= 1
    phrase = _trim_np(collected)
    if index and tokens[index - 1].rstrip('”"’').endswith(","):
        # "Alexander Bortnikov, Director of the FSB said": prefer the name before the comma;
        # "Munir Adib, a researcher in …, confirms": the name opens the sentence.
        name: list[str] = []
        back = index
        while back and tokens[back - 1].strip(",")[:1].isupper() and len(name) < 5:
            if name and tokens[back - 1].endswith(","):
                break
            name.insert(0, tokens[back - 1].strip(","))
            back -= 1
        name = _trim_np(name)
        if len(name) >= 2 and (not phrase or not phrase[-1][0].isupper() or "of" in phrase):
            return " ".join(name), False
        if not phrase:
            opening = sentence.split(",", 1)[0].split()
            opening = _trim_np(opening)
            if 0 < len(opening) <= 8 and any(w[0].isupper() for w in opening):
                return " ".join(opening), False
    if not phrase:
        return None
    head = phrase[-1].strip('()“”"')
    if head in NOT_SPEAKERS or not (head[:1].isupper() or head.lower() in SPEAKER_NOUNS):
        return None
    return " ".join(phrase), False


def _is_anonymous(speaker: str) -> bool:
    tokens = speaker.split()
    head = tokens[-1].lower()
    if head in ANONYMOUS_HEADS:
        return True
    # An unnamed collective ("officials", "members") names nobody; a role ("the minister")
    # or a document ("the report") does.
    named = any(t[0].isupper() for t in tokens)
    return not named and head in ("official", "officials", "members", "group", "media")


def _leading_name(sentence: str) -> str | None:
    """The capitalised run opening a sentence: "Russian Deputy Minister Sergei Ryabkov"."""
    tokens: list[str] = []
    for token in sentence.split()[:12]:
        word = token.rstrip(",")
        if not (word[:1].isupper() or word.lower() in NP_CONNECTORS):
            break
        tokens.append(word)
        if token.endswith(","):
            break
    tokens = _trim_np(tokens)
    return " ".join(tokens) if tokens and any(t[0].isupper() for t in tokens) else None


def _according(sentence: str) -> Attribution | None:
    match = ACCORDING_RE.search(sentence)
    if match is None:
        return None
    tokens = match.group("np").split()
    kept: list[str] = []
    for token in tokens[:8]:
        if token.lower() in ("that", "who", "which", "in", "on", "at", "was", "is", "has"):
            break
        kept.append(token)
    phrase = " ".join(kept)
    if not phrase:
        return None
    pronoun = phrase in ("him", "her", "them")
    source = {"him": "he", "her": "she", "them": "they"}.get(phrase, clean_source(phrase))
    named = any(token[0].isupper() for token in kept) or pronoun
    confidence = 0.85 if named else 0.55
    return Attribution(source, "according to", "according to", match.start(), confidence, pronoun)


def _speech(sentence: str) -> Attribution | None:
    quoted = any(char in sentence for char in QUOTE_CHARS)
    inverted = INVERTED_RE.search(sentence)
    if inverted is not None:
        phrase = inverted.group("np")
        pronoun = phrase in PRONOUN_SPEAKERS
        source = phrase if pronoun else clean_source(phrase)
        return Attribution(
            source, inverted.group("verb"), "direct quotation", inverted.start(), 0.9, pronoun
        )
    vague: Attribution | None = None
    for match in CUE_RE.finditer(sentence):
        verb = match.group("verb")
        before = sentence[: match.start()].split()
        after = sentence[match.end() :].split()
        if before and before[-1].lower() in PASSIVE_BEFORE:
            continue
        if after and after[0].lower() in NOT_SPEECH_AFTER:
            continue
        if after and after[0] == "by":
            # "reported by 9 percent of patients" is passive; "as reported by Reuters" names one.
            agent = OUTLET_AFTER_RE.match(sentence[match.end() + len(" by") :])
            if agent is None or len(after) < 2 or not after[1][:1].isupper():
                continue
            source = clean_source(agent.group("outlet"))
            return Attribution(source, f"{verb} by", "reported speech", match.start(), 0.8)
        if verb in SPEECH_PARTICIPLES:
            after_document = bool(before) and before[-1].lower() in DOCUMENT_NOUNS
            if not before or not (before[-1].endswith(",") or after_document):
                continue
            opening = _leading_name(sentence)
            if opening is None:
                continue
            return Attribution(opening, verb, "reported speech", 0, 0.65)
        role = ROLE_IN_BODY_RE.search(sentence, 0, match.start())
        if role is not None:
            kind = "direct quotation" if quoted else "reported speech"
            return Attribution(role.group("np"), verb, kind, role.start("np"), 0.8)
        found = speaker_before(sentence, match.start())
        if found is None:
            if before and before[-1].lower() in ANONYMOUS_HEADS:
                # "Business owners say": a collective too vague to be a source.
                vague = vague or Attribution(before[-1], verb, VAGUE, match.start(), 0.5)
            continue
        speaker, pronoun = found
        if speaker.lower() in ("i", "we"):
            continue
        if not pronoun and _is_anonymous(speaker):
            # "sources told Reuters": the outlet is the source; "many observers claim": none.
            outlet = OUTLET_AFTER_RE.match(sentence[match.end() :])
            if verb not in TOLD_OUTLET_VERBS or outlet is None:
                vague = vague or Attribution(speaker, verb, VAGUE, match.start(), 0.5)
                continue
            speaker = outlet.group("outlet")
        kind = "direct quotation" if quoted else "reported speech"
        confidence = (0.9 if quoted else 0.8) - (0.1 if pronoun else 0.0)
        source = speaker if pronoun else clean_source(speaker)
        return Attribution(source, verb, kind, match.start(), confidence, pronoun)
    return vague


def _document_finding(sentence: str) -> Attribution | None:
    verb = DOCUMENT_VERB_RE.search(sentence)
    if verb is None:
        return None  # cheap pre-check: the full pattern is costly to try at every position
    match = DOCUMENT_FINDING_RE.search(sentence)
    if match is None:
        return None
    phrase = match.group("np")
    source = clean_source(phrase)
    return Attribution(source, "document finding", "document", match.start(), 0.75)


def _vague_subject(sentence: str) -> Attribution | None:
    match = VAGUE_SUBJECT_RE.search(sentence)
    if match is None:
        return None
    return Attribution(match.group("np"), match.group("verb"), VAGUE, match.start("np"), 0.5)


def find_attribution(sentence: str) -> Attribution | None:
    """Return the attribution stated inside ``sentence``, or None."""
    found = _according(sentence)
    if found is not None:
        return found
    speech = _speech(sentence)
    if speech is not None and speech.kind != VAGUE:
        return speech
    document = _document_finding(sentence)
    if document is not None:
        return document
    vague = speech or _vague_subject(sentence)
    if vague is not None:
        return vague
    credit = CREDIT_RE.search(sentence)
    if credit is not None and credit.start() > 0:
        return Attribution(credit.group("np"), "credit line", "credit line", credit.start(), 0.75)
    via = VIA_RE.match(sentence)
    if via is not None:
        return Attribution(clean_source(via.group("np")), "via", "credit line", 0, 0.7)
    link = URL_RE.search(sentence)
    if link is not None:
        return Attribution(link.group("np"), "link", "link", link.start(), 0.6)
    return None
