"""Line classifiers for page structure: bylines, dates, captions, boilerplate, titles.

Each classifier looks at one stripped line. The cue tables are module constants so a reviewer
can read (and extend) what counts as a byline or as page chrome without reading the control
flow in ``structure.py``.
"""

# Typographic quotes and dashes are what this text engine reads, so they are meant here.
# ruff: noqa: RUF001, RUF002, RUF003

from __future__ import annotations

import re
from collections.abc import Mapping

from .lexicon import MONTH_NAMES, WEEKDAY_NAMES, words

# Printed month abbreviations: the first three letters ("May" has none), and "Sept" too.
_MONTH_ABBREVIATIONS = [name[:3] for name in MONTH_NAMES if len(name) > 3]
_MONTH_ABBREVIATIONS.insert(_MONTH_ABBREVIATIONS.index("Sep"), "Sept")
MONTHS = "|".join((*MONTH_NAMES, *_MONTH_ABBREVIATIONS))
_MONTH_NAMES = [name.lower() for name in MONTH_NAMES]
_MONTH_NUMBER = {name[:length]: n for n, name in enumerate(_MONTH_NAMES, 1) for length in (3, 4)}
_MONTH_NUMBER.update({name: n for n, name in enumerate(_MONTH_NAMES, 1)})
_WEEKDAY_STEMS = "|".join(name.removesuffix("day") for name in WEEKDAY_NAMES)
_WEEKDAY = rf"(?:(?:{_WEEKDAY_STEMS})day,?\s+)?"
# A calendar date in the shapes newsrooms print: "March 28, 2024", "3 October 2023",
# "28.01.2024", "2024-01-28", "01/28/2024".
DATE_PATTERN = (
    rf"{_WEEKDAY}(?:(?P<m1>{MONTHS})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{MONTHS})\.?,?\s+(?P<y2>\d{{4}})"
    r"|(?P<y3>\d{4})-(?P<m3>\d{1,2})-(?P<d3>\d{1,2})"
    r"|(?P<d4>\d{1,2})[./](?P<m4>\d{1,2})[./](?P<y4>\d{4}))"
)
DATE_RE = re.compile(DATE_PATTERN, re.IGNORECASE)
# A line that is only a date, possibly with a "Published" prefix and a clock time.
DATE_LINE_RE = re.compile(
    r"(?:(?:published|posted|updated|first published)(?:\s+on)?:?\s*)?"
    + DATE_PATTERN
    + r"(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}\s*(?:am|pm)?(?:\s+[A-Z]{2,4})?)?",
    re.IGNORECASE,
)
# Words a timestamp line may hold besides its date: "Updated 4:52 PM EDT, Thu October 16, 2025",
# "Published Sept. 3, 2025 at 6:00 a.m. ET", "April 14, 2025 at 9:12 am".
TIMESTAMP_WORDS_RE = re.compile(
    r"\b(?:(?:first|last)\s+)?(?:published|posted|updated|modified|edited)(?:\s+on)?\b:?"
    r"|\b(?:at|on)\b|\d{1,2}[:.]\d{2}(?:\s*[ap]\.?\s?m\b\.?)?|\b[ap]\.?m\b\.?"
    r"|\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day)?\b\.?",
    re.IGNORECASE,
)
# A relative timestamp on a running page: "Updated 3 minutes ago", "2 hours ago", "Just now".
RELATIVE_TIME_RE = re.compile(
    r"(?:(?:last\s+)?(?:updated|posted|published|modified)\s*:?\s+)?(?:(?:\d+|an?|one|a few)"
    r"\s+(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?)\s+ago|just now)",
    re.IGNORECASE,
)
TIME_ZONE_RE = re.compile(r"\b(?:[ECMPA][SD]?T|UTC|GMT|BST|CES?T|IST|AES?T)\b")
TIMESTAMP_LEFTOVER_RE = re.compile(r"[\s,|·•–—:()-]+")
MAX_TIMESTAMP_CHARS = 80
# A dateline opening a story: "SEATTLE, March 3, 2025 /PRNewswire/ —", "LONDON, 3 May 2024
# (Reuters) -", "PARIS (AFP) —". The place is in capitals; a wire or agency may follow.
DATELINE_RE = re.compile(
    r"(?P<place>[A-Z][A-Z.'’-]+(?:\s+[A-Z][A-Z.'’-]+){0,3})(?:,\s+[A-Z][\w.]+)?"
    rf"(?:,\s+(?P<date>{DATE_PATTERN.replace('?P<', '?P<dl_')}))?"
    r"\s*(?:/(?P<wire>[^/\n]{2,40})/|\((?P<agency>[^()\n]{2,40})\))?\s*[—–-]{1,2}\s+"
)
# Production credits closing a wire story: "Reporting by X; Editing by Y",
# "Additional reporting by X in Paris", "Compiled by X".
CREDIT_LINE_RE = re.compile(
    r"(?:additional\s+)?(?:reporting|writing|editing|research|compiled|produced|edited"
    r"|fact-checking|graphics|photos|photographs|photography|illustrations?|video|written)(?:\s+and\s+\w+)?\s+by\s+"
    r"(?-i:(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}))[^\n]*",
    re.IGNORECASE,
)
MAX_CREDIT_LINE_CHARS = 300
# A reporter's contact line: "Contact Jo Bell at jbell@example.com", "Reach Jo Bell on X
# @jobell", "Jo Bell can be reached at 555-0100".
CONTACT_LINE_RE = re.compile(
    r"(?:(?i:contact|reach|email|e-mail|write to|follow)\s+"
    r"(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})\s+(?:at|on|via)\s+"
    r"|(?P<name2>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})\s+can be (?:reached|contacted)\s+"
    r"(?:at|on|via)\s+)[^\n]*(?:@|\d{3}[-.\s]?\d{4}|https?://|\.\w{2,4}\b)[^\n]*",
)
MAX_CONTACT_LINE_CHARS = 200
# A byline segment that counts comments ("5 Comments") is page chrome inside the byline.
COMMENT_COUNT_RE = re.compile(r"\d+\s+(?:comments?|responses?|replies)", re.IGNORECASE)
# "April 14, 2025 by Sam Roe": a date and an author in one byline segment.
DATE_BY_NAME_RE = re.compile(r"(?P<date>.+?)\s+by\s+(?P<name>.+)", re.IGNORECASE)
# Separators between the parts of a one-line byline: "A | B | C", "A – B – C".
BYLINE_SEPARATOR_RE = re.compile(r"\s+[|–—·•]\s+|\s+-\s+|\s*\|\s*")
BY_PREFIX_RE = re.compile(
    r"(?:(?:written|posted|published|reported|interview|interviewed|words|story|text)\s+)?by\s+",
    re.IGNORECASE,
)
# A label line whose name stands on the next line: "NEWS PROVIDED BY", "Written by:".
BY_LABEL_RE = re.compile(r"(?:[A-Za-z]+\s+){0,3}by:?", re.IGNORECASE)
MAX_BY_LABEL_CHARS = 30
# A role after the name in a "By" line: "By Jo Bell, health reporter", "By Jo Bell, Data team".
ROLE_SEGMENT_RE = re.compile(r"[A-Za-z][\w’'&-]*(?:\s+[\w’'&-]+){0,5}")
# A byline naming no person: "Staff report", "From staff reports", "By Wire Services",
# "Staff and agencies", "Editorial Board".
STAFF_BYLINE_RE = re.compile(
    r"(?:by\s+)?(?:from\s+)?(?:(?:the\s+)?(?:staff|wire|news|agency)(?:\s+and\s+(?:wire|agency))?"
    r"\s+(?:reports?|writers?|reporters?|services?|agencies)|staff and (?:agencies|wires)"
    r"|(?:the\s+)?editorial board|the editors)",
    re.IGNORECASE,
)
# A section label sitting on top of a headline: "OPINION", "Analysis", "WORLD NEWS".
KICKER_RE = re.compile(
    r"(?:[A-Z][A-Z&/-]+(?:\s+[A-Z][A-Z&/-]+){0,2}"
    r"|(?i:opinion|analysis|commentary|editorial|explainer|exclusive|breaking(?: news)?|live"
    r"|perspective|column|review|feature|letters?|obituary|fact check|guest column|op-ed)):?"
)
# A signature line closing an article: "— Paul Mansfield".
SIGNATURE_RE = re.compile(r"[—–-]{1,2}\s*(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})")
# A letter's or column's signature with a town or role: "— Jo Bell, Saltmouth",
# "— Dr. A. Ruiz, chair of governors, Hill School, Eastcliff". Only a typographic dash, and a
# name of two words at least, so a hyphen list item ("- Moscow, Russia") stays text.
PLACED_SIGNATURE_RE = re.compile(
    r"[—–]{1,2}\s*(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){1,4})"
    r"(?:,\s*[A-Za-z][\w.'’&-]*(?:\s+[\w.'’&-]+){0,5}){1,3}"
)
# Words allowed inside a name or outlet besides capitalised tokens.
NAME_CONNECTORS = frozenset({"of", "the", "and", "de", "da", "van", "von", "al", "bin", "&", "for"})
NAME_TOKEN_RE = re.compile(r"[A-Z0-9][\w.'’&-]*")
MAX_NAME_WORDS = 7

