"""Funding pots: officers set them up, change their budgets and move budget between them; the
dashboard shows every pot's figures. Every movement of money goes through portal.funding.ledger,
so the figures here are always sums of ledger entries (stored by the ledger as it adds them, so
that the dashboard reads a row a pot, or a scheme and pot, not the whole ledger)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from models import (
    Application,
    Award,
    FundingPot,
    LedgerEntry,
    Programme,
    Round,
    Scheme,
    SchemePotSpend,
    Theme,
    User,
    Ward,
)
from models.enums import FundingSource, LedgerKind, PotStatus
from portal import audit, policies
from portal.exceptions import NotFound, RuleBroken
from portal.extensions import db
from portal.financial_years import FinancialYear
from portal.funding import ledger, partners
from portal.funding.ledger import Balance, Spend
from portal.money import exact_pounds

PER_PAGE = 25
DUPLICATE_NAME = "There is already a pot called {name} in {year}: give this pot another name"

EXPORT_HEADINGS = ["Financial year", "Pot", "Source", "Funder", "Funder org-id", "Status",
                   "Budget", "Committed", "Paid", "Available"]
MONEY_COLUMNS = {"Budget", "Committed", "Paid", "Available"}
SCHEME_EXPORT_HEADINGS = ["Financial year", "Scheme", "Core committed", "Core paid",
                          "External committed", "External paid", "Total committed",
                          "Total paid"]
SCHEME_MONEY_COLUMNS = set(SCHEME_EXPORT_HEADINGS[2:])
# The row of a year's money that is for no scheme's award (a contract's, or posted by hand).
NOT_FOR_A_SCHEME = "Not for a scheme’s award"


def total(figures: Iterable[Balance]) -> Balance:
    """The sum of several pots' figures."""
    budget = committed = paid = 0
    for balance in figures:
        budget += balance.budget_pence
        committed += balance.committed_pence
        paid += balance.paid_pence
    return Balance(budget, committed, paid)


@dataclass(frozen=True)
class PotRow:
    pot: FundingPot
    balance: Balance


def _by_source(spends: dict[FundingSource, Spend] | None = None) -> dict[FundingSource, Spend]:
    """Every source, with nothing for those missing from `spends`."""
    return {source: (spends or {}).get(source, Spend()) for source in FundingSource}


@dataclass(frozen=True)
class SchemeRow:
    """What one scheme's awards have committed and been paid from core pots and from external
    pots of one financial year; `scheme_id` is None for the money that is for no scheme's
    award."""

    scheme_id: int | None
    name: str
    year: str
    by_source: dict[FundingSource, Spend]

    @property
    def total(self) -> Spend:
        return sum(self.by_source.values(), Spend())

    @property
    def year_slug(self) -> str:
        """The year as the scheme-year page's URL has it: 2024-25."""
        return FinancialYear.parse(self.year).slug


@dataclass(frozen=True)
class YearGroup:
    """One financial year's pots with their totals, overall and by source, and what each
    scheme's awards spend from them. The schemes' rows and `not_for_schemes` add up to the
    pots' committed and paid totals by source."""

    year: str
    rows: list[PotRow]
    total: Balance
    by_source: dict[FundingSource, Balance]
    schemes: list[SchemeRow]

    @property
    def not_for_schemes(self) -> SchemeRow | None:
        """The year's money committed or paid for no scheme's award, if there is any."""
        rest = {source: Spend(balance.committed_pence, balance.paid_pence)
                - sum((row.by_source[source] for row in self.schemes), Spend())
                for source, balance in self.by_source.items()}
        if all(spend == Spend() for spend in rest.values()):
            return None
        return SchemeRow(None, NOT_FOR_A_SCHEME, self.year, rest)


@dataclass(frozen=True)
class Dashboard:
    years: list[str]  # every year that has a pot, newest first: the filter's options
    year: str | None  # the year shown, or None for all
    groups: list[YearGroup]

    @property
    def has_scheme_rows(self) -> bool:
        """Whether any money has been committed or paid from the pots shown."""
        return any(group.schemes or group.not_for_schemes for group in self.groups)


