"""Funding by place: one financial year's grant and contract money by ward, grouped by
locality, with per head figures where the wards' populations are configured (`flask places
populations`).

What the figures mean
---------------------
The money is what the funding dashboard and the programme tapers call committed: the ledger
entries that carry an award's or a contract's id, against the pots of the year, commitments
less releases (`ledger.committed_sum()`). So the grants column adds up to the schemes' committed
money on the funding dashboard for that year, and the contracts column to the programmes'
committed money in their taper dashboards for that year.

- An award's money goes to the wards its application names; a contract's to the wards it
  names. Money for several wards is shared between them equally, in whole pence, by largest
  remainder (the odd pence go to the wards first by id), so nothing is counted twice and the
  rows add up exactly to the total.
- A contract that names no ward but a locality is shown on its locality's "across the
  locality" row, not shared out to the wards.
- Money with neither wards nor a locality is on the "Unassigned" row.

Per head is a row's total divided by its population, to the nearest penny (halves up): a
ward's own population; a locality's is the sum of its wards' when every one of them has one;
the grand total's the sum of every ward's, likewise. Otherwise, or for a population of 0,
there is no per head figure. The "across the locality" and "Unassigned" rows have none.

Every figure comes from five queries, however many awards, contracts and wards there are.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import null, or_, select

from models import Award, Contract, FundingPot, LedgerEntry, Locality, User, Ward
from models.associations import application_wards
from models.contracts import contract_wards
from portal import audit, policies, wards
from portal.exceptions import RuleBroken
from portal.extensions import db
from portal.financial_years import FinancialYear
from portal.funding import ledger
from portal.funding.largest_remainder import largest_remainder
from portal.money import exact_pounds

UNASSIGNED = "Unassigned"
ACROSS_LOCALITY = "{locality}: across the locality"
LOCALITY_TOTAL = "{locality} total"
TOTAL = "Total"

EXPORT_HEADINGS = ["Locality", "Place", "Grants", "Contracts", "Total", "Population",
                   "Per head"]
MONEY_COLUMNS = {"Grants", "Contracts", "Total", "Per head"}
# More people than any ward has, and within the column's integer.
MAX_POPULATION = 10_000_000


class RowKind(StrEnum):
    WARD = "ward"
    ACROSS_LOCALITY = "across locality"
    LOCALITY_TOTAL = "locality total"
    UNASSIGNED = "unassigned"
    TOTAL = "total"


@dataclass(frozen=True)
class Money:
    grants_pence: int = 0
    contracts_pence: int = 0

    def __add__(self, other: "Money") -> "Money":
        return Money(self.grants_pence + other.grants_pence,
                     self.contracts_pence + other.contracts_pence)

    @property
    def total_pence(self) -> int:
        return self.grants_pence + self.contracts_pence


def per_head(total_pence: int, population: int | None) -> int | None:
    """`total_pence` shared by `population` people, to the nearest penny (halves up); None
    without a population."""
    if not population:
        return None
    return (2 * total_pence + population) // (2 * population)


@dataclass(frozen=True)
class PlaceRow:
    kind: RowKind
    name: str
    money: Money
    population: int | None = None

    @property
    def per_head_pence(self) -> int | None:
        return per_head(self.money.total_pence, self.population)


@dataclass(frozen=True)
class LocalityGroup:
    """A locality's ward rows, its "across the locality" row when it has such money, and its
    total row."""

    name: str
    rows: list[PlaceRow]
    total: PlaceRow


@dataclass(frozen=True)
class Report:
    years: list[str]  # every year with pots, newest first: the select's options
    year: str | None  # the year shown; None when there are no pots
    localities: list[LocalityGroup]
    unassigned: PlaceRow
    total: PlaceRow

    @property
    def year_slug(self) -> str:
        return FinancialYear.parse(self.year).slug if self.year else ""


# Where money goes, and how it is shared --------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A ward of a locality, as the report needs it."""

    ward_id: int
    name: str
    locality_id: int
    population: int | None


@dataclass
class Served:
    """One award's or contract's money in the year and the places it names."""

    amount_pence: int = 0
    ward_ids: set[int] = field(default_factory=set)
    locality_id: int | None = None


