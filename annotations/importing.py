"""Reading documents from files and bytes: decoding, text extraction and normalisation.

Plain Python with no Django import, so that the CLI, the REST upload and the admin share one
reader and it can be tested fast. It yields `ParsedDocument` for good input and `Refusal` (with
the file and the reason) for bad input, so one bad file never stops the rest of an import.

Normalisation happens here, once: Unicode NFC, `\\r\\n` and `\\r` to `\\n`, control characters
other than tab and newline removed with a warning, and surrounding blank space trimmed. The
stored text and its SHA-256 are of the normalised form, so offsets never shift afterwards.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

from annotations import jsonsafe

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")
RECORD_FIELDS = ("title", "text", "url", "author", "outlet", "published")
TITLE_MAX_CHARS = 500
# The lengths of the Document columns these go into (PostgreSQL enforces them; SQLite does not).
AUTHOR_MAX_CHARS = 300
OUTLET_MAX_CHARS = 300
URL_MAX_CHARS = 2000

# Control characters (C0, DEL, C1) except tab and newline: invisible, break offsets in
# browsers, and are never meaningful in news text.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# JSON's \\uXXXX escapes can spell half of a UTF-16 pair alone: not Unicode, cannot be encoded.
_SURROGATES = re.compile("[\ud800-\udfff]")
# A URL holds no blank space or control characters (RFC 3986); a NUL would not even store.
_URL_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
# Formats that put several documents in one file may be larger than one document.
_CONTAINER_SUFFIXES = (".json", ".jsonl")
CONTAINER_LIMIT_FACTOR = 40
# A .jsonl file is checked in chunks of this size, never read whole.
_READ_CHUNK = 1024 * 1024
_HTML_DROPPED_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "head")
_HTML_BLOCK_TAGS = (
    "p", "div", "section", "article", "header", "footer", "aside", "main", "nav", "blockquote",
    "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption",
    "pre", "hr",
)  # fmt: skip


@dataclass(frozen=True)
class ParsedSuggestion:
    """A labelled span brought in with a document (from an annotated export), code points."""

    start: int
    end: int
    label: str
    source: str
    reason: str
    engine: str
    confidence: float = 1.0


@dataclass(frozen=True)
class ParsedDocument:
    """A document ready to store: normalised text and the metadata found with it."""

    origin: str
    title: str
    text: str
    source_url: str = ""
    author: str = ""
    outlet: str = ""
    published_on: dt.date | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    # A guess from the text's first line (which may be page chrome), not a title given with it.
    title_from_first_line: bool = False
    # Spans of an annotated export (ours or Label Studio's), stored as suggestions.
    suggestions: tuple[ParsedSuggestion, ...] = ()
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        # Hashed once here: dedup, storage and reports all need it.
        object.__setattr__(self, "sha256", text_sha256(self.text))


@dataclass(frozen=True)
class Refusal:
    """Input that was not imported, and why, in words a user can act on.

    `field` names the record field at fault when there is one, so an API can say which.
    """

    origin: str
    reason: str
    field: str | None = None


ImportItem = ParsedDocument | Refusal


def text_sha256(text: str) -> str:
    """The hash that identifies a text within a project (of its UTF-8 bytes)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_text(raw: str) -> tuple[str, list[str]]:
    """Return the normalised text and warnings about anything removed."""
    warnings: list[str] = []
    if not raw:
        return "", warnings  # most records have no author or outlet
    text = raw.replace("\r\n", "\n").replace("\r", "\n") if "\r" in raw else raw
    text, removed = _CONTROL_CHARS.subn("", text)
    if removed:
        warnings.append(f"removed {removed} control character(s)")
    text = unicodedata.normalize("NFC", text)
    return text.strip(), warnings


def decode_bytes(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM) or BOM-marked UTF-16; raise ValueError otherwise."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ValueError(
                f"it starts like UTF-16 but is not valid UTF-16 ({exc.reason})"
            ) from exc
    if b"\x00" in data:
        raise ValueError("it looks like a binary file (it contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"it is not valid UTF-8 (undecodable byte at position {exc.start})"
        ) from exc


def html_to_text(markup: str) -> tuple[str, str]:
    """Extract (title, text) from HTML, dropping scripts, styles and all markup."""
    soup = BeautifulSoup(markup, "html.parser")
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else ""
    for tag in soup(_HTML_DROPPED_TAGS):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(_HTML_BLOCK_TAGS):
        block.insert_before("\n\n")
        block.insert_after("\n\n")
    text = soup.get_text("")
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not title:
        heading = soup.find("h1")
        title = heading.get_text(" ", strip=True) if heading else ""
    return title, text


