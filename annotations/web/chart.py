"""A grouped horizontal bar chart as plain geometry, drawn by a template as inline SVG.

Plain Python (no Django import): figures in, rectangles and captions out. Server-rendered SVG
needs no chart library and no script, and holds under the pages' Content-Security-Policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ROW_HEIGHT = 18
GROUP_GAP = 14
LABEL_WIDTH = 150
BAR_WIDTH = 360
VALUE_WIDTH = 70


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    caption: str  # the series name, shown beside the bar
    value_text: str  # the figure as text ("—" when absent)
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Group:
    name: str
    y: float  # baseline of the group's name


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    axis_x: float
    scale_width: int  # the 0..1 scale's length, for each bar's background track
    bars: tuple[Bar, ...]
    groups: tuple[Group, ...]
    ticks: tuple[tuple[float, str], ...]  # (x, text) at 0, 0.5 and 1


def bar_chart(
    groups: Sequence[tuple[str, Sequence[tuple[str, float | None]]]],
    colours: Sequence[str],
) -> Chart:
    """Each group (e.g. a label) gets one bar per series (e.g. alpha, span F1), on a 0..1 scale.

    Values below 0 (alpha can be negative) draw as an empty bar and keep their number; an absent
    value draws nothing and reads "—", so a figure that rests on nothing never looks like 0.
    """
    bars: list[Bar] = []
    names: list[Group] = []
    y = 24.0
    for name, series in groups:
        names.append(Group(name=name, y=y + ROW_HEIGHT * 0.75))
        for index, (caption, value) in enumerate(series):
            width = 0.0 if value is None else max(0.0, min(1.0, value)) * BAR_WIDTH
            bars.append(
                Bar(
                    x=LABEL_WIDTH,
                    y=y,
                    width=round(width, 1),
                    height=ROW_HEIGHT - 4,
                    colour=colours[index % len(colours)],
                    caption=caption,
                    value_text="—" if value is None else f"{value:.2f}",
                    text_x=LABEL_WIDTH + BAR_WIDTH + 6,
                    text_y=y + ROW_HEIGHT * 0.7,
                )
            )
            y += ROW_HEIGHT
        y += GROUP_GAP
    ticks = tuple((LABEL_WIDTH + share * BAR_WIDTH, f"{share:g}") for share in (0.0, 0.5, 1.0))
    return Chart(
        width=LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH + 120,
        height=int(y + 10),
        axis_x=LABEL_WIDTH,
        scale_width=BAR_WIDTH,
        bars=tuple(bars),
        groups=tuple(names),
        ticks=ticks,
    )