IMAGE_FILE_RE = re.compile(r"\S.{0,150}\.(?:png|jpe?g|gif|webp|svg|bmp|tiff?)", re.IGNORECASE)
# Caption labels at the start of a short line: "(Photo: SANA ...)", "Image produced by ...",
# "image-ISIS parading", "Screenshots: ...", "Credit: ...".
CAPTION_PREFIX_RE = re.compile(
    r"[(\[]?(?:photograph\s*:"
    r"|(?:file\s+|(?:image|photo|picture|video)\s+)?(?:photo|image|picture|screenshot|map|graphic|illustration|video|caption"
    r"|credit|featured image|pictured)s?(?:\s*[:\-–—|]|\s+(?:by|credit|produced|courtesy|shows"
    r"|above|below|via|source)\b))",
    re.IGNORECASE,
)
PHOTO_CREDIT_RE = re.compile(
    r"(?:\w+\s?/\s?)?(?:Getty Images|AFP|AP Photo|Reuters|EPA|Shutterstock)\b.{0,60}"
)
# A photo credit closing a caption line: "... in March. (Jo Bell/The Courier)",
# "... on Saturday. (Photo: Jo Bell / The Sentinel)", "(AP Photo/Jo Bell)".
CAPTION_CREDIT_TAIL_RE = re.compile(
    r"[.!?”\"’]\s*[(\[](?:(?:photo(?:graph)?|image|picture|credit|illustration|video|graphic"
    r"|file photo|photo credit)s?(?:\s+by)?\s*:?\s*[^()\[\]]{2,80}"
    r"|[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}\s?/\s?[A-Z][^()\[\]/]{1,60})[)\]]\.?$",
    re.IGNORECASE,
)
MAX_CAPTION_CHARS = 300