def first_line_title(text: str, *, strip_markdown: bool = False) -> str:
    """The first non-empty line, as a title (Markdown heading marks removed if asked)."""
    for line in text.split("\n"):
        candidate = line.strip()
        if strip_markdown:
            candidate = candidate.lstrip("#").strip()
        if candidate:
            return candidate[:TITLE_MAX_CHARS]
    return ""


def parse_bytes(name: str, data: bytes, *, max_bytes: int) -> Iterator[ImportItem]:
    """Parse one file's bytes, chosen by the suffix of `name`."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        yield Refusal(
            name,
            f"unsupported file type {suffix or '(none)'}; expected one of "
            + ", ".join(SUPPORTED_SUFFIXES),
        )
        return
    if not data.strip():
        yield Refusal(name, "the file is empty")
        return
    if suffix not in _CONTAINER_SUFFIXES and len(data) > max_bytes:
        yield Refusal(name, f"the file is {_size(len(data))}, over the {_size(max_bytes)} limit")
        return
    try:
        decoded = decode_bytes(data)
    except ValueError as exc:
        yield Refusal(name, str(exc))
        return
    if suffix in (".txt", ".md"):
        yield _document(name, decoded, max_bytes=max_bytes, markdown=suffix == ".md")
    elif suffix in (".html", ".htm"):
        title, text = html_to_text(decoded)
        yield _document(name, text, max_bytes=max_bytes, title=title)
    elif suffix == ".jsonl":
        yield from _parse_jsonl(name, decoded, max_bytes=max_bytes)
    else:
        yield from _parse_json(name, decoded, max_bytes=max_bytes)


def _walk(paths: Iterable[Path]) -> Iterator[Path]:
    """Files under `paths` (folders recursively, in sorted order, hidden entries skipped)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            yield path


def read_paths(
    paths: Iterable[Path], *, max_bytes: int, max_container_bytes: int | None = None
) -> Iterator[ImportItem]:
    """Read files and folders (recursively, in sorted order, hidden entries skipped)."""
    for path in _walk(paths):
        if not path.exists():
            yield Refusal(str(path), "no such file or folder")
            continue
        too_large = oversized(
            str(path),
            path.stat().st_size,
            max_bytes=max_bytes,
            max_container_bytes=max_container_bytes,
        )
        if too_large is not None:
            yield too_large
            continue
        yield from parse_file(str(path), path, max_bytes=max_bytes)


def parse_file(name: str, path: Path, *, max_bytes: int, skip: int = 0) -> Iterator[ImportItem]:
    """Parse one file on disk, as `parse_bytes` would its bytes, leaving out the first `skip`
    items (a resumed import's cursor).

    A .jsonl file is read line by line, so its size never decides the reader's memory: a
    first pass over it in chunks checks the encoding (refusing the whole file exactly as
    `decode_bytes` would), the second parses one line at a time, and skipped lines are not
    parsed at all. Other files (and UTF-16 JSONL) are read whole, as they always were.
    """
    if Path(name).suffix.lower() == ".jsonl" and _utf16_bom(path) is False:
        problem = _jsonl_problem(path)
        if problem is not None:
            if skip == 0:
                yield Refusal(name, problem)
            return
        yield from _stream_jsonl(name, path, max_bytes=max_bytes, skip=skip)
        return
    items = parse_bytes(name, path.read_bytes(), max_bytes=max_bytes)
    yield from islice(items, skip, None)


def count_file_items(name: str, path: Path) -> int:
    """How many items `parse_file` yields for a file within the size limits: one per
    non-blank line of a valid .jsonl (one if it is refused whole), one per record of a .json,
    one for any other file. Reads .jsonl in chunks, never whole."""
    suffix = Path(name).suffix.lower()
    if suffix == ".jsonl" and _utf16_bom(path) is False:
        if _jsonl_problem(path) is not None:
            return 1
        return max(1, sum(1 for line in _jsonl_lines(path) if line[1].strip()))
    if suffix == ".jsonl":
        lines = decode_or_empty(path.read_bytes()).split("\n")
        return max(1, sum(1 for line in lines if line.strip()))
    if suffix == ".json":
        try:
            payload = jsonsafe.loads(path.read_bytes())
        except (ValueError, RecursionError):
            payload = None
        return max(1, len(payload)) if isinstance(payload, list) else 1
    return 1


def decode_or_empty(data: bytes) -> str:
    try:
        return decode_bytes(data)
    except ValueError:
        return ""