@dataclass
class Shares:
    """Money shared out to wards, localities (across the locality) and nowhere."""

    wards: dict[int, int] = field(default_factory=dict)
    localities: dict[int, int] = field(default_factory=dict)
    unassigned: int = 0


def share_out(served: Iterable[Served]) -> Shares:
    """Each amount to its wards, equally by largest remainder; else to its locality; else to
    nowhere (see the module's docstring)."""
    shares = Shares()
    for each in served:
        if each.ward_ids:
            split = largest_remainder(each.amount_pence, dict.fromkeys(each.ward_ids, 1))
            for ward_id, pence in split.items():
                shares.wards[ward_id] = shares.wards.get(ward_id, 0) + pence
        elif each.locality_id is not None:
            shares.localities[each.locality_id] = (
                shares.localities.get(each.locality_id, 0) + each.amount_pence)
        else:
            shares.unassigned += each.amount_pence
    return shares


def _population(places: list[Place]) -> int | None:
    """The places' people when every one of them has a population configured."""
    if not places or any(place.population is None for place in places):
        return None
    return sum(place.population for place in places)


def build(years: list[str], year: str | None, places: list[Place],
          localities: dict[int, str], grants: Shares, contracts: Shares) -> Report:
    """The report's rows from the places (localities then wards in order) and the shares;
    `localities` names every locality, including any without wards."""
    groups: dict[int, list[Place]] = {locality_id: [] for locality_id in localities}
    for place in places:
        groups[place.locality_id].append(place)
    built = []
    for locality_id, name in localities.items():
        in_locality = groups[locality_id]
        rows = [PlaceRow(RowKind.WARD, place.name,
                         Money(grants.wards.get(place.ward_id, 0),
                               contracts.wards.get(place.ward_id, 0)), place.population)
                for place in in_locality]
        across = Money(grants.localities.get(locality_id, 0),
                       contracts.localities.get(locality_id, 0))
        if across != Money():
            rows.append(PlaceRow(RowKind.ACROSS_LOCALITY,
                                 ACROSS_LOCALITY.format(locality=name), across))
        if rows:
            built.append(LocalityGroup(name, rows, PlaceRow(
                RowKind.LOCALITY_TOTAL, LOCALITY_TOTAL.format(locality=name),
                sum((row.money for row in rows), Money()), _population(in_locality))))
    unassigned = PlaceRow(RowKind.UNASSIGNED, UNASSIGNED,
                          Money(grants.unassigned, contracts.unassigned))
    total = sum((group.total.money for group in built), unassigned.money)
    return Report(years, year, built, unassigned,
                  PlaceRow(RowKind.TOTAL, TOTAL, total, _population(places)))


# Queries ----------------------------------------------------------------------------------


def _years() -> tuple[list[str], str | None]:
    """Every year that has pots, newest first, and the newest with money committed for an
    award or a contract (the default): two queries."""
    years = sorted(db.session.scalars(select(FundingPot.financial_year).distinct()),
                   reverse=True)
    newest = db.session.scalar(
        select(FundingPot.financial_year).join(LedgerEntry, LedgerEntry.pot_id == FundingPot.id)
        .where(or_(LedgerEntry.award_id.is_not(None), LedgerEntry.contract_id.is_not(None)))
        .order_by(FundingPot.financial_year.desc()).limit(1))
    return years, newest or next(iter(years), None)


def _places() -> tuple[list[Place], dict[int, str]]:
    """Every ward with its locality, and every locality, in name order: one query."""
    query = (select(Locality.id, Locality.name, Ward.id, Ward.name, Ward.population)
             .outerjoin(Ward, Ward.locality_id == Locality.id)
             .order_by(Locality.name, Ward.name))
    places, localities = [], {}
    for locality_id, locality, ward_id, name, population in db.session.execute(query):
        localities[locality_id] = locality
        if ward_id is not None:
            places.append(Place(ward_id, name, locality_id, population))
    return places, localities


def _of_year(query, year: str):
    return (query.select_from(LedgerEntry)
            .join(FundingPot, FundingPot.id == LedgerEntry.pot_id)
            .where(FundingPot.financial_year == year))


