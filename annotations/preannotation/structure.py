"""Page structure: articles, titles, bylines, bodies, captions, comments and boilerplate.

The page is read line by line (a line is a paragraph in scraped text). Each line is classified
by the cue tables of ``layout``; then lines are grouped: an *anchored* article starts at a
headline followed by a byline (that is how a compilation page shows its articles), reader
comments start at the first block, after a wide gap, that reads like comments, and a run of
headlines after the last prose line is a "related stories" list. Zones inside an article
partition its lines; blank lines never start or end a zone.
"""

# Typographic quotes and dashes are what this text engine reads, so they are meant here.
# ruff: noqa: RUF001

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field

from . import layout
from .model import Zone, ZoneKind

BLANK, TEXT, BOILER, CAPTION, BYLINE, COMMENT = "blank", "text", "boiler", "caption", "byline", "c"

# Traces of comment sections in scraped pages: sentences glued without a space ("don't.No"),
# chat words, doubled punctuation. An article block rarely has two of these.
RUN_TOGETHER_RE = re.compile(r"[a-z]{2}[.!?:][A-Z]")
INFORMAL_RE = re.compile(
    r"\b(?:lol|lmao|yeah|yep|nope|imho|imo|btw|wtf|poster|commenter|my response|upvote)\b"
    r"|!!|\?\?|\.\.\.\.",
    re.IGNORECASE,
)
COMMENT_SCORE_THRESHOLD = 2
# Text that ends a prose paragraph; a trailing run of lines without it is a headline list.
PROSE_END = tuple('.!?"”’)»>')
# Longest line a chrome block may pull into page chrome (a tagline, a form label).
MAX_CHROME_LINE_CHARS = 100


@dataclass(slots=True)
class Line:
    """One line of the page, stripped, with its classification."""

    start: int
    end: int
    text: str
    kind: str
    meta: dict[str, str] = field(default_factory=dict)


def split_lines(text: str) -> list[Line]:
    """Split ``text`` on "\\n" into stripped lines with absolute offsets and kinds."""
    lines: list[Line] = []
    position = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        start = position + (len(raw) - len(raw.lstrip()))
        kind, meta = _classify(stripped)
        lines.append(Line(start, start + len(stripped), stripped, kind, meta))
        position += len(raw) + 1
    _join_two_line_bylines(lines)
    _mark_captions_under_images(lines)
    return lines


def _mark_captions_under_images(lines: list[Line]) -> None:
    # An image file name with a short line right under it (no blank between): that line is the
    # image's caption, whatever its wording.
    for first, second in itertools.pairwise(lines):
        if (
            first.kind == CAPTION
            and layout.is_image_file_line(first.text)
            and second.kind == TEXT
            and len(second.text) <= layout.MAX_CAPTION_CHARS
        ):
            second.kind = CAPTION


def _classify(line: str) -> tuple[str, dict[str, str]]:
    """Return the line's kind, and for a byline the metadata parsed from it."""
    if layout.is_blank(line):
        return BLANK, {}
    if layout.is_caption_line(line):
        return CAPTION, {}
    if (
        layout.is_boilerplate_line(line)
        or layout.is_contact_line(line)
        or layout.is_contact_note(line)
    ):
        return BOILER, {}
    byline = layout.parse_byline(line)
    if byline is not None:
        return BYLINE, byline
    if layout.is_menu_line(line):
        return BOILER, {}
    return TEXT, {}


def _is_timestamp(line: Line) -> bool:
    return line.kind == BYLINE and ("published" in line.meta or "updated" in line.meta)


def _is_name_list(text: str) -> bool:
    """True for "Jo Bell, Ana Ruiz and Sam Lee": two or more names of two to four words.

    One capitalised run alone could as well be a Title Case headline ("Dam Repairs Begin").
    """
    names = [part.strip() for part in re.split(r",|\band\b|&", text) if part.strip()]
    return len(names) >= 2 and all(
        2 <= len(name.split()) <= 4 and layout.is_name_like(name) for name in names
    )


