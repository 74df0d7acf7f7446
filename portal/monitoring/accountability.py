"""Accountability across quarters (commissioners): each anchor's KPIs and RAG over the last
quarters, the anchors of a lot benchmarked against each other over time, and the district
roll-up of the pathways' KPIs. The councillors' scrutiny pack (scrutiny.py) is built from the
same figures, so the pages and the pack always agree.

Every figure comes from three queries whatever the number of contracts or quarters (the
contracts' KPIs, their targets, the returns with their values), over at most WINDOW quarters
and the one before them (which the outlier rule compares the first with). As on the
benchmarking page, KPIs are matched across contracts by name and a queried return's values
are left out until it is sent again; its RAG is shown, marked as queried.
"""

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, and_, select

from models import (
    Contract,
    ContractReturn,
    Kpi,
    KpiTarget,
    Locality,
    Organisation,
    Programme,
    ReturnValue,
    User,
)
from models.enums import ContractLot, ContractStatus, Pathway, Rag, ReturnStatus
from portal import policies
from portal.contracts.services import get_programme
from portal.extensions import db
from portal.financial_years import FinancialYear
from portal.monitoring import outliers
from portal.monitoring.benchmarking import (
    Figure,
    KpiBenchmark,
    benchmark,
    kpi_key,
    percent_of_target,
)
from portal.monitoring.quarters import Quarter, contract_quarters, has_ended, last_ended
from portal.monitoring.services import monitored_contract, programme_years
from portal.monitoring.trend_chart import LineChart, LineKind
from portal.monitoring.trend_chart import Series as Line
from portal.monitoring.trend_chart import build as build_chart

WINDOW = 8  # quarters a trend shows, at most
NO_LOCALITY = "No locality"


@dataclass(frozen=True)
class Point:
    """A KPI's target and value for a quarter (None where there is none) and why the value
    is an outlier, if it is one (see outliers.py)."""

    quarter: Quarter
    target: Decimal | None
    value: Decimal | None
    flags: tuple[str, ...] = ()

    @property
    def percent_of_target(self) -> Decimal | None:
        return percent_of_target(self.value, self.target)


@dataclass(frozen=True)
class Series:
    """One contract's KPI across the quarters."""

    contract_id: int
    reference: str
    provider: str
    lot: ContractLot
    locality: str
    kpi_name: str
    unit: str
    pathway: Pathway | None
    points: list[Point]


@dataclass(frozen=True)
class RagPoint:
    """A contract's return for a quarter as the RAG history shows it."""

    quarter: Quarter
    rag: Rag | None  # None: no return
    status: ReturnStatus | None

    @property
    def text(self) -> str:
        if self.rag is None:
            return "No return"
        queried = " (queried)" if self.status is ReturnStatus.QUERIED else ""
        return f"{self.rag.label}{queried}"


@dataclass(frozen=True)
class Figures:
    """Every figure of some contracts over some quarters."""

    quarters: list[Quarter]
    series: list[Series]  # by contract reference, then KPI as added
    rags: dict[int, list[RagPoint]]  # by contract id, a point a quarter


# Loading -----------------------------------------------------------------------------------


def _contracts(programme_id: int, quarters: list[Quarter], lot: ContractLot | None,
               contract_id: int | None) -> Select:
    """The ids of the programme's contracts (not drafts) running in the quarters."""
    query = select(Contract.id).where(
        Contract.programme_id == programme_id, Contract.status != ContractStatus.DRAFT,
        Contract.starts_on <= quarters[-1].ends_on, Contract.ends_on >= quarters[0].starts_on)
    if lot is not None:
        query = query.where(Contract.lot == lot)
    if contract_id is not None:
        query = query.where(Contract.id == contract_id)
    return query


def load(programme_id: int, quarters: list[Quarter], lot: ContractLot | None = None,
         contract_id: int | None = None) -> Figures:
    """The figures of the programme's contracts (of a lot, or one contract) over `quarters`
    (consecutive, oldest first): three queries."""
    if not quarters:
        return Figures([], [], {})
    loaded = [quarters[0].previous(), *quarters]
    contracts = _contracts(programme_id, loaded, lot, contract_id)
    years = sorted({quarter.financial_year for quarter in loaded})
    kpis = db.session.execute(
        select(Contract.id, Contract.reference, Organisation.name, Contract.lot, Locality.name,
               Kpi.id, Kpi.name, Kpi.unit, Kpi.pathway)
        .join(Kpi, Kpi.contract_id == Contract.id)
        .join(Organisation, Organisation.id == Contract.provider_id)
        .outerjoin(Locality, Locality.id == Contract.locality_id)
        .where(Contract.id.in_(contracts)).order_by(Contract.reference, Kpi.id)).all()
    targets = {(kpi_id, Quarter.of(year, number)): target
               for kpi_id, year, number, target in db.session.execute(
                   select(KpiTarget.kpi_id, KpiTarget.financial_year, KpiTarget.quarter,
                          KpiTarget.target).join(Kpi)
                   .where(Kpi.contract_id.in_(contracts),
                          KpiTarget.financial_year.in_(years)))}
    values, rags = _returns(contracts, years)
    series = []
    for contract_id_, reference, provider, lot_, locality, kpi_id, name, unit, pathway in kpis:
        series.append(Series(contract_id_, reference, provider, lot_, locality or NO_LOCALITY,
                             name, unit, pathway,
                             _points(loaded, kpi_id, targets, values)))
    return Figures(quarters, series, {
        contract_id_: [RagPoint(quarter, *rags.get((contract_id_, quarter), (None, None)))
                       for quarter in quarters]
        for contract_id_ in dict.fromkeys(each.contract_id for each in series)})


