"""The taper chart's geometry: a round scale, bars in proportion to the money, and a
description that states every year's figures."""

import pytest

from portal.reporting import chart
from portal.reporting.services import Figures, Kind, Taper, total_row, year_row


def taper(*years: tuple[str, int | None, int, int]) -> Taper:
    rows = [year_row(year, target, Figures(core), Figures(external))
            for year, target, core, external in years]
    return Taper(Kind.PROGRAMME, 1, "ANCHORS", "Community Anchors 2024–27", rows,
                 total_row(rows), [], [])


@pytest.mark.parametrize(("largest", "step"), [
    (0, 25), (100, 25), (435_000_00, 20_000_000), (500_000_00, 20_000_000),
    (60_000_00, 2_000_000), (1_000_000_00, 25_000_000)])
def test_the_axis_steps_are_round(largest, step):
    assert chart.step_for(largest) == step


def test_bars_stack_core_under_external_in_proportion():
    drawn = chart.build(taper(("2024/25", 180_000_00, 180_000_00, 320_000_00),
                              ("2025/26", None, 90_000_00, 60_000_00)))

    first, second = drawn.bars
    assert [tick.label for tick in drawn.ticks] == ["£0", "£200,000", "£400,000", "£600,000"]
    assert first.core.y + first.core.height == chart.BOTTOM
    assert first.external.y + first.external.height == pytest.approx(first.core.y)
    assert first.core.height == pytest.approx(2 * second.core.height, abs=0.2)
    assert first.target_y == pytest.approx(first.core.y)
    assert second.target_y is None
    assert first.x + first.width <= second.x
    assert drawn.description.endswith(
        "2024/25: core £180,000.00 (target £180,000.00), external £320,000.00, total "
        "£500,000.00. 2025/26: core £90,000.00 (no target), external £60,000.00, total "
        "£150,000.00.")


def test_the_target_can_be_above_the_bars():
    drawn = chart.build(taper(("2024/25", 100_000_00, 10_000_00, 0)))
    [bar] = drawn.bars
    assert chart.TOP <= bar.target_y < bar.core.y
    assert bar.external.height == 0