def _years() -> list[str]:
    query = select(FundingPot.financial_year).distinct()
    return sorted(db.session.scalars(query), reverse=True)


def _pot_rows(year: str | None) -> list[PotRow]:
    """The pots of `year` (all when None), newest year first then by name, with the figures
    their rows store: one query however many pots and entries there are."""
    query = select(FundingPot).order_by(FundingPot.financial_year.desc(), FundingPot.name)
    if year is not None:
        query = query.where(FundingPot.financial_year == year)
    return [PotRow(pot, ledger.balance_of(pot)) for pot in db.session.scalars(query)]


def _through_awards(query):
    """`query` of ledger entries joined to their pots and to the awards they are for, their
    applications and rounds: entries for no award are left out."""
    return (query.join(FundingPot, FundingPot.id == LedgerEntry.pot_id)
            .join(Award, Award.id == LedgerEntry.award_id)
            .join(Application, Application.id == Award.application_id)
            .join(Round, Round.id == Application.round_id))


def _scheme_rows(year: str | None, scheme_id: int | None = None) -> list[SchemeRow]:
    """Each scheme's committed and paid money by the financial year of the pots it comes
    from, core and external apart, from what the ledger stores for each scheme and pot (not
    the entries: a few rows whatever the size of the ledger), in one query; newest year
    first, then by scheme name. Only `year` and `scheme_id` when given."""
    query = (select(Scheme.id, Scheme.name, FundingPot.financial_year, FundingPot.source,
                    func.sum(SchemePotSpend.committed_pence),
                    func.sum(SchemePotSpend.paid_pence))
             .select_from(SchemePotSpend)
             .join(Scheme, Scheme.id == SchemePotSpend.scheme_id)
             .join(FundingPot, FundingPot.id == SchemePotSpend.pot_id)
             .group_by(Scheme.id, Scheme.name, FundingPot.financial_year, FundingPot.source)
             .order_by(FundingPot.financial_year.desc(), Scheme.name, Scheme.id))
    if year is not None:
        query = query.where(FundingPot.financial_year == year)
    if scheme_id is not None:
        query = query.where(Scheme.id == scheme_id)
    found: dict[tuple[int, str], tuple[str, dict[FundingSource, Spend]]] = {}
    for row_id, name, row_year, source, committed, paid in db.session.execute(query):
        _, spends = found.setdefault((row_id, row_year), (name, {}))
        spends[source] = Spend(int(committed), int(paid))
    return [SchemeRow(row_id, name, row_year, _by_source(spends))
            for (row_id, row_year), (name, spends) in found.items()]


def dashboard(user: User, year: str | None = None) -> Dashboard:
    """Every pot's budget, committed, paid and available, grouped by financial year, with each
    year's totals for core and external money, and each scheme's core and external money by
    year. A year with no pots shows all years."""
    policies.require(policies.can_view_funding(user))
    years = _years()
    shown = year if year in years else None
    groups = []
    by_year: dict[str, list[PotRow]] = {}
    for row in _pot_rows(shown):
        by_year.setdefault(row.pot.financial_year, []).append(row)
    schemes: dict[str, list[SchemeRow]] = {}
    for scheme_row in _scheme_rows(shown):
        schemes.setdefault(scheme_row.year, []).append(scheme_row)
    for group_year, rows in by_year.items():
        groups.append(YearGroup(
            group_year, rows, total(row.balance for row in rows),
            {source: total(row.balance for row in rows if row.pot.source is source)
             for source in FundingSource}, schemes.get(group_year, [])))
    return Dashboard(years, shown, groups)


def export_rows(user: User, year: str | None = None) -> list[list]:
    """The dashboard's pots, one row each, money as Decimal pounds, for CSV and XLSX."""
    policies.require(policies.can_view_funding(user))
    shown = year if year in _years() else None
    return [[row.pot.financial_year, row.pot.name, row.pot.source.label, row.pot.funder_name,
             row.pot.funder_org_id, row.pot.status.label, exact_pounds(row.balance.budget_pence),
             exact_pounds(row.balance.committed_pence), exact_pounds(row.balance.paid_pence),
             exact_pounds(row.balance.available_pence)]
            for row in _pot_rows(shown)]