def _join_two_line_bylines(lines: list[Line]) -> None:
    # "Claire Bernish, Antimedia" over "February 12, 2016" is one byline in two lines; so is
    # "Updated 3 minutes ago" over (or under) a bare list of authors' names.
    for first, second in itertools.pairwise(lines):
        if first.kind == TEXT and _is_timestamp(second):
            meta = layout.parse_name_outlet(first.text)
            if meta is None and _is_name_list(first.text):
                meta = {"author": first.text}
            if meta is not None:
                first.kind, first.meta = BYLINE, meta
        elif second.kind == TEXT and _is_timestamp(first) and _is_name_list(second.text):
            second.kind, second.meta = BYLINE, {"author": second.text, "_continued": "1"}
        elif first.kind == TEXT and second.kind == TEXT:
            # "NEWS PROVIDED BY" over "Acme Corp.": a label and the name it introduces.
            meta = layout.parse_by_label(first.text, second.text)
            if meta is not None:
                first.kind, first.meta = BYLINE, {**meta, "_by_label": "1"}
                second.kind, second.meta = BYLINE, {"_continued": "1"}


def _next_content(lines: list[Line], index: int, step: int) -> int | None:
    index += step
    while 0 <= index < len(lines):
        if lines[index].kind != BLANK:
            return index
        index += step
    return None


def _comment_score(lines: list[Line], seen: set[str]) -> int:
    score = 0
    for line in lines:
        if line.kind in (CAPTION, BYLINE):
            return 0  # images and bylines belong to articles
        score += len(RUN_TOGETHER_RE.findall(line.text)) + len(INFORMAL_RE.findall(line.text))
        key = line.text[:80]
        if line.kind == TEXT and len(key) >= 40:
            score += 2 if key in seen else 0
            seen.add(key)
    return score


def mark_comments(lines: list[Line]) -> None:
    """Mark reader comments: after a comment header, or from the first comment-like block.

    The header itself ("5 Comments", "Leave a Reply") is page chrome, not a comment.
    """
    blocks: list[list[Line]] = [[]]
    blanks = 0
    for line in lines:
        if line.kind == BLANK:
            blanks += 1
            continue
        if layout.is_comment_header(line.text):
            line.kind, line.meta = BOILER, {"comment_header": "1"}
        if blanks >= 2 and blocks[-1]:
            blocks.append([])
        blanks = 0
        blocks[-1].append(line)
    seen: set[str] = set()
    in_comments = False
    for number, block in enumerate(blocks):
        score = _comment_score(block, seen)
        if not in_comments and number > 0 and score >= COMMENT_SCORE_THRESHOLD:
            in_comments = True
        for line in block:
            in_comments = in_comments or "comment_header" in line.meta
            if in_comments and line.kind != BOILER:
                line.kind = COMMENT


def mark_headline_tail(lines: list[Line]) -> None:
    """Mark the trailing list of related headlines (after the last prose line) as boilerplate."""
    tail: list[Line] = []
    headlines = 0
    for line in reversed(lines):
        if line.kind == BLANK:
            continue
        if line.kind == BOILER:
            tail.append(line)
        elif line.kind == TEXT and layout.is_title_like(line.text):
            tail.append(line)
            headlines += 1
        else:
            break
    else:
        return  # no prose line at all: the page is all headlines, leave it to the article
    if headlines >= 2 or (headlines and len(tail) > headlines):
        for line in tail:
            line.kind = BOILER


def mark_link_lists(lines: list[Line]) -> None:
    """Mark the headlines listed under a "Related stories" header as boilerplate."""
    in_list = False
    for line in lines:
        if line.kind == BLANK:
            in_list = False
        elif line.kind == BOILER and layout.is_link_list_header(line.text):
            in_list = True
        elif in_list and line.kind == TEXT and layout.is_title_like(line.text):
            line.kind = BOILER
        else:
            in_list = False


