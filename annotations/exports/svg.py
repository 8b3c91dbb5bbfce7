"""Small SVG charts drawn on the server for the HTML report (no script, no external request).

Every string that reaches the markup is escaped here; numbers are formatted, never interpolated
raw. A bar whose figure is absent (it rests on nothing) is drawn as a note, not as zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Bar:
    name: str
    value: float | None
    note: str = ""  # e.g. "12 documents"


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    low: float = 0.0,
    high: float = 1.0,
    color: str = "#455a64",
    width: int = 640,
) -> str:
    """A horizontal bar chart of values between `low` and `high` (a zero line when low < 0)."""
    row, label_w, note_w, top = 22, 180, 150, 26
    plot_w = width - label_w - note_w
    height = top + row * max(len(bars), 1) + 8
    span = (high - low) or 1.0

    def x(value: float) -> float:
        return label_w + (min(max(value, low), high) - low) / span * plot_w

    zero = x(0.0) if low < 0 < high else x(low)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" class="chart-title">{escape(title)}</text>',
        f'<line x1="{zero:.1f}" y1="{top - 4}" x2="{zero:.1f}" y2="{height - 4}" '
        'stroke="#9e9e9e" stroke-width="1"/>',
    ]
    for index, bar in enumerate(bars):
        y = top + index * row
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">'
            f"{escape(_clip(bar.name))}</text>"
        )
        if bar.value is None:
            parts.append(
                f'<text x="{label_w + 4}" y="{y + 14}" class="chart-none">no figure</text>'
            )
        else:
            end = x(bar.value)
            left, right = sorted((zero, end))
            parts.append(
                f'<rect x="{left:.1f}" y="{y + 3}" width="{max(right - left, 1):.1f}" '
                f'height="{row - 8}" fill="{escape(color)}"/>'
            )
            parts.append(
                f'<text x="{label_w + plot_w + 6}" y="{y + 14}">{bar.value:.2f}'
                f"{' · ' + escape(bar.note) if bar.note else ''}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def stacked_bar(shares: Sequence[tuple[str, float, str]], *, width: int = 160) -> str:
    """One thin bar split into shares (name, share 0..1, colour), e.g. sourced/unsourced/opinion."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="stack" viewBox="0 0 {width} 12" '
        f'width="{width}" height="12" role="img">'
    ]
    names = ", ".join(f"{name} {share:.0%}" for name, share, _ in shares)
    parts.append(f"<title>{escape(names)}</title>")
    left = 0.0
    for _name, share, color in shares:
        w = max(share, 0.0) * width
        if w > 0:
            parts.append(
                f'<rect x="{left:.1f}" y="0" width="{w:.1f}" height="12" fill="{escape(color)}"/>'
            )
        left += w
    if left == 0:
        parts.append(f'<rect x="0" y="0" width="{width}" height="12" fill="#eeeeee"/>')
    parts.append("</svg>")
    return "".join(parts)


def _clip(name: str, limit: int = 26) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
