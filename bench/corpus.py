"""A deterministic generated corpus built from the seed documents' paragraphs.

The same seed and size always give the same documents, so figures are comparable between runs.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def seed_paragraphs(seeds: Path = SEEDS) -> list[str]:
    """Every non-empty paragraph of the seed files, in file order."""
    paragraphs: list[str] = []
    for path in sorted(seeds.glob("*.txt")):
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        paragraphs.extend(p.strip() for p in text.split("\n\n") if p.strip())
    return paragraphs


def generated_documents(count: int, *, seed: int = 7) -> Iterator[tuple[str, str]]:
    """Yield `count` (title, text) pairs of 4-14 shuffled seed paragraphs, all distinct."""
    rng = random.Random(seed)
    paragraphs = seed_paragraphs()
    for number in range(count):
        chosen = rng.sample(paragraphs, k=rng.randint(4, 14))
        title = chosen[0].split("\n", 1)[0][:120]
        # The number keeps every text distinct, so none is skipped as a duplicate.
        yield f"{title} ({number})", f"Generated document {number}\n\n" + "\n\n".join(chosen)


def generated_text(megabytes: float, *, seed: int = 11) -> list[str]:
    """Documents totalling at least `megabytes` MB of UTF-8 text."""
    texts: list[str] = []
    total = 0
    for _, text in generated_documents(10**9, seed=seed):
        texts.append(text)
        total += len(text.encode("utf-8"))
        if total >= megabytes * 1024 * 1024:
            break
    return texts
