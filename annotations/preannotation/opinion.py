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

from .lexicon import alternation, without_closing_marks

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
supposedly purportedly outright untenable unwinnable dire strange obvious inevitable
inevitably audacious ugly far-fetched facade narrative storyline coincidence complicit
blackmail one-sided endgame clincher illegally undeniable denial malignity hirelings
mercenary sabotage provocation provocations deceptive mantra puppet-masters
encouraging terrific wonderful excellent bargain deserves deserved deserve impressive
disappointing troubling worrying alarming misguided foolish sensible unwise overdue
"""
# Milder evaluative words: they colour a sentence but rarely carry it alone.
MILD_WORDS = """
dramatic dramatically massive massively huge significant outstanding interestingly ironically
strangely importantly significantly notably finally ostensibly easier desirable busy crushing
fading notion reality truth
"""
# Stance adverbs and set phrases: the author vouching for a conclusion.
STANCE_PHRASES = """
clearly|obviously|undeniably|undoubtedly|certainly|surely|evidently|plainly|naturally
|of course|no doubt|without (?:a )?doubt|make no mistake|needless to say|it is clear
|it is obvious|there is no question|no question|it is no secret|it is undeniable
|the fact is|the truth is|crystal clear|curiously
|tellingly|unsurprisingly|predictably|sadly|unfortunately|thankfully|fortunately
|rightfully|rightly|wrongly|mind you|to be sure|let alone|no less than|all too
|the bottom line|in reality|the fact of the matter|it is a matter of time|no alternative but
|one can detect|turns out to be|rings true|it will be interesting|the moment of truth
|difficult to see|hard to see|looks to be|looks like|looked like|by the looks of
|more and more apparent|frankly|honestly|to be fair|fair enough|in fairness
|it is high time|there is no doubt|beyond doubt|needless|it goes without saying
"""
# Speculation offered as a conclusion.
SPECULATION_PHRASES = """
it seems|seems to|seemingly|it appears|appears to|would seem|must have|must be|may well
|might well|could well|perhaps|presumably|conceivably|one wonders|i suspect|i wonder
|in all likelihood|it is likely|it is possible|probably
"""
# First-person stance.
FIRST_PERSON_RE = (
    r"\b(?:I|[Ww]e)\s+(?:really\s+|strongly\s+|do\s+|don’t\s+|don't\s+)?(?:think|believe|feel"
    r"|suspect|hope|fear|doubt|suppose|guess|reckon|argue|know|must|should|need|smell|mean"
    r"|agree|disagree)\b|\bI(?:(?:’|')d| would) (?:ask|urge|argue|say|like|want|rather|bet)\b"
    r"|\b[Ii]n (?:my|our) (?:view|opinion)\b|\bI(?:’|')m (?:sure|convinced"
    r"|puzzled|afraid)\b|\bit seems to me\b|\b[Ll]et(?:’|')s\b|\b[Ll]et us\b"
)
IMPERATIVE_OPENERS_RE = (
    r"^(?:Let’s|Let's|Let us|Imagine|Consider|Look at|Remember|Don’t|Don't|Do not|Stop|"
    r"Wake up|Share this|Think about|Ask yourself|Gather|Go now|Read|Watch|Make no mistake"
    # Bare commands to the reader: "Tell that to …", "Show up on Monday", "Bring a friend".
    r"|Tell|Show up|Bring|Tear|Keep|Give|Take|Call|Write to|Vote|Join|Go|Come|Ask|Try"
    r"|Demand|Sign|Visit|Forget|Ignore|Picture|Speak up|Get involved)\b"
    # Any verb over the reader's own things: "Check your statements", "Change your password".
    r"|^(?!(?:All|Both|Half|Most|Some|Many|Each|Is|Are|Was|Were|Has|Have|Had|Did|Does|Do|Will"
    r"|Can|Could|Should|Would|May|Might|Must|If|When|Where|Whether|As|At|In|On|For|From|With"
    r"|Of|By|To|And|But|Or|So|Once|Unless|After|Before|Since|Until|While|Only|Even|Not|Thank"
    r"|Thanks|Like|Unlike|About|Without|Within|Despite|Against|Among|Through)\b)"
    r"[A-Z][a-z]+\s+(?:your|yourself)\b"
)
INTENSIFIERS = """
very extremely utterly totally absolutely simply really truly deeply incredibly hugely
vastly indeed actually merely
"""

WEIGHTS = {
    "loaded": 1.0,
    "stance": 1.0,
    "speculation": 1.0,
    "first_person": 1.0,
    "call": 0.6,
    "mild": 0.5,
    "prediction": 0.5,
    "person": 0.5,
    "intensifier": 0.4,
}
REASONS = {
    "loaded": "loaded wording",
    "stance": "stance marker",
    "speculation": "speculation",
    "first_person": "first-person stance",
    "call": "call to action",
    "mild": "evaluative wording",
    "prediction": "prediction",
    "person": "first person",
    "intensifier": "intensifier",
}


def _alternation(table: str) -> str:
    entries = [entry.strip() for entry in re.split(r"[|\n]", table)]
    return alternation({e for e in entries if e})


# Single words are looked up in sets (fast); phrases are tried only where a word that can
# open one stands, so the cost stays linear in the number of words.
WORD_KINDS: dict[str, str] = {}
for _kind, _table in (
    ("intensifier", INTENSIFIERS),
    ("mild", MILD_WORDS),
    ("loaded", LOADED_WORDS),
):
    WORD_KINDS.update(dict.fromkeys(_table.lower().split(), _kind))
WORD_KINDS.update(dict.fromkeys(("will", "would", "may", "might", "could"), "prediction"))
WORD_KINDS.update(dict.fromkeys(("must", "should"), "call"))
FIRST_PERSON_SUBJECT = frozenset({"I"})
PERSON_WORDS = frozenset({"we", "We", "our", "Our", "my", "My", "me"})
CONDITIONAL_OPENERS = frozenset({"If", "Unless", "Once", "Whenever"})
PHRASE_RE = re.compile(
    rf"(?P<first_person>{FIRST_PERSON_RE})"
    rf"|(?i:(?P<stance>{_alternation(STANCE_PHRASES)})\b)"
    rf"|(?i:(?P<speculation>{_alternation(SPECULATION_PHRASES)})\b)"
    r"|(?i:(?P<call>ought to|needs? to|have to)\b)"
)
PHRASE_OPENERS = frozenset(
    entry.split()[0].lower()
    for table in (STANCE_PHRASES, SPECULATION_PHRASES)
    for entry in re.split(r"[|\n]", table)
    if entry.strip()
) | {"i", "i’d", "i'd", "we", "in", "it", "let", "ought", "need", "needs", "have"}
WORD_RE = re.compile(r"[\w’'-]+")
IMPERATIVE_RE = re.compile(IMPERATIVE_OPENERS_RE)
QUOTED_RE = re.compile(r"“[^”]*”?|\"[^\"]*\"?|‘.*?(?:’(?![^\W\d_])|$)")


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
    if "“" not in text and '"' not in text and "‘" not in text:
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
    seen_person = False
    phrase_end = 0
    for word in WORD_RE.finditer(own):
        token = word.group(0)
        lowered = token.lower()
        if word.start() < phrase_end:
            continue
        kind = ""
        shown = token
        if lowered in PHRASE_OPENERS:
            phrase = PHRASE_RE.match(own, word.start())
            if phrase is not None and phrase.lastgroup:
                kind, shown, phrase_end = phrase.lastgroup, phrase.group(0), phrase.end()
        if not kind:
            kind = WORD_KINDS.get(lowered, "")
            if kind == "prediction" and not token.islower():
                kind = ""  # "May 1" is a date, not a modal
        if not kind and token in FIRST_PERSON_SUBJECT:
            # The writer's own voice ("I spent 19 years teaching"): experience and views
            # nobody else can be asked about.
            kind, seen_person = "first_person", True
        if not kind and token in PERSON_WORDS and not seen_person:
            kind, seen_person = "person", True
        if kind:
            score += WEIGHTS[kind]
            cues.append(f"{REASONS[kind]} '{shown.strip()}'")
    first = own.lstrip().split(" ", 1)[0]
    if first in CONDITIONAL_OPENERS:
        score += WEIGHTS["prediction"]
        cues.append(f"{REASONS['prediction']} '{first}'")
    if whole_sentence:
        stripped = without_closing_marks(own)
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
