"""The taper figures: a commissioning programme's or a grant scheme's core and external money
by financial year, planned, committed and paid, against the council's core budget target.

What the figures mean
---------------------
A programme (its Community Anchor contracts, whatever their status):

- planned: each ContractYear's `core_pence` and `external_pence`, the core and external money
  the contract plans for that financial year;
- committed and paid: the ledger entries that carry the contract's id. An entry's financial
  year is its pot's and whether it is core or external is its pot's source. Committed is
  commitments less releases and paid is payments less clawbacks, summed in SQL by
  `ledger.committed_sum()` and `ledger.paid_sum()`, so they mean exactly what a pot's figures
  mean (the ContractFunding rows say which pots a year is drawn from; the money is in the
  ledger);
- core target: the programme's ProgrammeYear of that year, or none.

A grant scheme (its awards, through application, round and scheme):

- planned: the allocations of the scheme's awards that were given (offered, accepted or
  closed; a withdrawn, declined or expired award was not), by the year and source of their
  pots;
- committed and paid: the ledger entries that carry the id of one of the scheme's awards,
  summed as for a programme; the ledger stores those sums for each scheme and pot as it adds
  the entries (scheme_pot_spends), so they are read from there, not summed afresh;
- core target: the budgets (budget and transfer entries of the ledger) of the core pots of
  the year that are restricted to the scheme. A core pot open to every scheme is not counted,
  as its money is not set aside for this one; a pot restricted to several schemes counts in
  full for each of them.

Each year's row also gives core planned minus the target (more than zero is over target) and
the external funding gap, max(external planned − external committed, 0): the planned external
money not yet secured in pots. The total row adds up the years' rows column by column: its gap
is the sum of the years' gaps (a surplus in one year does not hide a gap in another) and its
"minus target" sums only the years that have a target.

Every figure comes from a fixed number of grouped queries, however many contracts or awards
there are: the dashboards' query count does not grow with the data.
"""

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, selectinload

from models import (
    Allocation,
    Application,
    Award,
    Contract,
    ContractYear,
    FundingPot,
    LedgerEntry,
    Locality,
    Programme,
    Round,
    Scheme,
    SchemePotSpend,
    User,
)
from models.enums import ContractLot, FundingSource
from portal import exports, policies
from portal.awards.lifecycle import AWARDED
from portal.exceptions import NotFound
from portal.extensions import db
from portal.funding import ledger
from portal.money import exact_pounds, pounds_for_input

TOTAL = "Total"
NO_LOCALITY = "No locality"

EXPORT_HEADINGS = ["Financial year", "Core target", "Core planned", "External planned",
                   "Total planned", "Core committed", "External committed", "Committed",
                   "Core paid", "External paid", "Paid", "Core planned minus target",
                   "External funding gap"]
BREAKDOWN_MONEY = ["Core planned", "External planned", "Total planned", "Core committed",
                   "External committed", "Committed"]
LOCALITY_HEADINGS = ["Locality", "Financial year", *BREAKDOWN_MONEY]
LOT_HEADINGS = ["Lot", "Financial year", *BREAKDOWN_MONEY]
MONEY_COLUMNS = set(EXPORT_HEADINGS[1:])
# The command line's columns (issue 6, item 7), money in pounds and pence like 180000.00.
REPORT_COLUMNS = ["financial_year", "core_target", "core_planned", "external_planned",
                  "total_planned", "committed", "paid"]


class Kind(StrEnum):
    PROGRAMME = "programme"
    SCHEME = "scheme"


@dataclass(frozen=True)
class Figures:
    """Money of one source (core or external): planned, committed and paid."""

    planned_pence: int = 0
    committed_pence: int = 0
    paid_pence: int = 0

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(self.planned_pence + other.planned_pence,
                       self.committed_pence + other.committed_pence,
                       self.paid_pence + other.paid_pence)


def _total_of(figures: Iterable[Figures]) -> Figures:
    return sum(figures, Figures())


@dataclass(frozen=True)
class TaperRow:
    """One financial year of a taper table (or its total row, `financial_year` "Total")."""

    financial_year: str
    core_target_pence: int | None
    core: Figures
    external: Figures
    core_over_target_pence: int | None  # core planned minus target: above 0 is over it
    external_gap_pence: int  # planned external money not yet committed from pots

    @property
    def total(self) -> Figures:
        return self.core + self.external