# Page chrome, newsletter and privacy notices, share buttons, lists' headers. Matched with
# ``search`` on short lines only, so a body sentence mentioning a newsletter stays body.
BOILERPLATE_RE = re.compile(
    r"^(?:menu(?:\s+close)?|close|search(?:\s*(?:…|\.{3}))?|home|skip to (?:main )?content"
    r"|toggle navigation|share|share this|tweet|(?:your\s+)?e-?mail(?: address)?\*?:?|print"
    r"|advertisement|sponsored|loading\.*|latest news:?"
    r"|related(?: posts| articles| stories| news)?:?|more stories|trending|popular posts"
    r"|you (?:may|might) also like:?|recommended(?: for you)?:?|tags?:.*|categor(?:y|ies):.*"
    r"|filed under:?.*|previous (?:post|article)|next (?:post|article)|back to top)$"
    r"|newsletter|subscribe|unsubscribe|sign up|log in|gdpr|cookies?\b|privacy policy"
    r"|terms of (?:use|service)|all rights reserved|copyright|©|please try again"
    r"|error while trying|click here|follow us|donate|support us|share (?:this|on)"
    r"|(?:facebook|twitter|whatsapp|linkedin|pinterest|reddit)(?:\s+\w+)?$"
    # Newsletter and e-mail footers.
    r"|receiving this (?:e-?mail|newsletter|message)|signed up for|manage (?:your )?preferences"
    r"|view (?:this e-?mail )?in (?:your|a) browser|forwarded this e-?mail"
    r"|\b(?:in|to) your inbox\b"
    # Comment and reply forms.
    r"|your e-?mail address will not be published|required fields are marked|^post comment$"
    r"|^cancel reply$|notify me of (?:new|follow-up)|^log in to (?:reply|comment)"
    # Cookie banners and site footers.
    r"|^accept(?: all)?(?: cookies)?$|^learn more$|powered by \w+"
    # Pointers to more material: "More photos at ...", "Box score, B6".
    r"|^(?:more|see more|view more|all) (?:photos|pictures|videos|stories|coverage)\b"
    r"|\bphoto gallery\b|^box score\b"
    # Disclaimers under letters and columns.
    r"|\brepresents? the views? of\b|\bviews expressed\b|\bnot necessarily (?:reflect|represent)"
    # Press-release furniture: the wire's "SOURCE Company" line and contact headings.
    r"|^SOURCE\s+[A-Z]|^(?:media|press|investor|news)\s+(?:contacts?|enquiries|inquiries):?$"
    r"|^contacts?:?$|^#{3}$|^-30-$",
    re.IGNORECASE,
)
MAX_BOILERPLATE_CHARS = 200
# Navigation by shape: three or more short items between bars or bullets ("Home | News |
# Sport"), or two when one is a menu word ("More letters | Submit a letter").
MENU_SEPARATOR_RE = re.compile(r"\s+[|•·]\s+|\s*\|\s*")
MENU_WORDS = words(
    """home menu more submit subscribe sign log login share follow contact next previous back
    read view see all about search"""
)
MAX_MENU_ITEM_WORDS = 3
MAX_MENU_ITEM_CHARS = 25
# A line that is only an address to reach someone: an e-mail, a web address, a phone number.
CONTACT_ONLY_RE = re.compile(
    r"(?:e-?mail|tel|phone|web|website)?:?\s*(?:[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?:https?://|www\.)\S+|\+?[\d(][\d ()./-]{6,}\d)",
    re.IGNORECASE,
)
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A note inviting readers to write in: "Write to us at …", "Email us at …", "Got a tip? Email …".
CONTACT_INVITE_RE = re.compile(
    r"(?:^|[.?!]\s+)(?:write to us|e-?mail us|contact us|get in touch|send (?:us|your)|tell us"
    r"|e-?mail\s+[\w.+-]+@)",
    re.IGNORECASE,
)
MAX_CONTACT_NOTE_CHARS = 400
# A press release's closing "About Company" section heading.
ABOUT_HEADING_RE = re.compile(r"About\s+(?P<name>[A-Z][^\n]{1,60})")
# An editor's note closing an article: "This interview has been edited for length and clarity."
EDITOR_NOTE_RE = re.compile(
    r"(?:this|the)\s+(?:interview|conversation|transcript|q&a|article|story|piece)\s+(?:has been"
    r"|was|is)\s+(?:lightly\s+)?(?:edited|condensed|updated|amended|corrected)\b[^\n]{0,120}",
    re.IGNORECASE,
)
# Headers over a list of links to other stories; the headlines under them are page chrome.
LINK_LIST_HEADER_RE = re.compile(
    r"(?:related(?: posts| articles| stories| news| coverage)?|more (?:stories|news)"
    r"|read (?:more|next)|recommended(?: for you| reading)?|you (?:may|might) also like"
    r"|trending(?: now)?|popular(?: posts| stories)?|most (?:read|popular|viewed)|latest news"
    r"|what to read next|further reading|see also):?",
    re.IGNORECASE,
)
# Lines that open a reader-comment section.
COMMENT_HEADER_RE = re.compile(
    r"(?:\d+\s+)?(?:comments?|responses?|replies|reader comments|discussion"
    r"|leave a (?:reply|comment)|join the discussion|what do you think\??)(?:\s*\(\d+\))?:?",
    re.IGNORECASE,
)
# An author bio closing an article: "Jane Roe is a Berlin-based journalist ...".
AUTHOR_BIO_RE = re.compile(
    r"(?P<name>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})\s+is\s+(?:an?|the)\s+[^.]{0,160}?"
    r"\b(?:analyst|journalist|writer|author|editor|correspondent|researcher|commentator"
    r"|columnist|reporter|contributor|professor|blogger|fellow|lecturer|historian)\b.{0,200}"
)
# The opening of a closing author bio: "Jo Bell is a retired teacher ...", "Bell writes about".
BIO_OPENING_RE = re.compile(
    r"(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})\s+(?:is|was|has been|writes|covers"
    r"|reports|teaches|edits|lives|worked|served|spent)\b"
)
MAX_BIO_CHARS = 400
# A section label before a headline: "Library Notes: Branch reopens", "In Brief: ...".
SECTION_KICKER_RE = re.compile(r"[A-Z][\w’'&-]*(?:\s+[A-Z][\w’'&-]*){0,2}:\s+\S")
MAX_TITLE_CHARS = 220
SENTENCE_INSIDE_RE = re.compile(r"[a-z]{2}[.!?] [A-Z][a-z]")
MAX_TITLE_WORDS = 30
SENTENCE_END_RE = re.compile(r"[.!?](?:\s|$)")