def mark_chrome_blocks(lines: list[Line]) -> None:
    """Mark a block of short lines that is mostly page chrome as chrome throughout.

    A masthead ("Home | Politics | Donate" / a tagline / "Search…") or a sign-up box holds
    a few short lines between blank lines; when most of them are chrome, the rest (a site
    tagline, a form label) is too. Prose lines (ending in a full stop) are left alone.
    """
    block: list[Line] = []
    first_block = True
    for line in [*lines, Line(0, 0, "", BLANK)]:
        if line.kind != BLANK:
            block.append(line)
            continue
        chrome = sum(member.kind == BOILER for member in block)
        rest = [member for member in block if member.kind != BOILER]
        # At the top of the page, half is enough: a page heading over a notice ("Letters to
        # the Editor" over "Write to us at ...") is the page's masthead, not an article.
        needed = len(block) if first_block else len(block) + 1
        if block:
            first_block = False
        if (
            len(block) >= 2
            and chrome * 2 >= needed
            and all(
                member.kind == TEXT
                and len(member.text) <= MAX_CHROME_LINE_CHARS
                and not member.text.endswith(PROSE_END)
                for member in rest
            )
        ):
            for member in rest:
                member.kind = BOILER
        block = []


def mark_about_sections(lines: list[Line]) -> None:
    """Mark a press release's closing "About Company" heading and its paragraph as chrome."""
    seen_content = False
    for index, line in enumerate(lines):
        if line.kind == BLANK:
            continue
        starts_block = index == 0 or lines[index - 1].kind == BLANK
        if (
            seen_content
            and starts_block
            and line.kind == TEXT
            and layout.is_about_heading(line.text)
        ):
            following = index
            while following < len(lines) and lines[following].kind != BLANK:
                lines[following].kind = BOILER
                following += 1
        seen_content = seen_content or line.kind == TEXT


def _signed_item_starts(
    lines: list[Line], starts: list[tuple[int, list[int]]]
) -> list[tuple[int, list[int]]]:
    """On a page of signed items (a letters page), each signed block with a headline is an item.

    A signature ("— Jo Bell, Saltmouth") closes an item; the block of lines it ends opens with
    the item's headline. One signature is a column's sign-off, so two at least are needed.
    """
    signatures = [i for i, line in enumerate(lines) if "_signature" in line.meta]
    if len(signatures) < 2:
        return []
    taken = {title for title, _subtitles in starts}
    found: list[tuple[int, list[int]]] = []
    for signature in signatures:
        first = signature
        while first > 0 and lines[first - 1].kind != BLANK:
            first -= 1
        if signature - first < 2 or any(first <= title < signature for title in taken):
            continue
        if lines[first].kind == TEXT and layout.is_headline_over_byline(lines[first].text):
            lines[first].meta["headline"] = "1"
            found.append((first, []))
    return found


def _article_starts(lines: list[Line]) -> list[tuple[int, list[int]]]:
    """Return (title index, subtitle indices) of each headline that sits over a byline."""
    starts: list[tuple[int, list[int]]] = []
    for index, line in enumerate(lines):
        if line.kind != BYLINE or "_used" in line.meta:
            continue
        if "_continued" in line.meta:
            continue  # the second line of a byline block
        if (
            "_signature" in line.meta
            or "_closing" in line.meta
            or (
                set(line.meta) == {"author"}
                and not layout.BY_PREFIX_RE.match(line.text)
                and not layout.is_staff_byline(line.text)
                and "_by_label" not in line.meta
            )
        ):
            continue  # a signature, bio or credit line closes an article, it opens none
        previous = _next_content(lines, index, -1)
        if previous is None or lines[previous].kind != TEXT:
            continue  # nothing above, or the second line of a two-line byline
        if layout.is_title_like(lines[previous].text):
            # A kicker ("OPINION") right on top of the headline belongs to the title block.
            above = previous - 1
            if above >= 0 and lines[above].kind == TEXT and layout.is_kicker(lines[above].text):
                lines[above].meta["kicker"] = "1"
                starts.append((above, [previous]))
            elif _headline_over_standfirst(lines, above):
                lines[above].meta["headline"] = "1"
                starts.append((above, [previous]))
            else:
                starts.append((previous, []))
            continue
        # A standfirst sentence may sit between the headline and the byline.
        before = _next_content(lines, previous, -1)
        if (
            before is not None
            and lines[before].kind == TEXT
            and layout.is_title_like(lines[before].text)
        ):
            starts.append((before, [previous]))
            continue
        # A headline directly on top of the byline (no blank line between them) is the
        # headline even when it is written as full sentences.
        adjacent = not any(lines[i].kind == BLANK for i in range(previous + 1, index))
        if adjacent and layout.is_headline_over_byline(lines[previous].text):
            lines[previous].meta["headline"] = "1"
            starts.append((previous, []))
    return starts


