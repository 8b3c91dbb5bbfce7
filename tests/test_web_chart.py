"""The dashboard's chart geometry (plain Python)."""

from annotations.web.chart import BAR_WIDTH, LABEL_WIDTH, bar_chart


def test_bars_scale_to_the_unit_interval_and_absent_figures_read_as_a_dash() -> None:
    chart = bar_chart(
        [("Sourced", [("alpha", 0.5), ("F1", None)]), ("Opinion", [("alpha", -0.3), ("F1", 1.4)])],
        ["#111111", "#222222"],
    )
    widths = [bar.width for bar in chart.bars]
    assert widths == [BAR_WIDTH / 2, 0.0, 0.0, BAR_WIDTH]
    assert [bar.value_text for bar in chart.bars] == ["0.50", "—", "-0.30", "1.40"]
    assert [bar.colour for bar in chart.bars] == ["#111111", "#222222"] * 2
    assert [group.name for group in chart.groups] == ["Sourced", "Opinion"]
    assert all(bar.x == LABEL_WIDTH for bar in chart.bars)
    assert chart.bars[2].y > chart.bars[1].y  # groups stacked downwards, none overlapping
    assert chart.height > chart.bars[-1].y + chart.bars[-1].height