def year_row(year: str, target: int | None, core: Figures, external: Figures) -> TaperRow:
    """A year's row: its target, its core and external figures, and what follows from them."""
    return TaperRow(year, target, core, external,
                    None if target is None else core.planned_pence - target,
                    max(external.planned_pence - external.committed_pence, 0))


def total_row(rows: list[TaperRow]) -> TaperRow:
    """The years' rows added up column by column (see the module's docstring)."""
    targets = [row.core_target_pence for row in rows if row.core_target_pence is not None]
    overs = [row.core_over_target_pence for row in rows
             if row.core_over_target_pence is not None]
    return TaperRow(TOTAL, sum(targets) if targets else None,
                    _total_of(row.core for row in rows),
                    _total_of(row.external for row in rows),
                    sum(overs) if overs else None,
                    sum(row.external_gap_pence for row in rows))


@dataclass(frozen=True)
class BreakdownRow:
    """A group's (a locality's or a lot's) money in one financial year."""

    group: str
    financial_year: str
    core: Figures
    external: Figures

    @property
    def total(self) -> Figures:
        return self.core + self.external


@dataclass(frozen=True)
class Taper:
    """A programme's or a scheme's taper table, with a programme's breakdowns."""

    kind: Kind
    subject_id: int
    code: str  # the programme's code or the scheme's reference prefix
    name: str
    rows: list[TaperRow]
    total: TaperRow
    by_locality: list[BreakdownRow]
    by_lot: list[BreakdownRow]

    @property
    def chart_title(self) -> str:
        return f"Core and external funding by financial year, {self.name}"


# The money of a programme or scheme, summed by (financial year, source, *group).
Facts = dict[tuple, Figures]


def _add(facts: Facts, key: tuple, figures: Figures) -> None:
    facts[key] = facts.get(key, Figures()) + figures


def _group(facts: Facts, key_of: Callable[[tuple], Hashable]
           ) -> dict[Hashable, dict[FundingSource, Figures]]:
    """The facts added up by `key_of(fact's key)` and source."""
    grouped: dict[Hashable, dict[FundingSource, Figures]] = {}
    for key, figures in facts.items():
        by_source = grouped.setdefault(key_of(key), {})
        source = key[1]
        by_source[source] = by_source.get(source, Figures()) + figures
    return grouped


def _taper_rows(facts: Facts, targets: dict[str, int]) -> list[TaperRow]:
    """One row per year that has a target or any money, oldest first."""
    by_year = _group(facts, lambda key: key[0])
    return [year_row(year, targets.get(year),
                     by_year.get(year, {}).get(FundingSource.CORE, Figures()),
                     by_year.get(year, {}).get(FundingSource.EXTERNAL, Figures()))
            for year in sorted(set(targets) | set(by_year))]


def _breakdown(facts: Facts, position: int, label: Callable[[Hashable], str],
               order: Callable[[Hashable], tuple]) -> list[BreakdownRow]:
    """The facts by the group at `position` of their keys and by year, in `order`."""
    grouped = _group(facts, lambda key: (key[position], key[0]))
    return [BreakdownRow(label(group), year, by_source.get(FundingSource.CORE, Figures()),
                         by_source.get(FundingSource.EXTERNAL, Figures()))
            for (group, year), by_source in sorted(
                grouped.items(), key=lambda item: (order(item[0][0]), item[0][1]))]


def _number(value: int | Decimal | None) -> int:
    """A SQL sum as an int (PostgreSQL gives Decimal for sums of BIGINT)."""
    return int(value or 0)


# Programmes ---------------------------------------------------------------------------------


def _planned_by_contract_group(programme_id: int, facts: Facts) -> None:
    """The contract years' planned core and external, by year, lot and locality: one query."""
    query = (select(ContractYear.financial_year, Contract.lot, Locality.name,
                    func.sum(ContractYear.core_pence), func.sum(ContractYear.external_pence))
             .join(Contract, Contract.id == ContractYear.contract_id)
             .outerjoin(Locality, Locality.id == Contract.locality_id)
             .where(Contract.programme_id == programme_id)
             .group_by(ContractYear.financial_year, Contract.lot, Locality.name))
    for year, lot, locality, core, external in db.session.execute(query):
        _add(facts, (year, FundingSource.CORE, lot, locality), Figures(_number(core)))
        _add(facts, (year, FundingSource.EXTERNAL, lot, locality), Figures(_number(external)))


