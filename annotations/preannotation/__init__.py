"""Pre-annotation engine: finds structure, sentences and sourced/unsourced/opinion suggestions.

Plain Python with no Django import, no I/O and no randomness: the same text always gives the
same ``Analysis``. Dependency direction inside the package: ``model`` and ``lexicon`` at the
bottom; ``layout`` -> ``structure``; ``sentences``; ``attribution``, ``opinion``, ``claims``;
``engine`` on top of them all; ``evaluation`` uses ``engine`` only.
"""

from .engine import ENGINE_NAME, ENGINE_VERSION, analyse
from .model import Analysis, Label, Sentence, Suggestion, Zone, ZoneKind

__all__ = [
    "ENGINE_NAME",
    "ENGINE_VERSION",
    "Analysis",
    "Label",
    "Sentence",
    "Suggestion",
    "Zone",
    "ZoneKind",
    "analyse",
]
