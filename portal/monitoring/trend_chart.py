"""Line charts of KPI figures across quarters, drawn on the server as SVG
(templates/monitoring/_line_chart.html) so they need no JavaScript.

This module works out the geometry in the SVG's own units and the words of the chart's
description, which states every line's figures so the chart says what its table says. A
missing figure (no return, no target) breaks its line; each line is named at its right-hand
end, so no line is told apart by colour alone. Colours and dashes are SVG presentation
attributes in the template: the CSP allows no inline style."""

import math
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from portal.charts import Tick, step_for
from portal.monitoring.benchmarking import format_figure, format_number

WIDTH = 720
HEIGHT = 340
LEFT = 80  # room for the axis's labels
RIGHT = 110  # room for the lines' names
TOP = 16
BOTTOM = 290  # the axis; the quarters' labels go below it
TICKS = 4
LABEL_GAP = 15  # least room between two lines' names
# Lines of contracts, in turn (GOV.UK colours with enough contrast on white).
PALETTE = ("#1d70b8", "#00703c", "#d4351c", "#4c2c92", "#f47738", "#28a197", "#912b88",
           "#85994b", "#b58840", "#003078", "#505a5f", "#6f72af")


class LineKind(StrEnum):
    VALUE = "value"  # a contract's figures: solid, with a dot at each
    TARGET = "target"  # dashed black
    MEDIAN = "median"  # the lot's median: thick dashed black


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    value: Decimal


@dataclass(frozen=True)
class Line:
    name: str
    kind: LineKind
    colour: str
    markers: list[Marker]
    runs: list[str]  # each unbroken run of markers as polyline points, "x,y x,y"
    name_y: float  # where its name is written, beside its last marker


@dataclass(frozen=True)
class Column:
    x: float
    label: str


@dataclass(frozen=True)
class LineChart:
    title: str
    description: str
    columns: list[Column]
    ticks: list[Tick]
    lines: list[Line]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    bottom: int = BOTTOM


@dataclass(frozen=True)
class Series:
    """What one line shows: a figure (or None) for each quarter."""

    name: str
    kind: LineKind
    values: list[Decimal | None]


def _runs(markers: list[Marker | None]) -> list[str]:
    runs, run = [], []
    for marker in [*markers, None]:
        if marker is None:
            if run:
                runs.append(" ".join(f"{each.x},{each.y}" for each in run))
            run = []
        else:
            run.append(marker)
    return runs


def _spread(wanted: list[float]) -> list[float]:
    """The names' heights moved apart, keeping their order, so no two overlap."""
    order = sorted(range(len(wanted)), key=lambda index: wanted[index])
    placed = list(wanted)
    last = -math.inf
    for index in order:
        placed[index] = max(wanted[index], last + LABEL_GAP)
        last = placed[index]
    return placed


def describe(title: str, quarters: list[str], series: list[Series], unit: str) -> str:
    """Every line's figure for every quarter, in words."""
    lines = []
    for each in series:
        figures = ", ".join(
            f"{quarter} {'none' if value is None else format_figure(value, unit)}"
            for quarter, value in zip(quarters, each.values, strict=True))
        lines.append(f"{each.name}: {figures}.")
    return f"Line chart of {title} by quarter. " + " ".join(lines)


def build(title: str, quarters: list[str], series: list[Series], unit: str) -> LineChart:
    """The chart of `series` over `quarters` (oldest first)."""
    known = [value for each in series for value in each.values if value is not None]
    step = step_for(math.ceil(max(known, default=0)), TICKS, least=TICKS)
    top = max(math.ceil(max(known, default=0) / step), 1) * step
    slot = (WIDTH - RIGHT - LEFT) / max(len(quarters), 1)
    xs = [round(LEFT + slot * (index + 0.5), 1) for index in range(len(quarters))]

    def y(value: Decimal) -> float:
        return round(BOTTOM - float(value) * (BOTTOM - TOP) / top, 1)

    drawn = []
    for index, each in enumerate(series):
        markers = [None if value is None else Marker(x, y(value), value)
                   for x, value in zip(xs, each.values, strict=True)]
        colour = PALETTE[index % len(PALETTE)] if each.kind is LineKind.VALUE else "#0b0c0c"
        drawn.append((each, colour, markers))
    name_ys = _spread([next((marker.y for marker in reversed(markers) if marker), BOTTOM)
                       for _, _, markers in drawn])
    prefix = "£" if unit == "£" else ""
    return LineChart(
        title, describe(title, quarters, series, unit),
        [Column(x, label) for x, label in zip(xs, quarters, strict=True)],
        [Tick(y(Decimal(value)), f"{prefix}{format_number(Decimal(value))}")
         for value in range(0, top + 1, step)],
        [Line(each.name, each.kind, colour, [marker for marker in markers if marker],
              _runs(markers), round(name_y + 5, 1))
         for (each, colour, markers), name_y in zip(drawn, name_ys, strict=True)])