def _ledger_by_contract_group(programme_id: int, facts: Facts) -> None:
    """What the ledger has committed and paid for the programme's contracts, by the year and
    source of the pots, lot and locality: one query."""
    query = (select(FundingPot.financial_year, FundingPot.source, Contract.lot, Locality.name,
                    ledger.committed_sum(), ledger.paid_sum())
             .select_from(LedgerEntry)
             .join(FundingPot, FundingPot.id == LedgerEntry.pot_id)
             .join(Contract, Contract.id == LedgerEntry.contract_id)
             .outerjoin(Locality, Locality.id == Contract.locality_id)
             .where(Contract.programme_id == programme_id)
             .group_by(FundingPot.financial_year, FundingPot.source, Contract.lot,
                       Locality.name))
    for year, source, lot, locality, committed, paid in db.session.execute(query):
        _add(facts, (year, source, lot, locality),
             Figures(0, _number(committed), _number(paid)))


LOT_ORDER = {lot: index for index, lot in enumerate(ContractLot)}


def _programme_taper(programme: Programme) -> Taper:
    facts: Facts = {}
    _planned_by_contract_group(programme.id, facts)
    _ledger_by_contract_group(programme.id, facts)
    rows = _taper_rows(facts, {year.financial_year: year.core_target_pence
                               for year in programme.years})
    return Taper(
        Kind.PROGRAMME, programme.id, programme.code, programme.name, rows, total_row(rows),
        by_locality=_breakdown(facts, 3, lambda name: name or NO_LOCALITY,
                               lambda name: (name is None, name or "")),
        by_lot=_breakdown(facts, 2, lambda lot: lot.label, lambda lot: (LOT_ORDER[lot],)))


def _programme_where(condition: ColumnElement[bool]) -> Programme | None:
    return db.session.scalar(select(Programme).where(condition)
                             .options(selectinload(Programme.years)))


def programme_taper(user: User, programme_id: int) -> Taper:
    """A programme's taper table with its breakdowns by locality and by lot, for
    commissioners; NotFound when there is no such programme."""
    policies.require(policies.can_commission(user))
    programme = _programme_where(Programme.id == programme_id)
    if programme is None:
        raise NotFound(programme_id)
    return _programme_taper(programme)


# Schemes ------------------------------------------------------------------------------------


def _of_scheme(query: Select, award_id: InstrumentedAttribute[int], scheme_id: int) -> Select:
    """`query` joined from `award_id` to the award's application and round, kept to the
    scheme's awards."""
    return (query.join(Award, Award.id == award_id)
            .join(Application, Application.id == Award.application_id)
            .join(Round, Round.id == Application.round_id)
            .where(Round.scheme_id == scheme_id))


def _planned_by_scheme(scheme_id: int, facts: Facts) -> None:
    """The allocations of the scheme's awards that hold money, by their pots' year and
    source: one query."""
    query = _of_scheme(
        select(FundingPot.financial_year, FundingPot.source, func.sum(Allocation.amount_pence))
        .select_from(Allocation).join(FundingPot, FundingPot.id == Allocation.pot_id),
        Allocation.award_id, scheme_id,
    ).where(Award.status.in_(AWARDED)).group_by(FundingPot.financial_year,
                                                      FundingPot.source)
    for year, source, planned in db.session.execute(query):
        _add(facts, (year, source), Figures(_number(planned)))


def _ledger_by_scheme(scheme_id: int, facts: Facts) -> None:
    """What the ledger has committed and paid for the scheme's awards, by the pots' year and
    source, from the sums it stores for each scheme and pot: one query of a few rows."""
    query = (select(FundingPot.financial_year, FundingPot.source,
                    func.sum(SchemePotSpend.committed_pence), func.sum(SchemePotSpend.paid_pence))
             .join(FundingPot, FundingPot.id == SchemePotSpend.pot_id)
             .where(SchemePotSpend.scheme_id == scheme_id)
             .group_by(FundingPot.financial_year, FundingPot.source))
    for year, source, committed, paid in db.session.execute(query):
        _add(facts, (year, source), Figures(0, _number(committed), _number(paid)))


def _scheme_targets(scheme_id: int) -> dict[str, int]:
    """Each year's budget of the core pots restricted to the scheme: two queries."""
    pots = db.session.execute(
        select(FundingPot.id, FundingPot.financial_year)
        .where(FundingPot.source == FundingSource.CORE,
               FundingPot.schemes.any(Scheme.id == scheme_id)))
    years = dict(pots.all())
    targets: dict[str, int] = {}
    for pot_id, balance in ledger.balances(list(years)).items():
        targets[years[pot_id]] = targets.get(years[pot_id], 0) + balance.budget_pence
    return targets