def scheme_export_rows(user: User, year: str | None = None) -> list[list]:
    """The dashboard's schemes table, one row for each scheme and year (and one for each
    year's money for no scheme's award), money as Decimal pounds, for CSV and XLSX."""
    rows = []
    for group in dashboard(user, year).groups:
        other = group.not_for_schemes
        for row in [*group.schemes, *([other] if other else [])]:
            spends = (row.by_source[FundingSource.CORE],
                      row.by_source[FundingSource.EXTERNAL], row.total)
            rows.append([row.year, row.name, *(exact_pounds(pence) for spend in spends
                                               for pence in (spend.committed_pence,
                                                             spend.paid_pence))])
    return rows


@dataclass(frozen=True)
class RestrictionChoices:
    """What a pot can be restricted to: the checkboxes of the pot form."""

    schemes: list[Scheme]
    themes: list[Theme]  # with their schemes loaded, to be listed as "Scheme: theme"
    wards: list[Ward]
    programmes: list[Programme]


def restriction_choices(user: User) -> RestrictionChoices:
    policies.require(policies.can_manage_funding_pots(user))
    schemes = list(db.session.scalars(select(Scheme).order_by(Scheme.name)))
    themes = list(db.session.scalars(
        select(Theme).join(Theme.scheme).options(joinedload(Theme.scheme))
        .order_by(Scheme.name, Theme.name)))
    wards = list(db.session.scalars(select(Ward).order_by(Ward.name)))
    programmes = list(db.session.scalars(select(Programme).order_by(Programme.name)))
    return RestrictionChoices(schemes, themes, wards, programmes)


@dataclass(frozen=True)
class PotDetails:
    """What an officer may set and later change about a pot (not its year, source or
    budget). Empty restrictions mean the pot may fund any scheme, theme or ward. A pot
    restricted to commissioning programmes pays their contracts and no grants."""

    name: str
    funder_name: str
    funder_org_id: str = ""
    acknowledgement: str = ""
    spend_by: date | None = None
    scheme_ids: list[int] = field(default_factory=list)
    theme_ids: list[int] = field(default_factory=list)
    ward_ids: list[int] = field(default_factory=list)
    programme_ids: list[int] = field(default_factory=list)


def _by_ids(model, ids: list[int]) -> list:
    if not ids:
        return []
    return list(db.session.scalars(select(model).where(model.id.in_(ids))))


def _check_name_free(name: str, year: str, pot_id: int | None = None) -> None:
    query = select(FundingPot.id).where(FundingPot.financial_year == year,
                                        FundingPot.name == name)
    if pot_id is not None:
        query = query.where(FundingPot.id != pot_id)
    if db.session.scalar(query) is not None:
        raise RuleBroken(DUPLICATE_NAME.format(name=name, year=year), field="name")


def _apply(pot: FundingPot, details: PotDetails) -> None:
    # The restrictions are read before anything is set, so that no autoflush writes the pot
    # half-changed.
    schemes = _by_ids(Scheme, details.scheme_ids)
    themes = _by_ids(Theme, details.theme_ids)
    wards = _by_ids(Ward, details.ward_ids)
    programmes = _by_ids(Programme, details.programme_ids)
    pot.partner = partners.partner_of(pot.source, pot.pooled, details.funder_name,
                                      details.funder_org_id)
    pot.name = details.name
    pot.funder_name = details.funder_name
    pot.funder_org_id = details.funder_org_id
    pot.acknowledgement = details.acknowledgement
    pot.spend_by = details.spend_by
    pot.schemes, pot.themes, pot.wards = schemes, themes, wards
    pot.programmes = programmes


def _flush_pot(pot: FundingPot) -> None:
    """Write the pot; another officer saving the same name in the year at the same moment
    breaks the unique constraint, which is told like any duplicate name."""
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise RuleBroken(DUPLICATE_NAME.format(name=pot.name, year=pot.financial_year),
                         field="name") from error