def _returns(contracts: Select, years: list[str]):
    """The values of returns not queried, by (KPI id, quarter), and every return's RAG and
    status by (contract id, quarter): one query."""
    values: dict[tuple[int, Quarter], Decimal] = {}
    rags: dict[tuple[int, Quarter], tuple[Rag, ReturnStatus]] = {}
    for contract_id, year, number, rag, status, kpi_id, value in db.session.execute(
            select(ContractReturn.contract_id, ContractReturn.financial_year,
                   ContractReturn.quarter, ContractReturn.rag, ContractReturn.status,
                   ReturnValue.kpi_id, ReturnValue.value)
            .outerjoin(ReturnValue, and_(ReturnValue.return_id == ContractReturn.id,
                                         ContractReturn.counted))
            .where(ContractReturn.contract_id.in_(contracts),
                   ContractReturn.financial_year.in_(years))):
        quarter = Quarter.of(year, number)
        rags[contract_id, quarter] = (rag, status)
        if kpi_id is not None:
            values[kpi_id, quarter] = value
    return values, rags


def _points(loaded: list[Quarter], kpi_id: int, targets: dict, values: dict) -> list[Point]:
    """A point for each quarter but the first, which only the outlier rule looks at."""
    points = []
    for before, quarter in itertools.pairwise(loaded):
        value, target = values.get((kpi_id, quarter)), targets.get((kpi_id, quarter))
        points.append(Point(quarter, target, value, outliers.flags(
            value, target, values.get((kpi_id, before)), before.label)))
    return points


def window(first: Quarter, last: Quarter, size: int = WINDOW) -> list[Quarter]:
    """Up to `size` quarters ending with `last`, none before `first`."""
    quarters = []
    quarter = last
    while quarter >= first and len(quarters) < size:
        quarters.insert(0, quarter)
        quarter = quarter.previous()
    return quarters


def quarter_labels(quarters: Iterable[Quarter]) -> list[str]:
    return [quarter.label for quarter in quarters]


# A contract's trends -----------------------------------------------------------------------


@dataclass(frozen=True)
class KpiTrend:
    series: Series
    chart: LineChart


@dataclass(frozen=True)
class ContractTrends:
    contract: Contract
    quarters: list[Quarter]
    kpis: list[KpiTrend]
    rags: list[RagPoint]


def contract_trends(user: User, contract_id: int, now: datetime) -> ContractTrends:
    """Each KPI's value against its target over the contract's last WINDOW quarters to have
    ended, with a chart, and the RAG of each quarter's return."""
    policies.require(policies.can_commission(user))
    contract = monitored_contract(user, contract_id)
    ended = [quarter for quarter in contract_quarters(contract.starts_on, contract.ends_on,
                                                      contract.terminated_on)
             if has_ended(quarter, now)]
    quarters = ended[-WINDOW:]
    figures = load(contract.programme_id, quarters, contract_id=contract.id)
    labels = quarter_labels(quarters)
    kpis = [KpiTrend(each, build_chart(
        f"{each.kpi_name}, {contract.reference}", labels,
        [Line("Value", LineKind.VALUE, [point.value for point in each.points]),
         Line("Target", LineKind.TARGET, [point.target for point in each.points])], each.unit))
        for each in figures.series]
    return ContractTrends(contract, quarters, kpis, figures.rags.get(contract.id, []))


# A lot benchmarked over time ---------------------------------------------------------------


@dataclass(frozen=True)
class LotRow:
    series: Series
    ranks: list[str]  # a quarter's rank, "" without a value


@dataclass(frozen=True)
class KpiOverTime:
    name: str
    unit: str
    rows: list[LotRow]
    quarters: list[KpiBenchmark | None]  # the lot's total and median each quarter
    chart: LineChart


def benchmarks(series: list[Series], quarter: Quarter) -> list[KpiBenchmark]:
    """The contracts' KPIs compared for one quarter, by benchmarking.benchmark."""
    return benchmark([Figure(each.contract_id, each.reference, each.provider, each.kpi_name,
                             each.unit, point.target, point.value)
                      for each in series for point in each.points if point.quarter == quarter])


