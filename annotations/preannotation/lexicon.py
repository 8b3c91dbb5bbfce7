"""Word tables shared by the rules, and the helper that builds them.

Tables are written as whitespace-separated words so they read like a glossary; ``words``
turns one into a frozenset for O(1) membership tests.
"""

from __future__ import annotations


def words(table: str) -> frozenset[str]:
    """Return the whitespace-separated entries of ``table`` as a frozenset."""
    return frozenset(table.split())