def _snapshot(pot: FundingPot) -> dict:
    """A pot's details as the audit log records them."""
    return {"name": pot.name, "funder_name": pot.funder_name,
            "funder_org_id": pot.funder_org_id, "acknowledgement": pot.acknowledgement,
            "spend_by": pot.spend_by.isoformat() if pot.spend_by else None,
            "status": pot.status.value,
            "schemes": sorted(scheme.id for scheme in pot.schemes),
            "themes": sorted(theme.id for theme in pot.themes),
            "wards": sorted(ward.id for ward in pot.wards),
            "programmes": sorted(programme.id for programme in pot.programmes)}


def create_pot(user: User, details: PotDetails, financial_year: str, source: FundingSource,
               budget_pence: int, reason: str, set_up_from: FundingPot | None = None,
               contributor_id: int | None = None) -> FundingPot:
    """A new open pot with its opening budget as its first ledger entry, in one transaction;
    `set_up_from` names last year's pot it was set up from, for the audit log. A pot with a
    `contributor_id` is pooled: its opening budget is that partner's contribution."""
    policies.require(policies.can_manage_funding_pots(user))
    try:
        year = FinancialYear.parse(financial_year).label
    except ValueError as error:
        raise RuleBroken("Enter the financial year like 2024/25",
                         field="financial_year") from error
    if budget_pence <= 0:
        raise RuleBroken("The opening budget must be more than £0", field="budget")
    _check_name_free(details.name, year)
    pooled = contributor_id is not None
    if pooled and source is not FundingSource.EXTERNAL:
        raise RuleBroken("A pooled pot is partners’ money: its source is external",
                         field="source")
    pot = FundingPot(financial_year=year, source=source, status=PotStatus.OPEN, pooled=pooled)
    _apply(pot, details)
    db.session.add(pot)
    _flush_pot(pot)
    try:
        ledger.post(user, [ledger.Posting(pot.id, LedgerKind.BUDGET, budget_pence,
                                          contributor_id)], reason)
    except ledger.LedgerRefused:
        db.session.rollback()
        raise
    audit.record("funding_pot.created", actor=user, subject=pot,
                 details={**_snapshot(pot), "financial_year": year, "source": source.value,
                          "pooled": pooled,
                          "budget_pence": budget_pence,
                          "set_up_from": set_up_from and set_up_from.id})
    db.session.commit()
    return pot


def get_pot(user: User, pot_id: int) -> FundingPot:
    """A pot with its restrictions; NotFound when there is none."""
    policies.require(policies.can_view_funding(user))
    pot = db.session.scalar(
        select(FundingPot).where(FundingPot.id == pot_id)
        .options(selectinload(FundingPot.schemes),
                 selectinload(FundingPot.themes).joinedload(Theme.scheme),
                 selectinload(FundingPot.wards), selectinload(FundingPot.programmes)))
    if pot is None:
        raise NotFound(pot_id)
    return pot


def balance_of(user: User, pot: FundingPot) -> Balance:
    policies.require(policies.can_view_funding(user))
    return ledger.balances([pot.id])[pot.id]


@dataclass(frozen=True)
class EntriesPage:
    """A page of ledger entries, with the awards they are for (by id) and each award's
    organisation, loaded in one query for the page."""

    entries: Pagination
    awards: dict[int, Award]


def _entries_page(query, page: int) -> EntriesPage:
    """`query`'s entries newest first, 25 a page, with who made each and its pot: three
    queries (the count, the page, the page's awards) whatever the number of entries."""
    entries = db.paginate(
        query.options(joinedload(LedgerEntry.actor), joinedload(LedgerEntry.pot),
                      joinedload(LedgerEntry.partner))
        .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc()),
        page=page, per_page=PER_PAGE, error_out=False)
    award_ids = {entry.award_id for entry in entries.items if entry.award_id is not None}
    awards = db.session.scalars(
        select(Award).where(Award.id.in_(award_ids))
        .options(joinedload(Award.application).joinedload(Application.organisation)))
    return EntriesPage(entries, {award.id: award for award in awards})


