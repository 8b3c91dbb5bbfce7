"""Strict JSON decoding shared by the importer and the API's body parser.

Plain Python with no Django import. JSON (RFC 8259) has no NaN or Infinity, and a number
thousands of digits long is an attack, not data: Python's `json` accepts the first two and
raises a bare ValueError on the third (past 4,300 digits), which callers turned into 500s.
Here each is refused with the name of the field that holds it, so the caller can say which.
"""

from __future__ import annotations

import json
import math
from typing import Any

# Longer than any id, count or measurement we store (a 64-bit integer has 20 characters).
MAX_NUMBER_CHARS = 50


class JSONValueError(ValueError):
    """A JSON value no field may hold; `field` is the key holding it (None at the top)."""

    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.field = field
        self.reason = reason


class _Refused:
    """Stands in for a refused value until the object holding it names the key."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _constant(name: str) -> _Refused:
    return _Refused(f"{name} is not a number JSON allows.")


def _integer(digits: str) -> int | _Refused:
    if len(digits) > MAX_NUMBER_CHARS:
        return _Refused(f"A number {len(digits)} characters long; at most {MAX_NUMBER_CHARS}.")
    return int(digits)


def _real(digits: str) -> float | _Refused:
    if len(digits) > MAX_NUMBER_CHARS:
        return _Refused(f"A number {len(digits)} characters long; at most {MAX_NUMBER_CHARS}.")
    value = float(digits)
    if math.isinf(value):
        return _Refused("A number too large to represent.")
    return value


def _refusal_in(value: Any) -> str | None:
    """The reason a refused value sits in `value` or its nested arrays (objects check their own)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, _Refused):
            return item.reason
        if isinstance(item, list):
            pending.extend(item)
    return None


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    for key, value in pairs:
        reason = _refusal_in(value)
        if reason is not None:
            raise JSONValueError(key, reason)
    return dict(pairs)


def loads(text: str | bytes) -> Any:
    """Decode JSON, refusing NaN, Infinity and over-long numbers by the key that holds them.

    Raises JSONValueError for those, json.JSONDecodeError for malformed JSON and RecursionError
    for nesting too deep to decode (the callers turn each into a refusal naming the problem).
    """
    value = json.loads(
        text,
        parse_constant=_constant,
        parse_int=_integer,
        parse_float=_real,
        object_pairs_hook=_object,
    )
    reason = _refusal_in(value)
    if reason is not None:
        raise JSONValueError(None, reason)
    return value