def is_blank(line: str) -> bool:
    """True for an empty or whitespace-only line."""
    return not line or line.isspace()


def parse_date(text: str) -> str | None:
    """Return the first date in ``text`` as ISO ``YYYY-MM-DD`` (or as written if odd)."""
    match = DATE_RE.search(text)
    if match is None:
        return None
    groups = match.groupdict()
    for n in "1234":
        if groups[f"y{n}"]:
            month_text = groups[f"m{n}"]
            month = int(month_text) if month_text.isdigit() else _MONTH_NUMBER[month_text.lower()]
            day = int(groups[f"d{n}"])
            if 1 <= month <= 12 and 1 <= day <= 31:
                return f"{int(groups[f'y{n}']):04d}-{month:02d}-{day:02d}"
    return match.group(0)


def parse_dateline(line: str) -> tuple[int, dict[str, str]] | None:
    """Return (end of the dateline, its date and wire as metadata) for a story's first line."""
    if not line[:2].isupper():
        return None  # a dateline opens with a place in capitals
    match = DATELINE_RE.match(line)
    if match is None or not (match.group("date") or match.group("wire") or match.group("agency")):
        return None
    meta: dict[str, str] = {}
    if match.group("date"):
        meta["published"] = parse_date(match.group("date")) or match.group("date")
    outlet = match.group("wire") or match.group("agency")
    if outlet:
        meta["outlet"] = outlet.strip()
    return match.end(), meta