def _scheme_taper(scheme: Scheme) -> Taper:
    facts: Facts = {}
    _planned_by_scheme(scheme.id, facts)
    _ledger_by_scheme(scheme.id, facts)
    rows = _taper_rows(facts, _scheme_targets(scheme.id))
    return Taper(Kind.SCHEME, scheme.id, scheme.reference_prefix, scheme.name, rows,
                 total_row(rows), by_locality=[], by_lot=[])


def schemes(user: User) -> list[Scheme]:
    """The grant schemes whose taper the user may see, by name: one query."""
    policies.require(policies.can_view_taper(user))
    return list(db.session.scalars(select(Scheme).order_by(Scheme.name, Scheme.id)))


def scheme_taper(user: User, scheme_id: int) -> Taper:
    """A grant scheme's taper table, for commissioners and grants officers; NotFound
    when there is no such scheme."""
    policies.require(policies.can_view_taper(user))
    scheme = db.session.get(Scheme, scheme_id)
    if scheme is None:
        raise NotFound(scheme_id)
    return _scheme_taper(scheme)


def report(code: str) -> Taper:
    """The taper of the programme with the code `code` or, when there is none, of the scheme
    with that reference prefix (upper case either way); NotFound when neither exists.
    It checks no user: it is for `flask taper report`, run by the council's systems."""
    code = code.strip().upper()
    programme = _programme_where(Programme.code == code)
    if programme is not None:
        return _programme_taper(programme)
    scheme = db.session.scalar(select(Scheme).where(Scheme.reference_prefix == code))
    if scheme is not None:
        return _scheme_taper(scheme)
    raise NotFound(code)


# Exports ------------------------------------------------------------------------------------


def export_rows(taper: Taper) -> list[list]:
    """The taper table, one row a year and the total row, money as Decimal pounds."""
    return [[row.financial_year, *(exact_pounds(pence) for pence in (
        row.core_target_pence, row.core.planned_pence, row.external.planned_pence,
        row.total.planned_pence, row.core.committed_pence, row.external.committed_pence,
        row.total.committed_pence, row.core.paid_pence, row.external.paid_pence,
        row.total.paid_pence, row.core_over_target_pence, row.external_gap_pence))]
            for row in [*taper.rows, taper.total]]


def breakdown_export_rows(rows: list[BreakdownRow]) -> list[list]:
    return [[row.group, row.financial_year, *(exact_pounds(pence) for pence in (
        row.core.planned_pence, row.external.planned_pence, row.total.planned_pence,
        row.core.committed_pence, row.external.committed_pence, row.total.committed_pence))]
            for row in rows]


def export_sheets(taper: Taper) -> list[exports.Sheet]:
    """The workbook's sheets: the taper table, and a programme's two breakdowns."""
    sheets = [exports.Sheet("Taper", EXPORT_HEADINGS, export_rows(taper), MONEY_COLUMNS)]
    if taper.kind is Kind.PROGRAMME:
        money = set(BREAKDOWN_MONEY)
        sheets += [exports.Sheet("By locality", LOCALITY_HEADINGS,
                                 breakdown_export_rows(taper.by_locality), money),
                   exports.Sheet("By lot", LOT_HEADINGS, breakdown_export_rows(taper.by_lot),
                                 money)]
    return sheets


def export_name(taper: Taper) -> str:
    """The start of a download's file name, e.g. taper-anchors."""
    return f"taper-{taper.code.lower()}"


def report_rows(taper: Taper) -> list[dict[str, str]]:
    """The command line's rows (REPORT_COLUMNS), one a year then the total row, money as
    text in pounds and pence ("180000.00"); an empty core target when there is none."""
    return [{"financial_year": row.financial_year,
             "core_target": pounds_for_input(row.core_target_pence),
             "core_planned": pounds_for_input(row.core.planned_pence),
             "external_planned": pounds_for_input(row.external.planned_pence),
             "total_planned": pounds_for_input(row.total.planned_pence),
             "committed": pounds_for_input(row.total.committed_pence),
             "paid": pounds_for_input(row.total.paid_pence)}
            for row in [*taper.rows, taper.total]]