def over_time(figures: Figures, title: str) -> list[KpiOverTime]:
    """Each KPI of the series (matched by name), every contract's values and ranks quarter by
    quarter, the lot's total and median, and a chart of the contracts and the median."""
    by_quarter = [{kpi_key(each.name): each for each in benchmarks(figures.series, quarter)}
                  for quarter in figures.quarters]
    groups: dict[str, list[Series]] = defaultdict(list)
    for each in figures.series:
        groups[kpi_key(each.kpi_name)].append(each)
    labels = quarter_labels(figures.quarters)
    kpis = []
    for key, group in groups.items():
        compared = [found.get(key) for found in by_quarter]
        ranks = [{row.figure.contract_id: row.rank for row in kpi.rows} if kpi else {}
                 for kpi in compared]
        rows = [LotRow(each, [rank.get(each.contract_id, "") for rank in ranks])
                for each in group]
        lines = [Line(each.reference, LineKind.VALUE, [point.value for point in each.points])
                 for each in group]
        lines.append(Line("Lot median", LineKind.MEDIAN,
                          [kpi.median if kpi else None for kpi in compared]))
        name, unit = group[0].kpi_name, group[0].unit
        kpis.append(KpiOverTime(name, unit, rows, compared,
                                build_chart(f"{name}, {title}", labels, lines, unit)))
    return kpis


@dataclass(frozen=True)
class LotTrends:
    programme: Programme
    lot: ContractLot
    quarter: Quarter  # the last shown
    years: list[str]
    quarters: list[Quarter]
    kpis: list[KpiOverTime]


def programme_window(programme: Programme, last: Quarter | None, now: datetime,
                      size: int = WINDOW) -> tuple[list[str], list[Quarter]]:
    """The programme's years (the filter's choices) and up to `size` quarters ending with
    `last` (by default the last to have ended) from the first of its first year."""
    years = programme_years(programme, now)
    last = last or last_ended(now)
    return years, window(Quarter(FinancialYear.parse(years[0]), 1), last, size)


def lot_trends(user: User, programme_id: int, lot: ContractLot, last: Quarter | None,
               now: datetime) -> LotTrends:
    """The lot's contracts compared on each KPI quarter by quarter over WINDOW quarters."""
    policies.require(policies.can_commission(user))
    programme = get_programme(user, programme_id)
    years, quarters = programme_window(programme, last, now)
    figures = load(programme.id, quarters, lot=lot)
    return LotTrends(programme, lot, quarters[-1], years, quarters,
                     over_time(figures, lot.label.lower()))


# The district roll-up by pathway ----------------------------------------------------------


@dataclass
class Total:
    """A sum of the values reported for a quarter, and of those contracts' targets (so the
    percentage compares like with like), and how many of how many contracts reported."""

    value: Decimal = Decimal(0)
    target: Decimal = Decimal(0)
    reported: int = 0
    contracts: int = 0

    def add(self, point: Point) -> None:
        self.contracts += 1
        if point.value is not None:
            self.reported += 1
            self.value += point.value
            self.target += point.target or 0

    @property
    def percent_of_target(self) -> Decimal | None:
        return percent_of_target(self.value, self.target) if self.reported else None


@dataclass(frozen=True)
class RollupLine:
    """A KPI of a pathway, summed over every anchor (the district) and by locality."""

    name: str
    unit: str
    district: list[Total]  # a quarter's
    localities: dict[str, list[Total]] = field(default_factory=dict)


@dataclass(frozen=True)
class PathwayRollup:
    pathway: Pathway
    lines: list[RollupLine]


def rollup(figures: Figures) -> list[PathwayRollup]:
    """Every pathway (in order, with its KPIs matched by name) summed quarter by quarter."""
    found: dict[Pathway, dict[str, RollupLine]] = {pathway: {} for pathway in Pathway}
    for each in figures.series:
        if each.pathway is None:
            continue
        line = found[each.pathway].setdefault(kpi_key(each.kpi_name), RollupLine(
            each.kpi_name, each.unit, [Total() for _ in figures.quarters]))
        locality = line.localities.setdefault(each.locality,
                                              [Total() for _ in figures.quarters])
        for index, point in enumerate(each.points):
            line.district[index].add(point)
            locality[index].add(point)
    return [PathwayRollup(pathway, [
        RollupLine(line.name, line.unit, line.district, dict(sorted(line.localities.items())))
        for line in lines.values()]) for pathway, lines in found.items()]


@dataclass(frozen=True)
class RollupPage:
    programme: Programme
    quarter: Quarter
    years: list[str]
    quarters: list[Quarter]
    pathways: list[PathwayRollup]


def pathway_rollup(user: User, programme_id: int, last: Quarter | None,
                   now: datetime) -> RollupPage:
    """The pathways' KPIs summed over the programme's anchors, and by locality, over WINDOW
    quarters."""
    policies.require(policies.can_commission(user))
    programme = get_programme(user, programme_id)
    years, quarters = programme_window(programme, last, now)
    return RollupPage(programme, quarters[-1], years, quarters,
                      rollup(load(programme.id, quarters)))
