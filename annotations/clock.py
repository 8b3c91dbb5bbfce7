"""The time that services read, so tests can move it without patching the database's clock.

Services take an optional `now=` argument and fall back to `clock.now()`. Tests move time with
`clock.frozen(at)`; nothing patches `datetime` globally, so the database's own defaults
(`auto_now_add`) and every other library keep the real time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone

_lock = threading.Lock()
_frozen: datetime | None = None


def now() -> datetime:
    """The current time: the frozen one inside `frozen()`, else the real aware UTC time."""
    return _frozen if _frozen is not None else timezone.now()


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Make `now()` return `at` (aware) until the block ends, in every thread."""
    global _frozen  # one process-wide test clock is the point
    if timezone.is_naive(at):
        raise ValueError("clock.frozen needs an aware datetime")
    with _lock:
        previous, _frozen = _frozen, at
    try:
        yield
    finally:
        with _lock:
            _frozen = previous
