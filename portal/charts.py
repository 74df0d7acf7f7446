"""What the server-drawn SVG charts share: a round step up the value axis and its ticks."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Tick:
    """A line across the chart at height `y`, labelled with the figure it stands for."""

    y: float
    label: str


def step_for(largest: int, ticks: int, least: int) -> int:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that takes the axis past `largest` in
    about `ticks` steps; an axis reaches `least` at the very least, so a chart of small or no
    figures still has steps."""
    rough = max(max(largest, least) // ticks, 1)
    power = 10 ** (len(str(rough)) - 1)
    return next(step for step in (power, 2 * power, 5 * power // 2, 5 * power, 10 * power)
                if step >= rough)