def _utf16_bom(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _jsonl_problem(path: Path) -> str | None:
    """Why `decode_bytes` would refuse the whole file (or "empty"), found in 1 MB chunks."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    offset = 0
    blank = True
    with path.open("rb") as handle:
        while chunk := handle.read(_READ_CHUNK):
            if b"\x00" in chunk:
                return "it looks like a binary file (it contains NUL bytes)"
            try:
                text = decoder.decode(chunk)
                blank = blank and (not text or text.isspace())
            except UnicodeDecodeError as exc:
                return f"it is not valid UTF-8 (undecodable byte at position {offset + exc.start})"
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return f"it is not valid UTF-8 (undecodable byte at position {offset + exc.start})"
    return "the file is empty" if blank else None


def _jsonl_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, decoded line) of a file `_jsonl_problem` found valid, one at a time."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.decode("utf-8")
            if number == 1:
                line = line.removeprefix("\ufeff")
            yield number, line.removesuffix("\n")


def _stream_jsonl(name: str, path: Path, *, max_bytes: int, skip: int) -> Iterator[ImportItem]:
    for number, line in _jsonl_lines(path):
        if not line.strip():
            continue
        if skip:
            skip -= 1
            continue
        yield _jsonl_record(f"{name}:{number}", line, max_bytes=max_bytes)


def count_items(
    paths: Iterable[Path], *, max_bytes: int, max_container_bytes: int | None = None
) -> int:
    """How many items `read_paths` will yield, for a progress total: one per file, one per
    record of a .jsonl or .json file. Reads container files an extra time; exact for good
    input, close for bad (a malformed .json counts once)."""
    total = 0
    for path in _walk(paths):
        suffix = path.suffix.lower()
        if (
            suffix not in _CONTAINER_SUFFIXES
            or not path.exists()
            or oversized(
                str(path),
                path.stat().st_size,
                max_bytes=max_bytes,
                max_container_bytes=max_container_bytes,
            )
        ):
            total += 1
        else:
            total += count_file_items(str(path), path)
    return total


def oversized(
    name: str, size: int, *, max_bytes: int, max_container_bytes: int | None = None
) -> Refusal | None:
    """Refuse a file too large to read, judged by its size and kind before reading it.

    One document may be `max_bytes`; a file of many documents (.json, .jsonl) may be
    `max_container_bytes` (by default CONTAINER_LIMIT_FACTOR times as much).
    """
    limit = max_bytes
    if Path(name).suffix.lower() in _CONTAINER_SUFFIXES:
        limit = max_container_bytes or max_bytes * CONTAINER_LIMIT_FACTOR
    if size > limit:
        return Refusal(name, f"the file is {_size(size)}, over the {_size(limit)} limit")
    return None


def parse_record(origin: str, record: object, *, max_bytes: int) -> ImportItem:
    """Turn one JSON object into a document (`text` required; Label Studio's `data` accepted)."""
    if not isinstance(record, dict):
        return Refusal(origin, "each record must be a JSON object with a text field")
    # A Label Studio task keeps the document under "data"; its other keys are Label Studio's.
    fields = record["data"] if isinstance(record.get("data"), dict) else record
    text = fields.get("text")
    if not isinstance(text, str):
        return Refusal(origin, "the record has no text field (a string is required)", "text")
    for name in ("title", "url", "author", "outlet", "published"):
        if fields.get(name) is not None and not isinstance(fields[name], str):
            return Refusal(origin, f"the field {name} must be a string", name)
    published: dt.date | None = None
    if fields.get("published"):
        try:
            published = dt.date.fromisoformat(str(fields["published"])[:10])
        except ValueError:
            return Refusal(
                origin,
                f"published is not an ISO date (YYYY-MM-DD): {_quoted(str(fields['published']))}",
                "published",
            )
    extra = {k: v for k, v in fields.items() if k not in RECORD_FIELDS}
    if fields is not record and "id" in record:
        extra["label_studio_id"] = record["id"]
    # The named fields lose control characters (NUL included) on normalising; the rest are kept
    # as they are, so must be storable as they are.
    checks = [(name, fields.get(name), True) for name in RECORD_FIELDS]
    checks += [(name, value, False) for name, value in extra.items()]
    for name, value, nul_ok in checks:
        problem = _unstorable(name, nul_ok=False) or _unstorable(value, nul_ok=nul_ok)
        if problem:
            return Refusal(origin, f"the field {_quoted(name, 50)} holds {problem}", name)
    url = str(fields.get("url") or "")
    if url and not url.startswith(("http://", "https://")):
        return Refusal(origin, f"url must start with http:// or https://: {_quoted(url)}", "url")
    if _URL_FORBIDDEN.search(url):
        return Refusal(origin, "url holds blank space or control characters", "url")
    # Author and outlet are cleaned like the title (NUL and other control characters go).
    author = normalise_text(str(fields.get("author") or ""))[0].replace("\n", " ")
    outlet = normalise_text(str(fields.get("outlet") or ""))[0].replace("\n", " ")
    for name, value, limit in (
        ("url", url, URL_MAX_CHARS),
        ("author", author, AUTHOR_MAX_CHARS),
        ("outlet", outlet, OUTLET_MAX_CHARS),
    ):
        if len(value) > limit:
            return Refusal(
                origin, f"{name} is {len(value)} characters long, over the {limit} limit", name
            )
    parsed = _document(
        origin,
        text,
        max_bytes=max_bytes,
        title=str(fields.get("title") or ""),
        source_url=url,
        author=author,
        outlet=outlet,
        published_on=published,
        metadata=extra,
    )
    if fields is not record and isinstance(parsed, ParsedDocument):
        # Imported here: that module builds on this one's types.
        from annotations import importing_annotated

        if importing_annotated.has_label_studio_regions(record):
            return importing_annotated.label_studio_suggestions(record, parsed)
    return parsed


def _unstorable(value: object, *, nul_ok: bool) -> str | None:
    """What in a decoded JSON value no database can store, or None if all is well.

    Lone surrogates are not Unicode (UTF-8 cannot encode them); PostgreSQL's text and jsonb
    refuse NUL. Walks nested lists and objects without recursion: JSON may be deep.
    """
    pending: list[object] = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            # isascii() is a flag lookup: most text needs no scan for surrogates at all.
            if not item.isascii() and _SURROGATES.search(item):
                return "a lone surrogate (\\ud800-\\udfff), which is not valid Unicode"
            if not nul_ok and "\x00" in item:
                return "a NUL character"
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return None


def _non_number(origin: str, error: jsonsafe.JSONValueError) -> Refusal:
    if error.field is None:
        return Refusal(origin, f"invalid JSON: {error.reason}")
    return Refusal(
        origin, f"the field {_quoted(error.field)} is refused: {error.reason}", error.field[:100]
    )


def _quoted(value: str, limit: int = 100) -> str:
    """A user's value quoted for a message: JSON string syntax, never a Python repr."""
    return json.dumps(value[:limit], ensure_ascii=False)


def _parse_json(name: str, decoded: str, *, max_bytes: int) -> Iterator[ImportItem]:
    try:
        payload = jsonsafe.loads(decoded)
    except jsonsafe.JSONValueError as exc:
        yield _non_number(name, exc)
        return
    except json.JSONDecodeError as exc:
        yield Refusal(name, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")
        return
    except RecursionError:
        yield Refusal(name, "invalid JSON: nested too deeply")
        return
    from annotations import importing_annotated  # builds on this module's types

    if importing_annotated.is_our_export(payload):
        yield from importing_annotated.read_our_export(
            name, payload, max_bytes=max_bytes, parse=parse_record
        )
        return
    records = payload if isinstance(payload, list) else [payload]
    if not records:
        yield Refusal(name, "the JSON file holds no records")
    for index, record in enumerate(records, start=1):
        origin = f"{name}[{index}]" if isinstance(payload, list) else name
        yield parse_record(origin, record, max_bytes=max_bytes)


def _parse_jsonl(name: str, decoded: str, *, max_bytes: int) -> Iterator[ImportItem]:
    for number, line in enumerate(decoded.split("\n"), start=1):
        if not line.strip():
            continue
        yield _jsonl_record(f"{name}:{number}", line, max_bytes=max_bytes)


def _jsonl_record(origin: str, line: str, *, max_bytes: int) -> ImportItem:
    try:
        record = jsonsafe.loads(line)
    except jsonsafe.JSONValueError as exc:
        return _non_number(origin, exc)
    except json.JSONDecodeError as exc:
        return Refusal(origin, f"invalid JSON: {exc.msg} at column {exc.colno}")
    except RecursionError:
        return Refusal(origin, "invalid JSON: nested too deeply")
    return parse_record(origin, record, max_bytes=max_bytes)


def _document(
    origin: str,
    raw_text: str,
    *,
    max_bytes: int,
    markdown: bool = False,
    title: str = "",
    source_url: str = "",
    author: str = "",
    outlet: str = "",
    published_on: dt.date | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> ImportItem:
    text, warnings = normalise_text(raw_text)
    if not text:
        return Refusal(origin, "the text is empty", "text")
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        return Refusal(
            origin, f"the text is {_size(size)}, over the {_size(max_bytes)} limit", "text"
        )
    clean_title = normalise_text(title)[0].replace("\n", " ")[:TITLE_MAX_CHARS]
    return ParsedDocument(
        origin=origin,
        title=clean_title or first_line_title(text, strip_markdown=markdown),
        title_from_first_line=not clean_title,
        text=text,
        source_url=source_url,
        author=author.strip(),
        outlet=outlet.strip(),
        published_on=published_on,
        metadata=dict(metadata or {}),
        warnings=tuple(warnings),
    )


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"
