"""The engine on pathological texts: MB/s at two sizes (linear if they match), and how late
an interruption (what Celery's soft time limit does) lands while the engine is working.

Run alone with `python bench/pathological.py [--megabytes N]` (no database needed), or as
the `pathological` phase of `make bench`.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from annotations.preannotation import analyse  # noqa: E402 - needs ROOT on sys.path first

Row = tuple[str, str, str]
_WORDS = ["minister", "council", "said", "the", "report", "data", "people", "would", "close"]


def _lines(size: int, line: Callable[[random.Random], str]) -> str:
    rnd = random.Random(7)
    parts: list[str] = []
    total = 0
    while total < size:
        parts.append(line(rnd))
        total += len(parts[-1]) + 1
    return "\n".join(parts)


def _words(rnd: random.Random, count: int) -> str:
    return " ".join(rnd.choice(_WORDS) for _ in range(count))


INPUTS: dict[str, Callable[[int], str]] = {
    "many short lines": lambda size: _lines(size, lambda rnd: _words(rnd, 3)),
    "one-letter lines": lambda size: _lines(size, lambda rnd: rnd.choice("abc")),
    "number lines": lambda size: _lines(size, lambda rnd: str(rnd.randint(1, 10**6))),
    "one huge line, no punctuation": lambda size: _words(random.Random(7), size // 6),
    "one huge line of clauses": lambda size: ", ".join(
        _words(random.Random(n), 3) for n in range(size // 20)
    ),
}


class _Interrupted(Exception):
    pass


def _interrupt(signum: int, frame: object) -> None:
    raise _Interrupted


def interruption_delay(text: str, after: float) -> float | None:
    """Seconds between a SIGALRM due `after` seconds into `analyse(text)` and the exception it
    raises reaching Python (None if the engine finished first). Celery's soft time limit is
    delivered the same way, so a long call in C would show here as a long delay."""
    previous = signal.signal(signal.SIGALRM, _interrupt)
    started = time.perf_counter()
    try:
        signal.setitimer(signal.ITIMER_REAL, after)
        analyse(text)
        return None
    except _Interrupted:
        return time.perf_counter() - started - after
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def bench_pathological(megabytes: float = 4.0) -> list[Row]:
    """MB/s per input at 1/4 of `megabytes` and at `megabytes`, and the worst interruption
    delay seen across the inputs."""
    rows: list[Row] = []
    worst = 0.0
    for name, make in INPUTS.items():
        rates = []
        for size in (int(megabytes * 1e6 / 4), int(megabytes * 1e6)):
            text = make(size)
            started = time.perf_counter()
            analyse(text)
            elapsed = time.perf_counter() - started
            rates.append(len(text.encode()) / 1e6 / elapsed)
            if size == int(megabytes * 1e6):
                rows.append(
                    (
                        "pathological",
                        f"{name}, {len(text.encode()) / 1e6:.1f} MB",
                        f"{rates[-1]:.2f} MB/s ({elapsed:.1f} s)",
                    )
                )
            delay = interruption_delay(text, after=0.5)
            worst = max(worst, delay or 0.0)
        rows.append(
            ("pathological", f"{name}, MB/s at 4x the size / at 1x", f"{rates[1] / rates[0]:.2f}")
        )
    rows.append(("pathological", "worst delay of an interruption", f"{worst * 1000:.0f} ms"))
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", type=float, default=4.0)
    for row in bench_pathological(parser.parse_args().megabytes):
        print("  ".join(row))