def _headline_over_standfirst(lines: list[Line], above: int) -> bool:
    """True when the line right above a title-like line opens the title block.

    "Do you really need 10,000 steps? Here's what the evidence says" over a standfirst over the
    byline: a headline may hold a question and a second clause, so it need not be title-like,
    only headline-shaped, unfinished (no closing full stop) and first in its block.
    """
    if above < 0 or lines[above].kind != TEXT:
        return False
    text = lines[above].text
    return (
        layout.is_headline_over_byline(text)
        and not text.endswith((".", ":", "”", '"'))
        and (above == 0 or lines[above - 1].kind in (BLANK, BOILER))
    )


def _unsigned_item_starts(
    lines: list[Line], starts: list[tuple[int, list[int]]]
) -> list[tuple[int, list[int]]]:
    """On a page of several articles, find the items that have a headline but no byline.

    A newsletter's brief ("Library Notes: Branch reopens") stands alone between blank lines,
    after a finished paragraph or a separator such as "ADVERTISEMENT", with prose under it.
    It opens an item when it carries a section kicker ("Word Word: ...") or follows a
    separator; a bare subhead inside a story ("Covert Operations") does neither.
    """
    taken = {index for title, subtitles in starts for index in (title, *subtitles)}
    found: list[tuple[int, list[int]]] = []
    for index, line in enumerate(lines):
        if index in taken or line.kind != TEXT or not layout.is_title_like(line.text):
            continue
        previous = _next_content(lines, index, -1)
        following = _next_content(lines, index, 1)
        if previous is None or following is None or previous < starts[0][0]:
            continue
        standalone = lines[index - 1].kind == BLANK and lines[index + 1].kind == BLANK
        after_separator = lines[previous].kind == BOILER
        after_prose = lines[previous].kind == TEXT and lines[previous].text.endswith(PROSE_END)
        prose_under = lines[following].kind == TEXT and not layout.is_title_like(
            lines[following].text
        )
        kicker = layout.SECTION_KICKER_RE.match(line.text) is not None
        if standalone and prose_under and (after_separator or (after_prose and kicker)):
            found.append((index, []))
    return found


def _is_headline(line: Line) -> bool:
    return line.kind == TEXT and ("headline" in line.meta or layout.is_title_like(line.text))


def _mark_closing_bio(lines: list[Line], members: list[int], author: str | None) -> None:
    """Mark the article's last paragraph as a byline when it is the byline author's bio."""
    if not author or not members:
        return
    last = lines[members[-1]]
    if last.kind != TEXT or len(last.text) > layout.MAX_BIO_CHARS:
        return
    if layout.is_author_bio_of(last.text, author):
        last.kind = BYLINE


def _in_block(lines: list[Line], index: int) -> bool:
    """True when the line has a non-blank neighbour: it is part of a multi-line block."""
    return any(
        0 <= other < len(lines) and lines[other].kind != BLANK for other in (index - 1, index + 1)
    )


def _group(lines: list[Line], indices: list[int], kind_of: dict[int, ZoneKind]) -> list[Zone]:
    """Group consecutive lines of one kind into zones; blank lines only split captions.

    Lines not in ``indices`` (another article's, or page chrome) always end a zone.
    """
    zones: list[Zone] = []
    run: list[int] = []
    for index in indices:
        kind = kind_of[index]
        if run:
            last = run[-1]
            between = range(last + 1, index)
            blanks = sum(lines[i].kind == BLANK for i in between)
            gap = blanks > 0
            interrupted = blanks < len(between)
            wide_gap = blanks >= 2
            same = kind_of[last] == kind
            # Headline and standfirst on adjacent lines are one title block; page-chrome
            # widgets separated by a wide gap, or multi-line widgets (a sign-up box, a
            # list of links) separated by any gap, are separate blocks.
            splits_on_gap = kind in (ZoneKind.CAPTION, ZoneKind.BYLINE, ZoneKind.TITLE)
            if (
                interrupted
                or not same
                or (gap and splits_on_gap)
                or (
                    kind == ZoneKind.BOILERPLATE
                    and (wide_gap or (gap and (_in_block(lines, last) or _in_block(lines, index))))
                )
            ):
                zones.append(Zone(kind_of[last], lines[run[0]].start, lines[last].end, {}))
                run = []
        run.append(index)
    if run:
        zones.append(Zone(kind_of[run[-1]], lines[run[0]].start, lines[run[-1]].end, {}))
    return zones


