"""Opinion cues: the author's own stance, as opposed to reported or checkable content.

Each cue family is a table with a weight. A sentence whose cues (outside quotation marks)
add up to ``OPINION_THRESHOLD`` is an opinion. Weights say how sure a cue is on its own:
loaded words and first-person stance decide alone, hedges and intensifiers need company.
"""

# Typographic quotes and dashes are what this text engine reads, so they are meant here.
# ruff: noqa: RUF001

from __future__ import annotations

import re
from dataclasses import dataclass

OPINION_THRESHOLD = 1.0

# Evaluative and loaded wording: a writer judging, not reporting.
LOADED_WORDS = """
bombshell craven nefarious horrific horrifying ghastly dastardly cowardly heinous atrocious
outrageous shameful shameless disgraceful despicable vile sinister shadowy evil wicked
wickedness brutal brutality barbaric monstrous appalling abhorrent disgusting absurd
ridiculous ludicrous preposterous laughable pathetic idiotic stupid dim-witted moronic
hypocritical hypocrisy duplicity duplicitous deceit deceitful treacherous liar liars lies
propaganda propagandists so-called puppet puppets stooges imperialist imperialists
imperialistic hegemonic warmongers warmongering illegitimate notorious infamous heroic
bravely valiant glorious spectacular extraordinary remarkable stunning shocking staggering
scandalous parroting parroted screams tatters blatant blatantly egregious flagrant filth
rotten disastrous catastrophic quagmire farce charade sham racist racism fanatics thugs
cronies lackeys mouthpiece fearmongering hysteria hysterical delusional reckless
disingenuous cynical cynically dubious laughably infamously conveniently falsely
supposedly purportedly outright untenable unwinnable dire
"""
# Stance adverbs and set phrases: the author vouching for a conclusion.
STANCE_PHRASES = """
clearly|obviously|undeniably|undoubtedly|certainly|surely|evidently|plainly|naturally
|of course|no doubt|without (?:a )?doubt|make no mistake|needless to say|it is clear
|it is obvious|there is no question|no question|it is no secret|it is undeniable
|the fact is|the truth is|crystal clear|interestingly|ironically|strangely|curiously
|tellingly|unsurprisingly|predictably|sadly|unfortunately|thankfully|fortunately
|rightfully|rightly|wrongly|mind you|to be sure|let alone|no less than|all too
"""
# Speculation offered as a conclusion.
SPECULATION_PHRASES = """
it seems|seems to|seemingly|it appears|appears to|would seem|must have|must be|may well
|might well|could well|perhaps|presumably|conceivably|one wonders|i suspect|i wonder
|in all likelihood|it is likely|it is possible
"""
# First-person stance.
FIRST_PERSON_RE = (
    r"\b(?:I|[Ww]e)\s+(?:really\s+|strongly\s+|do\s+|don’t\s+|don't\s+)?(?:think|believe|feel"
    r"|suspect|hope|fear|doubt|suppose|guess|reckon|argue|know|must|should|need|smell|mean"
    r"|agree|disagree)\b|\b[Ii]n (?:my|our) (?:view|opinion)\b|\bI(?:’|')m (?:sure|convinced"
    r"|puzzled|afraid)\b|\bit seems to me\b|\b[Ll]et(?:’|')s\b|\b[Ll]et us\b"
)
FIRST_PERSON_PLAIN_RE = r"\b(?:I|[Ww]e|[Oo]ur|[Mm]y|[Mm]e)\b"
# Obligations and calls to action.
CALL_RE = r"\b(?:must|should|ought to|needs? to|have to)\b"
IMPERATIVE_OPENERS_RE = (
    r"^(?:Let’s|Let's|Let us|Imagine|Consider|Look at|Remember|Don’t|Don't|Do not|Stop|"
    r"Wake up|Share this|Think about|Ask yourself|Gather|Go now|Read|Watch|Make no mistake)\b"
)
INTENSIFIERS = """
very|extremely|utterly|totally|absolutely|simply|really|truly|deeply|incredibly|hugely
|massively|vastly|indeed|actually|merely|just happens|even say
"""

WEIGHTS = {
    "loaded": 1.0,
    "stance": 1.0,
    "speculation": 1.0,
    "first_person": 1.0,
    "call": 0.6,
    "person": 0.5,
    "intensifier": 0.4,
}
REASONS = {
    "loaded": "loaded wording",
    "stance": "stance marker",
    "speculation": "speculation",
    "first_person": "first-person stance",
    "call": "call to action",
    "person": "first person",
    "intensifier": "intensifier",
}


def _alternation(table: str) -> str:
    entries = [entry.strip() for entry in re.split(r"[|\n]", table)]
    return "|".join(sorted({e for e in entries if e}, key=len, reverse=True))


_LOADED = "|".join(sorted(set(LOADED_WORDS.split()), key=len, reverse=True))
CUE_RE = re.compile(
    rf"(?P<first_person>{FIRST_PERSON_RE})"
    rf"|(?i:\b(?P<loaded>{_LOADED})\b)"
    rf"|(?i:\b(?P<stance>{_alternation(STANCE_PHRASES)})\b)"
    rf"|(?i:\b(?P<speculation>{_alternation(SPECULATION_PHRASES)})\b)"
    rf"|(?P<person>{FIRST_PERSON_PLAIN_RE})"
    rf"|(?P<call>{CALL_RE})"
    rf"|(?i:\b(?P<intensifier>{_alternation(INTENSIFIERS)})\b)"
)
IMPERATIVE_RE = re.compile(IMPERATIVE_OPENERS_RE)
QUOTED_RE = re.compile(r"“[^”]*”?|\"[^\"]*\"?")


@dataclass(frozen=True, slots=True)
class OpinionCues:
    """The opinion cues found in a stretch of text."""

    score: float
    cues: tuple[str, ...]

    def reason(self) -> str:
        """A short reason naming the strongest cues."""
        return "opinion: " + ", ".join(self.cues[:3])


def unquoted(text: str) -> str:
    """``text`` with double-quoted stretches blanked (same length, so offsets still hold)."""
    if "“" not in text and '"' not in text:
        return text
    return QUOTED_RE.sub(lambda match: " " * len(match.group(0)), text)


def opinion_cues(text: str, *, whole_sentence: bool = True) -> OpinionCues:
    """Score the author's stance in ``text``; quoted words are someone else's and don't count.

    ``whole_sentence`` adds the sentence-level cues: a rhetorical question, an exclamation,
    an imperative opening.
    """
    own = unquoted(text)
    score = 0.0
    cues: list[str] = []
    seen_plain_person = False
    for match in CUE_RE.finditer(own):
        kind = match.lastgroup or ""
        if kind == "person":
            if seen_plain_person:
                continue
            seen_plain_person = True
        score += WEIGHTS[kind]
        cues.append(f"{REASONS[kind]} '{match.group(0).strip()}'")
    if whole_sentence:
        stripped = own.rstrip(" ”’\"')")
        if stripped.endswith("?"):
            score += 1.0
            cues.insert(0, "rhetorical question")
        elif stripped.endswith("!"):
            score += 0.5
            cues.append("exclamation")
        if IMPERATIVE_RE.match(own.lstrip()):
            score += 1.0
            cues.insert(0, "imperative")
    return OpinionCues(score, tuple(cues))