def _served(rows) -> list[Served]:
    """Rows of (subject's id, its locality's id, one of its wards' ids, its committed money),
    one for each ward it names (a ward of None when it names none), as one Served each."""
    served: dict[int, Served] = {}
    for subject_id, locality_id, ward_id, committed in rows:
        each = served.setdefault(subject_id, Served(int(committed), locality_id=locality_id))
        if ward_id is not None:
            each.ward_ids.add(ward_id)
    return [each for each in served.values() if each.amount_pence]


def _grants(year: str) -> list[Served]:
    """Each award's money committed from the year's pots, with its application's wards: one
    query, a row for each award and ward (each row's sum is the award's whole money)."""
    query = _of_year(select(LedgerEntry.award_id, null(), application_wards.c.ward_id,
                            ledger.committed_sum()), year)
    query = (query.join(Award, Award.id == LedgerEntry.award_id)
             .outerjoin(application_wards,
                        application_wards.c.application_id == Award.application_id)
             .group_by(LedgerEntry.award_id, application_wards.c.ward_id))
    return _served(db.session.execute(query))


def _contracts(year: str) -> list[Served]:
    """Each contract's money committed from the year's pots, with its locality and wards:
    one query, a row for each contract and ward."""
    query = _of_year(select(LedgerEntry.contract_id, Contract.locality_id,
                            contract_wards.c.ward_id, ledger.committed_sum()), year)
    query = (query.join(Contract, Contract.id == LedgerEntry.contract_id)
             .outerjoin(contract_wards, contract_wards.c.contract_id == Contract.id)
             .group_by(LedgerEntry.contract_id, Contract.locality_id,
                       contract_wards.c.ward_id))
    return _served(db.session.execute(query))


def funding_by_place(user: User, year_slug: str | None = None) -> Report:
    """The year's (written 2024-25) grant and contract money by ward and locality, for the
    commissioners and grants officers who see the tapers; a year without pots, or none
    given, shows the newest year with money."""
    policies.require(policies.can_view_taper(user))
    years, newest = _years()
    try:
        year = FinancialYear.from_slug(year_slug or "").label
    except ValueError:
        year = None
    if year not in years:
        year = newest
    places, localities = _places()
    if year is None:
        return build(years, None, places, localities, Shares(), Shares())
    return build(years, year, places, localities, share_out(_grants(year)),
                 share_out(_contracts(year)))


# Exports ----------------------------------------------------------------------------------


def _export_row(locality: str, row: PlaceRow) -> list:
    per_head_pence = row.per_head_pence
    return [locality, row.name, *(exact_pounds(pence) for pence in (
        row.money.grants_pence, row.money.contracts_pence, row.money.total_pence)),
            row.population, exact_pounds(per_head_pence)]


def export_rows(report: Report) -> list[list]:
    """The table as on the page, a row a ward, "across the locality" row and locality total,
    then the unassigned and total rows; money as Decimal pounds."""
    rows = []
    for group in report.localities:
        rows += [_export_row(group.name, row) for row in [*group.rows, group.total]]
    return [*rows, _export_row("", report.unassigned), _export_row("", report.total)]


def export_name(report: Report) -> str:
    """The start of a download's file name, e.g. funding-by-place-2024-25."""
    return f"funding-by-place-{report.year_slug}".rstrip("-")


# Populations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Populations:
    set: list[str]  # the wards whose population was set or changed
    unknown: list[str]  # names in the file that are none of the council's wards


def _is_population(value: str) -> bool:
    digits = value.strip()
    return digits.isascii() and digits.isdigit() and int(digits) <= MAX_POPULATION


def set_populations(populations: dict[str, str]) -> Populations:
    """Give the council's wards their populations, by ward name in any case, for the per head
    figures. A file with any population that is not a whole number from 0 to MAX_POPULATION
    is refused whole, so that a bad file leaves no ward changed."""
    bad = sorted(f"{name}: {value!r}" for name, value in populations.items()
                 if not _is_population(value))
    if bad:
        raise RuleBroken("These populations are not whole numbers from 0 to "
                         f"{MAX_POPULATION:,}: {', '.join(bad)}")
    found, unknown = wards.by_name(populations)
    changed = []
    for name, ward in found.items():
        if ward.population != int(populations[name]):
            ward.population = int(populations[name])
            changed.append(ward.name)
    audit.record("places.populations_set", details={"wards": sorted(changed)})
    db.session.commit()
    return Populations(sorted(changed), unknown)