def _zone_kind(line: Line) -> ZoneKind:
    return {
        BOILER: ZoneKind.BOILERPLATE,
        CAPTION: ZoneKind.CAPTION,
        BYLINE: ZoneKind.BYLINE,
        COMMENT: ZoneKind.COMMENTS,
    }.get(line.kind, ZoneKind.BODY)


def find_zones(text: str) -> list[Zone]:
    """Find the zones of ``text``: articles with their parts, comments and boilerplate."""
    lines = split_lines(text)
    mark_comments(lines)
    mark_link_lists(lines)
    mark_about_sections(lines)
    mark_chrome_blocks(lines)
    mark_headline_tail(lines)
    content = [i for i, line in enumerate(lines) if line.kind in (TEXT, CAPTION, BYLINE)]
    if not content:
        indices = [i for i, line in enumerate(lines) if line.kind != BLANK]
        return _group(lines, indices, {i: _zone_kind(lines[i]) for i in indices})
    starts = _article_starts(lines)
    starts = sorted(starts + _signed_item_starts(lines, starts))
    if len(starts) >= 2:
        starts = sorted(starts + _unsigned_item_starts(lines, starts))
    if not starts or starts[0][0] > content[0]:
        first = content[0]
        subtitles: list[int] = []
        if lines[first].kind == TEXT and layout.is_title_like(lines[first].text):
            following = _next_content(lines, first, 1)
            if (
                following is not None
                and lines[following].kind == TEXT
                and layout.is_title_like(lines[following].text)
            ):
                subtitles.append(following)
        starts.insert(0, (first, subtitles))
    # Each content line belongs to the last article starting at or above it; starts are
    # sorted and the first is at or above the first content line.
    titles = [title for title, _subtitles in starts]
    members_of: list[list[int]] = [[] for _ in starts]
    for index in content:
        members_of[bisect.bisect_right(titles, index) - 1].append(index)
    kind_of: dict[int, ZoneKind] = {}
    zones: list[Zone] = []
    for (title, subtitles), members in zip(starts, members_of, strict=True):
        meta: dict[str, str] = {}
        if "kicker" in lines[title].meta and subtitles:
            kind_of[title] = ZoneKind.TITLE
            meta["title"] = lines[subtitles[0]].text
        elif _is_headline(lines[title]):
            kind_of[title] = ZoneKind.TITLE
            meta["title"] = lines[title].text
        for index in subtitles:
            kind_of[index] = ZoneKind.TITLE
        for index in members:
            if lines[index].kind == BYLINE:
                meta = layout.merge_meta(meta, lines[index].meta)
        body = [i for i in members if i not in kind_of and lines[i].kind == TEXT]
        dateline = layout.parse_dateline(lines[body[0]].text) if body else None
        if dateline is not None:
            meta = layout.merge_meta(meta, dateline[1])  # "/PRNewswire/ —" names the wire
        _mark_closing_bio(lines, members, meta.get("author"))
        for index in members:
            kind_of.setdefault(index, _zone_kind(lines[index]))
        zones.append(Zone(ZoneKind.ARTICLE, lines[members[0]].start, lines[members[-1]].end, meta))
    others = [i for i, line in enumerate(lines) if line.kind in (BOILER, COMMENT)]
    for index in others:
        kind_of[index] = _zone_kind(lines[index])
    # Group article parts per article, so one article's body never runs into the next.
    for members in members_of:
        zones.extend(_group(lines, members, kind_of))
    zones.extend(_group(lines, others, kind_of))
    zones.sort(key=lambda zone: (zone.start, -zone.end, zone.kind != ZoneKind.ARTICLE))
    return zones