def is_date_line(line: str) -> bool:
    """True when the stripped line is only a date or timestamp (a dateline under a byline).

    Besides the date it may hold publish/update words, a clock time, a weekday and a time
    zone, in any order: "Updated 4:52 PM EDT, Thu October 16, 2025".
    """
    if len(line) > MAX_TIMESTAMP_CHARS:
        return False
    if DATE_LINE_RE.fullmatch(line) is not None or RELATIVE_TIME_RE.fullmatch(line) is not None:
        return True
    match = DATE_RE.search(line)
    if match is None:
        return False
    rest = line[: match.start()] + " " + line[match.end() :]
    rest = TIME_ZONE_RE.sub(" ", TIMESTAMP_WORDS_RE.sub(" ", rest))
    return not TIMESTAMP_LEFTOVER_RE.sub("", rest)


def parse_credit_line(line: str) -> dict[str, str] | None:
    """Parse a production credit ("Reporting by X; Editing by Y") or a reporter's contact line."""
    if len(line) <= MAX_CREDIT_LINE_CHARS:
        credit = CREDIT_LINE_RE.fullmatch(line)
        if credit is not None:
            return {"author": credit.group("name")}
    if len(line) <= MAX_CONTACT_LINE_CHARS:
        contact = CONTACT_LINE_RE.fullmatch(line)
        if contact is not None:
            return {"author": contact.group("name") or contact.group("name2")}
    return None


def is_staff_byline(line: str) -> bool:
    """True for a byline that names no person: "Staff report", "From wire reports"."""
    return len(line) <= 40 and STAFF_BYLINE_RE.fullmatch(line) is not None


def is_kicker(line: str) -> bool:
    """True for a section label over a headline: "OPINION", "Analysis:", "WORLD NEWS"."""
    return len(line) <= 30 and KICKER_RE.fullmatch(line) is not None


def is_link_list_header(line: str) -> bool:
    """True for the header of a list of links to other stories ("Related stories")."""
    return len(line) <= 40 and LINK_LIST_HEADER_RE.fullmatch(line) is not None


def is_name_like(segment: str) -> bool:
    """True for a short run of capitalised words: a person's name or an outlet."""
    words = segment.split()
    if not words or len(words) > MAX_NAME_WORDS:
        return False
    has_name = False
    for word in words:
        if NAME_TOKEN_RE.fullmatch(word):
            has_name = True
        elif word.lower() not in NAME_CONNECTORS:
            return False
    return has_name


def _looks_like_outlet(name: str) -> bool:
    # "The Cradle", "Sputnik", "INDIAN PUNCHLINE" are outlets; two or three capitalised
    # words without an article ("John Miles") are read as a person.
    words = name.split()
    return words[0].lower() == "the" or len(words) == 1 or name.isupper()