def entries_page(user: User, pot: FundingPot, page: int = 1) -> EntriesPage:
    """The pot's ledger entries, newest first, 25 a page, with the award each is for."""
    policies.require(policies.can_view_funding(user))
    return _entries_page(select(LedgerEntry).where(LedgerEntry.pot_id == pot.id), page)


@dataclass(frozen=True)
class SchemeYear:
    """A scheme's awards' money in one financial year: its figures, as the dashboard shows
    them, and the ledger entries they are the sums of."""

    scheme: Scheme
    figures: SchemeRow
    entries: EntriesPage


def scheme_year(user: User, scheme_id: int, year_slug: str, page: int = 1) -> SchemeYear:
    """The ledger entries of the scheme's awards against pots of the financial year written
    like 2024-25, newest first, a page at a time; NotFound for an unknown scheme or a
    year not written so."""
    policies.require(policies.can_view_funding(user))
    try:
        year = FinancialYear.from_slug(year_slug).label
    except ValueError as error:
        raise NotFound(year_slug) from error
    scheme = db.session.get(Scheme, scheme_id)
    if scheme is None:
        raise NotFound(scheme_id)
    figures = next(iter(_scheme_rows(year, scheme.id)),
                   SchemeRow(scheme.id, scheme.name, year, _by_source()))
    query = _through_awards(select(LedgerEntry)).where(Round.scheme_id == scheme.id,
                                                       FundingPot.financial_year == year)
    return SchemeYear(scheme, figures, _entries_page(query, page))


def update_pot(user: User, pot: FundingPot, details: PotDetails, status: PotStatus) -> None:
    """Change a pot's details and whether it is open for awards; its year, source and budget
    stay (budgets change only through the ledger). The audit event lists what changed."""
    policies.require(policies.can_manage_funding_pots(user))
    _check_name_free(details.name, pot.financial_year, pot.id)
    before = _snapshot(pot)
    _apply(pot, details)
    pot.status = status
    _flush_pot(pot)
    after = _snapshot(pot)
    changes = {key: {"from": before[key], "to": after[key]}
               for key in after if before[key] != after[key]}
    if changes:
        audit.record("funding_pot.changed", actor=user, subject=pot, details=changes)
    db.session.commit()


def change_budget(user: User, pot: FundingPot, increase: bool, amount_pence: int,
                  reason: str, partner_id: int | None = None) -> None:
    """One budget entry, negative for a reduction; for a pooled pot, `partner_id`'s
    contribution, or part of it taken back. The ledger refuses a reduction below what is
    committed from the pot, and then nothing changes."""
    policies.require(policies.can_manage_funding_pots(user))
    signed = amount_pence if increase else -amount_pence
    try:
        ledger.post(user, [ledger.Posting(pot.id, LedgerKind.BUDGET, signed, partner_id)],
                    reason)
    except ledger.LedgerRefused:
        db.session.rollback()
        raise
    db.session.commit()


def transfer_targets(user: User, pot: FundingPot) -> list[FundingPot]:
    """The other pots of the pot's financial year, which budget can move to: not pooled ones,
    whose budget is only their partners' contributions."""
    policies.require(policies.can_manage_funding_pots(user))
    return list(db.session.scalars(
        select(FundingPot).where(FundingPot.financial_year == pot.financial_year,
                                 FundingPot.id != pot.id, FundingPot.pooled.is_(False))
        .order_by(FundingPot.name)))


def transfer(user: User, pot: FundingPot, to_pot_id: int, amount_pence: int,
             reason: str) -> FundingPot:
    """Move budget from `pot` to another pot of the same financial year; returns that pot."""
    policies.require(policies.can_manage_funding_pots(user))
    to_pot = db.session.get(FundingPot, to_pot_id)
    if to_pot is None or to_pot.id == pot.id or to_pot.financial_year != pot.financial_year:
        raise RuleBroken(f"Select another pot of {pot.financial_year} to transfer to",
                         field="to_pot")
    try:
        ledger.transfer(user, pot.id, to_pot.id, amount_pence, reason)
    except ledger.LedgerRefused:
        db.session.rollback()
        raise
    db.session.commit()
    return to_pot
