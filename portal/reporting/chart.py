"""The taper chart: a stacked bar for each financial year (planned core money at the bottom,
planned external money on top) with the year's core target marked across its bar, drawn on
the server as SVG (templates/reporting/_chart.html) so it needs no JavaScript.

This module works out the geometry in the SVG's own units, and the words of the chart's
description, which states every year's figures so that the chart says what the table says.
Colours and patterns are SVG presentation attributes in the template: the CSP allows no
inline style."""

from dataclasses import dataclass

from portal import charts
from portal.charts import Tick
from portal.money import format_pounds
from portal.reporting.services import Taper, TaperRow

WIDTH = 720
HEIGHT = 400
LEFT = 104  # room for the axis's labels, like "£1,000,000"
RIGHT = 16
TOP = 56  # room for the legend
BOTTOM = 344  # the axis; the years' labels go below it
BAR_SHARE = 0.5  # of each year's slot
MAX_BAR_WIDTH = 96
TICKS = 4  # about this many steps up the axis


@dataclass(frozen=True)
class Segment:
    """A rectangle of a bar: its top and height, and the money it stands for."""

    y: float
    height: float
    pence: int


@dataclass(frozen=True)
class Bar:
    year: str
    x: float
    width: float
    core: Segment
    external: Segment
    target_pence: int | None
    target_y: float | None  # where the target's marker is drawn, when there is a target

    @property
    def middle(self) -> float:
        return self.x + self.width / 2

    @property
    def total_pence(self) -> int:
        return self.core.pence + self.external.pence


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    bars: list[Bar]
    ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    bottom: int = BOTTOM


def step_for(largest: int) -> int:
    """A round step of pence that takes the axis past `largest` in about TICKS steps, and
    past £1 however little there is."""
    return charts.step_for(largest, TICKS, least=100)


def _y(pence: int, top: int) -> float:
    return round(BOTTOM - pence * (BOTTOM - TOP) / top, 1)


def _bar(row: TaperRow, index: int, slot: float, top: int) -> Bar:
    width = min(slot * BAR_SHARE, MAX_BAR_WIDTH)
    core, external = row.core.planned_pence, row.external.planned_pence
    core_top, bar_top = _y(core, top), _y(core + external, top)
    target = row.core_target_pence
    return Bar(row.financial_year, round(LEFT + slot * index + (slot - width) / 2, 1),
               round(width, 1),
               Segment(core_top, round(BOTTOM - core_top, 1), core),
               Segment(bar_top, round(core_top - bar_top, 1), external),
               target, None if target is None else _y(target, top))


def describe(taper: Taper) -> str:
    """Every year's planned core (and its target), external and total, in words."""
    years = []
    for row in taper.rows:
        target = ("no target" if row.core_target_pence is None
                  else f"target {format_pounds(row.core_target_pence)}")
        years.append(f"{row.financial_year}: core {format_pounds(row.core.planned_pence)} "
                     f"({target}), external {format_pounds(row.external.planned_pence)}, "
                     f"total {format_pounds(row.total.planned_pence)}.")
    return ("Stacked bars of planned core and external funding for each financial year, "
            "with the core target marked. " + " ".join(years))


def build(taper: Taper) -> Chart:
    """The chart of the taper's years (none when it has no years)."""
    largest = max([0, *(row.total.planned_pence for row in taper.rows),
                   *(row.core_target_pence or 0 for row in taper.rows)])
    step = step_for(largest)
    top = max(-(-largest // step), 1) * step
    slot = (WIDTH - RIGHT - LEFT) / max(len(taper.rows), 1)
    return Chart(
        taper.chart_title, describe(taper),
        [_bar(row, index, slot, top) for index, row in enumerate(taper.rows)],
        [Tick(_y(value, top), format_pounds(value, whole=True))
         for value in range(0, top + 1, step)])
