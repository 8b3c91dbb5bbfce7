"""Word tables shared by the rules, the helpers that build them, and a closing-mark check.

Tables are written as whitespace-separated words so they read like a glossary; ``words``
turns one into a frozenset for O(1) membership tests, ``alternation`` into a regex fragment.
"""

# Typographic quotes are what this text engine reads, so they are meant here.
# ruff: noqa: RUF001

from __future__ import annotations

from collections.abc import Iterable


def words(table: str) -> frozenset[str]:
    """Return the whitespace-separated entries of ``table`` as a frozenset."""
    return frozenset(table.split())


def alternation(entries: Iterable[str]) -> str:
    """Join ``entries`` into a regex alternation, longest first so no entry hides a longer one.

    The entries are put in as they are (no escaping): they are words or regex fragments.
    """
    return "|".join(sorted(entries, key=len, reverse=True))


# Closing quotes, parentheses and spaces that may follow a sentence's final mark.
CLOSING_MARKS = " ”’\"')"


def without_closing_marks(text: str) -> str:
    """``text`` without the closing quotes, parentheses and spaces after its final mark."""
    return text.rstrip(CLOSING_MARKS)


def is_question(text: str) -> bool:
    """True when ``text`` ends in a question mark, inside quotes or parentheses or not."""
    return without_closing_marks(text).endswith("?")


# Verbs that report speech or writing; "said Gerasimov", "the SVR noted".
SPEECH_VERBS = words(
    """said says say told tells stated states claimed claims announced announces reported
    reports confirmed confirms warned warns noted notes wrote writes added adds explained
    explains insisted insists argued argues alleged alleges revealed reveals disclosed
    discloses admitted admits acknowledged acknowledges declared declares asserted asserts
    affirmed affirms stressed stresses emphasized emphasises emphasised emphasizes
    indicated indicates recounted recounts proclaimed proclaims tweeted tweets denied denies
    urged urges testified concluded concludes accused accuses maintained maintains contended
    observed observes commented replied responded remarked recalled recalls estimated
    estimates highlighted highlights continued called calls reiterated reiterates condemned
    condemns criticized criticised threatened threatens determined discovered demanded
    demands recommends recommended expects forecasts forecast predicts predicted"""
)
# Participles that attach speech to the sentence's subject: "..., saying that ...".
SPEECH_PARTICIPLES = words(
    """saying adding claiming noting warning stating insisting arguing alleging explaining
    declaring stressing accusing telling"""
)
# Adverbs and auxiliaries allowed between a speaker and the verb: "Gerasimov further said".
SPEAKER_VERB_FILLERS = words(
    """has have had also further later previously recently repeatedly then now once even
    officially publicly reportedly separately subsequently earlier again already last
    this week yesterday today on monday tuesday wednesday thursday friday saturday sunday
    in an interview statement a the"""
)
# Lower-case nouns and adjectives that can head or modify a speaker: "a security source".
SPEAKER_NOUNS = words(
    """official officials spokesman spokeswoman spokesperson minister ministry source sources
    officer officers commander commanders analyst analysts expert experts researcher
    researchers report reports statement statements study survey agency intelligence
    government military army police president secretary ambassador envoy general director
    chief head leader leaders observers critics authorities media newspaper outlet channel
    embassy security senior top former local state new recent latest international
    community prosecutor prosecutors witness witnesses residents activists doctors
    scientists investigators journalist journalists correspondent monitor watchdog group
    committee council court judge lawyer attorney representative representatives member
    members politicians pundits commentators people staff spokesmen daily magazine
    investigation briefing document documents letter interview release memo poll data
    figures website broadcaster news agency anonymous unnamed iraqi defense defence
    foreign interior high-ranking deputy special presidential military's army's
    ministry's government's satellite television tv weekly company firm board team
    district department university hospital school union club league city county
    administration campaign party bank airline manufacturer retailer operator utility
    regulator authority commission agency's company's office offices bureau service
    governor mayor councillor councilor senator inspector coroner sheriff post posts"""
)
# Document nouns: for "a new Reuters report" the source is the name before them.
DOCUMENT_NOUNS = words(
    """report reports statement statements study survey analysis article investigation
    briefing document documents letter letters interview release memo poll data figures
    website broadcast footage video cable filing filings records record counts count form
    forms statistics census audit review findings results minutes estimate estimates
    transcript transcripts logs post posts"""
)
PRONOUN_SPEAKERS = words("he she they He She They")
# Words that look capitalised at a sentence start but never name a speaker.
NOT_SPEAKERS = words(
    """The This That These Those It Its There Here What Which Who Whom Whose When Where How
    Why If As But And Or So Yet Then Now Also Many Some Most All Both Each Few Several
    Others Other One I We You Our My Your Their His Her Nobody Everyone Someone Anyone
    Meanwhile However Thus Hence Still Later Earlier Today Yesterday Last Next Such"""
)
# Calendar names, in calendar order: date patterns and month numbers are read from them.
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_AND_DAY_NAMES = frozenset(MONTH_NAMES + WEEKDAY_NAMES)
# Speakers too vague to count as a source unless they spoke to a named outlet.
ANONYMOUS_HEADS = words(
    """source sources expert experts observer observers analyst analysts commentators people
    critics others backers officer officers insiders residents witnesses economists owners
    parents advocates fans teachers voters users consumers investors scholars academics
    skeptics sceptics opponents supporters proponents locals readers neighbors neighbours
    shoppers drivers riders commuters customers families patients workers employees"""
)
# Verbs of stance that, after a vague collective ("some parents worry"), report a view
# nobody can be asked about.
VAGUE_STANCE_VERBS = words(
    """worry worries worried fear fears feared agree agrees disagree disagrees doubt doubts
    believe believes think thinks contend contends complain complains complained"""
)
# Verbs by which a document or data set states a finding: "county records show".
DOCUMENT_VERBS = words(
    """show shows showed shown found find finds indicate indicates indicated suggest suggests
    suggested reveal reveals revealed list lists listed recommend recommends recommended
    conclude concludes concluded estimate estimates estimated identify identifies identified
    link links linked attribute attributes attributed cite cites cited name names named
    describe describes described document documents documented detail details detailed"""
)
DOCUMENT_VERB_ALTERNATION = alternation(DOCUMENT_VERBS)
# Cues that name the outlet an anonymous speaker talked to: "told Reuters".
TOLD_OUTLET_VERBS = words("told tells confirmed confirms recounted recounts said says")
