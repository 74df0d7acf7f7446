"""The quarterly scrutiny pack for councillors: for a programme and a quarter, each anchor's
RAG over the last PACK_QUARTERS quarters, every lot benchmarked on each KPI for the quarter,
the pathways rolled up across the district and by locality, and the quarter's outliers (by
the rule in outliers.py). The page, its PDF and its workbook all render one ScrutinyPack,
built from accountability.load, the figures of the trend pages: plain data, no live database
rows, as portal.pdf asks."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from models import User
from models.enums import ContractLot, Rag
from portal import exports, policies
from portal.contracts.services import get_programme
from portal.monitoring.accountability import (
    PathwayRollup,
    RagPoint,
    Series,
    Total,
    benchmarks,
    load,
    programme_window,
    quarter_labels,
    rollup,
)
from portal.monitoring.benchmarking import KpiBenchmark, percent_of_target
from portal.monitoring.quarters import Quarter

PACK_QUARTERS = 4  # of RAG history and roll-up: the year to the pack's quarter


@dataclass(frozen=True)
class RagRow:
    reference: str
    provider: str
    lot: ContractLot
    rags: list[RagPoint]  # a quarter's, oldest first


@dataclass(frozen=True)
class LotBenchmark:
    lot: ContractLot
    kpis: list[KpiBenchmark]


@dataclass(frozen=True)
class Outlier:
    reference: str
    provider: str
    kpi_name: str
    unit: str
    value: Decimal
    target: Decimal | None
    reasons: tuple[str, ...]

    @property
    def percent_of_target(self) -> Decimal | None:
        return percent_of_target(self.value, self.target)


@dataclass(frozen=True)
class ScrutinyPack:
    programme_id: int
    programme_name: str
    quarter: Quarter
    years: list[str]  # the quarter filter's choices
    quarters: list[Quarter]  # of the RAG history and the roll-up, ending with `quarter`
    rags: list[RagRow]
    lots: list[LotBenchmark]
    pathways: list[PathwayRollup]
    outliers: list[Outlier]

    @property
    def rag_counts(self) -> dict[str, int]:
        """How many of the quarter's returns are green, amber and red, and how many are
        missing."""
        counts = {rag.label: 0 for rag in Rag} | {"No return": 0}
        for row in self.rags:
            rag = row.rags[-1].rag
            counts[rag.label if rag else "No return"] += 1
        return counts

    @property
    def slug(self) -> str:
        """'2024-25-q1'."""
        return f"{self.quarter.year.slug}-q{self.quarter.number}"


def _rag_rows(series: list[Series], rags: dict[int, list[RagPoint]]) -> list[RagRow]:
    contracts = {each.contract_id: each for each in series}
    return [RagRow(each.reference, each.provider, each.lot, rags[contract_id])
            for contract_id, each in contracts.items()]


def _outliers(series: list[Series]) -> list[Outlier]:
    """The last quarter's flagged values, by contract and KPI."""
    return [Outlier(each.reference, each.provider, each.kpi_name, each.unit, point.value,
                    point.target, point.flags)
            for each in series for point in each.points[-1:] if point.flags]


def scrutiny_pack(user: User, programme_id: int, quarter: Quarter | None,
                  now: datetime) -> ScrutinyPack:
    """The pack for the quarter (by default the last to have ended)."""
    policies.require(policies.can_commission(user))
    programme = get_programme(user, programme_id)
    years, quarters = programme_window(programme, quarter, now, PACK_QUARTERS)
    figures = load(programme.id, quarters)
    lots = [LotBenchmark(lot, benchmarks([each for each in figures.series if each.lot is lot],
                                         quarters[-1])) for lot in ContractLot]
    return ScrutinyPack(programme.id, programme.name, quarters[-1], years, quarters,
                        _rag_rows(figures.series, figures.rags),
                        [lot for lot in lots if lot.kpis], rollup(figures),
                        _outliers(figures.series))


# The workbook -----------------------------------------------------------------------------


def _rag_sheet(pack: ScrutinyPack) -> exports.Sheet:
    return exports.Sheet("RAG", ["Contract", "Provider", "Lot", *quarter_labels(pack.quarters)],
                         [[row.reference, row.provider, row.lot.label,
                           *(point.text for point in row.rags)] for row in pack.rags], set())


def _benchmark_sheet(pack: ScrutinyPack) -> exports.Sheet:
    rows = []
    for lot in pack.lots:
        for kpi in lot.kpis:
            rows += [[lot.lot.label, kpi.name, kpi.unit, row.figure.contract_reference,
                      row.figure.provider_name, row.figure.value, row.figure.target,
                      row.percent_of_target, row.rank] for row in kpi.rows]
            rows.append([lot.lot.label, kpi.name, kpi.unit, "Lot total", "", kpi.total,
                         None, None, ""])
            rows.append([lot.lot.label, kpi.name, kpi.unit, "Lot median", "", kpi.median,
                         None, None, ""])
    return exports.Sheet(f"Benchmark {pack.quarter.label.replace('/', '-')}", [
        "Lot", "KPI", "Unit", "Contract", "Provider", "Value", "Target", "% of target",
        "Rank"], rows, set())


def _total_row(pathway: str, name: str, unit: str, area: str, quarter: Quarter,
               total: Total) -> list:
    return [pathway, name, unit, area, quarter.label, total.value if total.reported else None,
            total.target if total.reported else None, total.percent_of_target,
            f"{total.reported} of {total.contracts}"]


def _pathway_sheet(pack: ScrutinyPack) -> exports.Sheet:
    rows = []
    for found in pack.pathways:
        for line in found.lines:
            areas = {"District": line.district, **line.localities}
            rows += [_total_row(found.pathway.label, line.name, line.unit, area, quarter, total)
                     for area, totals in areas.items()
                     for quarter, total in zip(pack.quarters, totals, strict=True)]
    return exports.Sheet("Pathway roll-up", [
        "Pathway", "KPI", "Unit", "Area", "Quarter", "Value", "Target", "% of target",
        "Anchors reporting"], rows, set())


def _outlier_sheet(pack: ScrutinyPack) -> exports.Sheet:
    return exports.Sheet("Outliers", [
        "Contract", "Provider", "KPI", "Unit", "Value", "Target", "% of target", "Why"],
        [[each.reference, each.provider, each.kpi_name, each.unit, each.value, each.target,
          each.percent_of_target, "; ".join(each.reasons)] for each in pack.outliers], set())


def export_sheets(pack: ScrutinyPack) -> list[exports.Sheet]:
    """A sheet for each section of the pack, figures as numbers."""
    return [_rag_sheet(pack), _benchmark_sheet(pack), _pathway_sheet(pack),
            _outlier_sheet(pack)]


def export_name(pack: ScrutinyPack) -> str:
    """The start of a download's file name, e.g. scrutiny-pack-2024-25-q1."""
    return f"scrutiny-pack-{pack.slug}"