def parse_byline(line: str) -> dict[str, str] | None:
    """Parse a one-line byline; return its author/outlet/published, or None if it isn't one.

    Accepted shapes: "By NAME [| OUTLET] [| DATE]" with any of | – — - as separators,
    "OUTLET | DATE", "NAME, OUTLET", "— NAME" (a closing signature) and "Posted on DATE".
    """
    if len(line) > 400:
        return None
    if is_staff_byline(line):
        return {"author": line}
    bio = AUTHOR_BIO_RE.fullmatch(line)
    if bio is not None:
        return {"author": bio.group("name")}
    if len(line) > 150:
        return None
    if RELATIVE_TIME_RE.fullmatch(line):
        return {"updated": line}
    if is_date_line(line):
        published = parse_date(line)
        return {"published": published} if published else None
    credit = parse_credit_line(line)
    if credit is not None:
        return credit
    if EDITOR_NOTE_RE.fullmatch(line):
        return {"_closing": "1"}
    signature = SIGNATURE_RE.fullmatch(line) or PLACED_SIGNATURE_RE.fullmatch(line)
    if signature is not None:
        return {"author": signature.group("name"), "_signature": "1"}
    by_prefix = BY_PREFIX_RE.match(line)
    rest = line[by_prefix.end() :] if by_prefix else line
    segments = [part.strip(" ,") for part in BYLINE_SEPARATOR_RE.split(rest) if part.strip(" ,")]
    if not segments:
        return None
    meta: dict[str, str] = {}
    names: list[str] = []
    for segment in segments:
        dated = DATE_BY_NAME_RE.fullmatch(segment)
        if COMMENT_COUNT_RE.fullmatch(segment):
            continue  # "| 5 Comments" after a byline is a link to the comments
        if "published" not in meta and is_date_line(segment):
            meta["published"] = parse_date(segment) or segment
        elif dated and is_date_line(dated.group("date")) and is_name_like(dated.group("name")):
            # "Posted on April 14, 2025 by Sam Roe"
            meta.setdefault("published", parse_date(dated.group("date")) or dated.group("date"))
            names.append(dated.group("name").strip())
            by_prefix = by_prefix or dated
        elif is_name_like(segment.replace(",", " ")):
            names.extend(part.strip() for part in segment.split(",") if part.strip())
        elif by_prefix is not None and not names and _name_with_role(segment):
            names.append(segment.split(",", 1)[0].strip())  # "By Jo Bell, health reporter"
        else:
            return None
    # Without "By", only a dated line is a byline: "Syria - Latest News" is a headline.
    if not names or (by_prefix is None and "published" not in meta):
        return None
    if by_prefix is None and len(names) == 1 and _looks_like_outlet(names[0]):
        meta["outlet"] = names[0]
    else:
        meta["author"] = names[0]
        if len(names) > 1:
            meta["outlet"] = names[1]
    return meta


def _name_with_role(segment: str) -> bool:
    """True for "Jo Bell, Data team": a name, a comma and a short role description."""
    name, comma, role = segment.partition(",")
    return (
        bool(comma)
        and is_name_like(name)
        and len(name.split()) >= 2
        and ROLE_SEGMENT_RE.fullmatch(role.strip()) is not None
    )


def parse_by_label(line: str, following: str) -> dict[str, str] | None:
    """Parse a "NEWS PROVIDED BY" label over a line holding only the name."""
    if len(line) > MAX_BY_LABEL_CHARS or BY_LABEL_RE.fullmatch(line) is None:
        return None
    name = following.strip()
    if not is_name_like(name):
        return None
    return {"outlet": name} if _looks_like_outlet(name) else {"author": name}


def is_menu_line(line: str) -> bool:
    """True for a navigation line: short items between bars or bullets ("Home | News")."""
    if len(line) > MAX_BOILERPLATE_CHARS or not any(mark in line for mark in "|•·"):
        return False
    items = [item.strip() for item in MENU_SEPARATOR_RE.split(line)]
    if len(items) < 2 or not all(items):
        return False
    if any(
        len(item.split()) > MAX_MENU_ITEM_WORDS
        or len(item) > MAX_MENU_ITEM_CHARS
        or item[-1] in ".!?,;"
        for item in items
    ):
        return False
    return len(items) >= 3 or any(item.split()[0].lower() in MENU_WORDS for item in items)


def is_contact_line(line: str) -> bool:
    """True for a line that is only an e-mail, a web address or a phone number."""
    return len(line) <= 80 and CONTACT_ONLY_RE.fullmatch(line) is not None


def is_contact_note(line: str) -> bool:
    """True for a note inviting readers to write in, with the address to write to."""
    return (
        len(line) <= MAX_CONTACT_NOTE_CHARS
        and "@" in line
        and EMAIL_RE.search(line) is not None
        and CONTACT_INVITE_RE.search(line) is not None
    )


def is_about_heading(line: str) -> bool:
    """True for a press release's "About Company" section heading."""
    match = ABOUT_HEADING_RE.fullmatch(line)
    return match is not None and is_name_like(match.group("name"))


def parse_name_outlet(line: str) -> dict[str, str] | None:
    """Parse "Claire Bernish, Antimedia": the first line of a two-line byline."""
    if len(line) > 80 or "," not in line:
        return None
    author, _, outlet = line.partition(",")
    if is_name_like(author) and is_name_like(outlet) and len(author.split()) >= 2:
        return {"author": author.strip(), "outlet": outlet.strip()}
    return None


def is_caption_line(line: str) -> bool:
    """True for an image file name or a short line labelled as a photo/map/credit caption."""
    if len(line) > MAX_CAPTION_CHARS:
        return False
    if is_image_file_line(line):
        return True
    if CAPTION_PREFIX_RE.match(line):
        return True
    if CAPTION_CREDIT_TAIL_RE.search(line):
        return True
    return PHOTO_CREDIT_RE.fullmatch(line) is not None


def is_image_file_line(line: str) -> bool:
    """True for a bare image file name such as "Screenshot 2018-11-10 hostages.png"."""
    return IMAGE_FILE_RE.fullmatch(line) is not None and len(line.split()) <= 8


def is_boilerplate_line(line: str) -> bool:
    """True for page chrome: menus, share buttons, newsletter and privacy notices."""
    return len(line) <= MAX_BOILERPLATE_CHARS and BOILERPLATE_RE.search(line) is not None


def is_comment_header(line: str) -> bool:
    """True for a line that opens a comment section ("12 Comments", "Leave a Reply")."""
    return len(line) <= 40 and COMMENT_HEADER_RE.fullmatch(line) is not None


def _headline_sized(line: str) -> bool:
    """True for a line no longer, in characters and in words, than a headline may be."""
    return len(line) <= MAX_TITLE_CHARS and len(line.split()) <= MAX_TITLE_WORDS


def _opens_like_headline(line: str) -> bool:
    """True for a line opening with a capital, a digit or a quotation mark."""
    first = line[0]
    return first.isupper() or first.isdigit() or first in "‘“\"'"


def is_title_like(line: str) -> bool:
    """True for a headline-shaped line: short, no closing full stop, starts with a capital."""
    if not _headline_sized(line):
        return False
    if line[-1] in ".,;:" or line.endswith((".”", '."', ".’")):
        return False
    if SENTENCE_INSIDE_RE.search(line):
        return False  # two sentences in a row are prose, whatever the last character
    return _opens_like_headline(line)


def is_headline_over_byline(line: str) -> bool:
    """True for a line short enough to be the headline sitting right on top of a byline.

    Looser than ``is_title_like``: opinion headlines are often whole sentences with full
    stops ("Opinion: Lock up the phones. Our kids will thank us.").
    """
    if not _headline_sized(line):
        return False
    if line.endswith((":", ",", ";")) or len(SENTENCE_END_RE.findall(line)) > 2:
        return False
    return _opens_like_headline(line)


def is_author_bio_of(line: str, author: str) -> bool:
    """True when ``line`` opens with the byline author's name (or surname) and a bio verb."""
    names = author.split()
    match = BIO_OPENING_RE.match(line)
    if match is None or not names:
        return False
    opening = match.group("name").lower()
    return opening in (author.lower(), names[-1].lower())


def merge_meta(*parts: Mapping[str, str] | None) -> dict[str, str]:
    """Merge metadata dicts, the first one to set a key wins; "_" keys are internal marks."""
    merged: dict[str, str] = {}
    for part in parts:
        for key, value in (part or {}).items():
            if not key.startswith("_"):
                merged.setdefault(key, value)
    return merged
