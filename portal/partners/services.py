"""Funding partners' pages: read-only, for a partner's own staff and for the council's funding
staff, what the partner put into the pots and what its money paid for.

Every figure is the partner's share as portal.funding.attribution works it out, the one source
of them: its share of each award's and contract's money from each pot it funds or contributed
to, and of each payment. Those shares are then grouped:

- by ward, as funding by place shares money (portal.reporting.places.share_out): an award's to
  its application's wards, a contract's to its wards (or across its locality), equally in
  whole pence, so each row adds up exactly to the total;
- by theme: an award's shared equally between its application's themes, a contract's all to
  its programme; money with no theme is on the "No theme" row.

A quarter's statement is the year's figures as they stood at the quarter's end (the entries
made before the next day began in the UK): one Statement, rendered as a page, a PDF and a
workbook, so the three agree.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from models import (
    Application,
    Award,
    Contract,
    ContractReturn,
    FundingPartner,
    Kpi,
    KpiTarget,
    Locality,
    Organisation,
    Programme,
    ReturnValue,
    Theme,
    User,
    Ward,
)
from models.associations import application_themes, application_wards
from models.contracts import contract_wards
from portal import exports, policies
from portal.dates import london_midnight_utc, to_london
from portal.exceptions import NotFound
from portal.extensions import db
from portal.financial_years import FinancialYear
from portal.funding import attribution
from portal.funding.ledger import Spend
from portal.money import exact_pounds
from portal.monitoring.benchmarking import format_figure
from portal.monitoring.quarters import Quarter, last_ended
from portal.paging import ListPage
from portal.reporting.places import ACROSS_LOCALITY, UNASSIGNED, Served, Shares, share_out

PER_PAGE = 25
POOLED = "Contribution to a pooled pot"
OWN = "Your own pot"
NO_THEME = "No theme"
NO_TARGET = "Not set"
NO_VALUE = "Not sent"


# Whose pages ------------------------------------------------------------------------------


def viewable_partner(user: User, partner_id: int) -> FundingPartner:
    """The partner if the user may see its pages; NotFound otherwise, so that another
    partner's id reveals no more than an unknown one."""
    partner = db.session.get(FundingPartner, partner_id)
    if partner is None or not policies.can_view_partner(user, partner):
        raise NotFound(partner_id)
    return partner


def own_partner_id(user: User) -> int:
    """The partner a partner's member of staff works for."""
    if not policies.is_partner_staff(user):
        raise NotFound
    return user.partner_id


def _years(partner_id: int) -> list[str]:
    """The financial years of the partner's pots, newest first."""
    pots = attribution.partner_pots(partner_id, None).values()
    return sorted({pot.financial_year for pot in pots}, reverse=True)


def _chosen_year(years: list[str], slug: str | None) -> str | None:
    """The year asked for (written 2024-25) if the partner has pots in it, else the newest."""
    try:
        year = FinancialYear.from_slug(slug or "").label
    except ValueError:
        year = None
    return year if year in years else next(iter(years), None)


# What the partner put in ------------------------------------------------------------------


@dataclass(frozen=True)
class PotRow:
    """What the partner put into one pot, and its share of what the pot committed and paid."""

    name: str
    how: str  # POOLED or OWN
    given_pence: int
    spend: Spend


@dataclass(frozen=True)
class YearMoney:
    year: str
    rows: list[PotRow]

    @property
    def given_pence(self) -> int:
        return sum(row.given_pence for row in self.rows)

    @property
    def spend(self) -> Spend:
        return sum((row.spend for row in self.rows), Spend())


def _year_money(partner_id: int, years: list[str] | None,
                before: datetime | None = None) -> list[YearMoney]:
    """Each year's pots of the partner (of `years`, or all), newest year first."""
    pots = attribution.partner_pots(partner_id, years)
    given = attribution.given(partner_id, pots.values(), before)
    spends: dict[int, Spend] = defaultdict(Spend)
    for item in attribution.partner_items(partner_id, years, before):
        spends[item.pot.id] += item.spend
    by_year: dict[str, list[PotRow]] = defaultdict(list)
    for pot in sorted(pots.values(), key=lambda pot: (pot.name, pot.id)):
        by_year[pot.financial_year].append(PotRow(
            pot.name, POOLED if pot.pooled else OWN, given.get(pot.id, 0), spends[pot.id]))
    return [YearMoney(year, by_year[year]) for year in sorted(by_year, reverse=True)]


@dataclass(frozen=True)
class Overview:
    partner: FundingPartner
    years: list[YearMoney]


def overview(user: User, partner_id: int) -> Overview:
    """The partner's money in, year by year, and its share of what was committed and paid."""
    partner = viewable_partner(user, partner_id)
    return Overview(partner, _year_money(partner.id, None))


# What its money paid for ------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """An award or a contract, as the partner's pages show it."""

    kind: str  # "Award" or "Contract"
    reference: str
    recipient: str
    title: str
    ward_ids: frozenset[int]
    wards: tuple[str, ...]
    locality_id: int | None
    themes: tuple[str, ...]


def _awards(ids: set[int]) -> dict[int, Subject]:
    """The awards with their applications' wards and themes: three queries."""
    if not ids:
        return {}
    found = db.session.execute(
        select(Award.id, Award.application_id, Award.reference, Organisation.name,
               Application.title)
        .join(Application, Application.id == Award.application_id)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .where(Award.id.in_(ids))).all()
    application_ids = [row.application_id for row in found]
    wards: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for application_id, ward_id, name in db.session.execute(
            select(application_wards.c.application_id, Ward.id, Ward.name)
            .join(Ward, Ward.id == application_wards.c.ward_id)
            .where(application_wards.c.application_id.in_(application_ids))
            .order_by(Ward.name)):
        wards[application_id].append((ward_id, name))
    themes: dict[int, list[str]] = defaultdict(list)
    for application_id, name in db.session.execute(
            select(application_themes.c.application_id, Theme.name)
            .join(Theme, Theme.id == application_themes.c.theme_id)
            .where(application_themes.c.application_id.in_(application_ids))
            .order_by(Theme.name)):
        themes[application_id].append(name)
    return {row.id: Subject("Award", row.reference, row.name, row.title or "",
                            frozenset(ward_id for ward_id, _ in wards[row.application_id]),
                            tuple(name for _, name in wards[row.application_id]), None,
                            tuple(themes[row.application_id]))
            for row in found}


def _contracts(ids: set[int]) -> dict[int, Subject]:
    """The contracts with their wards, locality and programme (their theme): two queries."""
    if not ids:
        return {}
    wards: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for contract_id, ward_id, name in db.session.execute(
            select(contract_wards.c.contract_id, Ward.id, Ward.name)
            .join(Ward, Ward.id == contract_wards.c.ward_id)
            .where(contract_wards.c.contract_id.in_(ids)).order_by(Ward.name)):
        wards[contract_id].append((ward_id, name))
    found = db.session.execute(
        select(Contract.id, Contract.reference, Organisation.name, Contract.title,
               Contract.locality_id, Locality.name.label("locality"),
               Programme.name.label("programme"))
        .join(Organisation, Organisation.id == Contract.provider_id)
        .join(Programme, Programme.id == Contract.programme_id)
        .outerjoin(Locality, Locality.id == Contract.locality_id)
        .where(Contract.id.in_(ids)))
    return {row.id: Subject(
        "Contract", row.reference, row.name, row.title,
        frozenset(ward_id for ward_id, _ in wards[row.id]),
        tuple(name for _, name in wards[row.id]) or ((row.locality,) if row.locality else ()),
        row.locality_id, (row.programme,))
        for row in found}


def _subjects(items: Iterable) -> dict[tuple[str, int], Subject]:
    """The awards and contracts that `items` (with award_id and contract_id) are for, by
    ("award", id) and ("contract", id): five queries at most."""
    items = list(items)
    awards = _awards({item.award_id for item in items if item.award_id is not None})
    contracts = _contracts({item.contract_id for item in items if item.contract_id is not None})
    return {**{("award", key): subject for key, subject in awards.items()},
            **{("contract", key): subject for key, subject in contracts.items()}}


def _subject_of(subjects: dict[tuple[str, int], Subject], item) -> Subject:
    if item.award_id is not None:
        return subjects[("award", item.award_id)]
    return subjects[("contract", item.contract_id)]


@dataclass(frozen=True)
class Line:
    """The partner's share of one award's or contract's money from one pot."""

    subject: Subject
    pot: str
    spend: Spend


def _lines(partner_id: int, year: str, before: datetime | None = None) -> list[Line]:
    """The partner's share of each award and contract of the year, by kind and reference."""
    items = attribution.partner_items(partner_id, [year], before)
    subjects = _subjects(items)
    lines = [Line(_subject_of(subjects, item), item.pot.name, item.spend) for item in items]
    return sorted(lines, key=lambda line: (line.subject.kind, line.subject.reference,
                                           line.pot))


@dataclass(frozen=True)
class GroupRow:
    name: str
    spend: Spend


def _shared_out(lines: list[Line], amounts: list[int]) -> Shares:
    """Each line's amount shared out to its places."""
    return share_out(Served(amount, set(line.subject.ward_ids), line.subject.locality_id)
                     for line, amount in zip(lines, amounts, strict=True))


def _by_ward(lines: list[Line]) -> list[GroupRow]:
    """The lines' money by ward (by locality, then ward), then across localities, then
    unassigned: one query for the places' names."""
    committed = _shared_out(lines, [line.spend.committed_pence for line in lines])
    paid = _shared_out(lines, [line.spend.paid_pence for line in lines])
    names = db.session.execute(select(Locality.id, Locality.name, Ward.id, Ward.name)
                               .outerjoin(Ward, Ward.locality_id == Locality.id)
                               .order_by(Locality.name, Ward.name)).all()
    rows = [GroupRow(ward, Spend(committed.wards.get(ward_id, 0), paid.wards.get(ward_id, 0)))
            for _, _, ward_id, ward in names if ward_id in committed.wards.keys() | paid.wards]
    localities = {locality_id: name for locality_id, name, _, _ in names}
    rows += [GroupRow(ACROSS_LOCALITY.format(locality=localities[locality_id]),
                      Spend(committed.localities.get(locality_id, 0),
                            paid.localities.get(locality_id, 0)))
             for locality_id in sorted(committed.localities.keys() | paid.localities,
                                       key=localities.get)]
    unassigned = Spend(committed.unassigned, paid.unassigned)
    return rows + ([GroupRow(UNASSIGNED, unassigned)] if unassigned != Spend() else [])


def _by_theme(lines: list[Line]) -> list[GroupRow]:
    """The lines' money by theme, shared equally between an award's themes (as the
    attribution shares between partners: by largest remainder), by theme name."""
    totals: dict[str, Spend] = defaultdict(Spend)
    for line in lines:
        themes = line.subject.themes or (NO_THEME,)
        for theme, share in attribution.attribute(line.spend, dict.fromkeys(themes, 1)).items():
            totals[theme] += share
    return [GroupRow(theme, totals[theme]) for theme in sorted(totals)]


def _total(lines: Iterable[Line]) -> Spend:
    return sum((line.spend for line in lines), Spend())


@dataclass(frozen=True)
class YearChoice:
    """The partner, its years (newest first) and the one shown (None without pots)."""

    partner: FundingPartner
    years: list[str]
    year: str | None

    @property
    def year_slug(self) -> str:
        return FinancialYear.parse(self.year).slug if self.year else ""


def _year_choice(user: User, partner_id: int, year_slug: str | None) -> YearChoice:
    partner = viewable_partner(user, partner_id)
    years = _years(partner.id)
    return YearChoice(partner, years, _chosen_year(years, year_slug))


@dataclass(frozen=True)
class PaidFor:
    choice: YearChoice
    by_ward: list[GroupRow]
    by_theme: list[GroupRow]
    total: Spend
    lines: ListPage


def paid_for(user: User, partner_id: int, year_slug: str | None, page: int) -> PaidFor:
    """The year's awards and contracts paid for by the partner's money, by ward and by theme,
    with a page of them (25) in full."""
    choice = _year_choice(user, partner_id, year_slug)
    lines = _lines(choice.partner.id, choice.year) if choice.year else []
    return PaidFor(choice, _by_ward(lines), _by_theme(lines), _total(lines),
                   ListPage(page=page, per_page=PER_PAGE, error_out=False, items=lines))


# Payments ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentLine:
    """The partner's share of one payment (a clawback's negative)."""

    made_on: date
    kind: str
    subject: Subject
    pot: str
    amount_pence: int


def _payment_lines(partner_id: int, year: str,
                   before: datetime | None = None) -> list[PaymentLine]:
    """The partner's share of each of the year's payments and clawbacks, oldest first."""
    shares = attribution.partner_payments(partner_id, [year], before)
    subjects = _subjects(shares)
    ordered = sorted(shares, key=lambda share: share.made_at)
    return [PaymentLine(to_london(share.made_at).date(), share.kind.label,
                        _subject_of(subjects, share), share.pot.name, share.amount_pence)
            for share in ordered]


@dataclass(frozen=True)
class Payments:
    choice: YearChoice
    total_pence: int
    lines: ListPage


def payments(user: User, partner_id: int, year_slug: str | None, page: int) -> Payments:
    """The partner's share of the year's payments, 25 a page, with their total."""
    choice = _year_choice(user, partner_id, year_slug)
    lines = _payment_lines(choice.partner.id, choice.year) if choice.year else []
    return Payments(choice, sum(line.amount_pence for line in lines),
                    ListPage(page=page, per_page=PER_PAGE, error_out=False, items=lines))


# KPIs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiLine:
    """A KPI of a contract the partner pays for: its target and reported value (as text) for
    each quarter asked for."""

    contract: str
    provider: str
    kpi: str
    figures: list[tuple[str, str]]


def _kpi_lines(contract_ids: set[int], quarters: list[Quarter]) -> list[KpiLine]:
    """The contracts' KPIs, each quarter's target and value: three queries. A queried
    return's values are left out until it is sent again, as the monitoring benchmark does."""
    if not contract_ids:
        return []
    year, numbers = quarters[0].financial_year, [quarter.number for quarter in quarters]
    kpis = db.session.execute(
        select(Kpi.id, Kpi.name, Kpi.unit, Contract.reference, Organisation.name)
        .join(Contract, Contract.id == Kpi.contract_id)
        .join(Organisation, Organisation.id == Contract.provider_id)
        .where(Kpi.contract_id.in_(contract_ids)).order_by(Contract.reference, Kpi.id)).all()
    targets = {(kpi_id, number): target for kpi_id, number, target in db.session.execute(
        select(KpiTarget.kpi_id, KpiTarget.quarter, KpiTarget.target)
        .where(KpiTarget.kpi_id.in_([kpi.id for kpi in kpis]),
               KpiTarget.financial_year == year, KpiTarget.quarter.in_(numbers)))}
    values = {(kpi_id, number): value for kpi_id, number, value in db.session.execute(
        select(ReturnValue.kpi_id, ContractReturn.quarter, ReturnValue.value)
        .join(ContractReturn, ContractReturn.id == ReturnValue.return_id)
        .where(ContractReturn.contract_id.in_(contract_ids),
               ContractReturn.financial_year == year, ContractReturn.quarter.in_(numbers),
               ContractReturn.counted))}
    return [KpiLine(reference, provider, name, [
        (_figure(targets.get((kpi_id, number)), unit, NO_TARGET),
         _figure(values.get((kpi_id, number)), unit, NO_VALUE)) for number in numbers])
        for kpi_id, name, unit, reference, provider in kpis]


def _figure(value, unit: str, missing: str) -> str:
    return missing if value is None else format_figure(value, unit)


def _paid_contracts(partner_id: int, year: str, before: datetime | None = None) -> set[int]:
    return {item.contract_id for item in attribution.partner_items(partner_id, [year], before)
            if item.contract_id is not None}


@dataclass(frozen=True)
class Kpis:
    choice: YearChoice
    quarters: list[Quarter]
    lines: list[KpiLine]


def kpis(user: User, partner_id: int, year_slug: str | None) -> Kpis:
    """Each quarter's targets and values of the year for the KPIs of the contracts the
    partner's money pays for."""
    choice = _year_choice(user, partner_id, year_slug)
    if choice.year is None:
        return Kpis(choice, [], [])
    quarters = [Quarter.of(choice.year, number) for number in range(1, 5)]
    return Kpis(choice, quarters,
                _kpi_lines(_paid_contracts(choice.partner.id, choice.year), quarters))


# The quarterly statement ------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """A partner's statement for a financial year as it stood at the end of a quarter: plain
    data, so that the page, the PDF and the workbook render the same figures."""

    partner_id: int
    partner_name: str
    org_id: str
    years: list[str]
    quarter: Quarter
    money: YearMoney
    lines: list[Line]
    total: Spend
    payments: list[PaymentLine]
    payments_total_pence: int
    kpis: list[KpiLine]

    @property
    def file_name(self) -> str:
        return (f"partner-statement-{self.org_id.lower()}-{self.quarter.year.slug}"
                f"-q{self.quarter.number}")


def _quarter(year: str, number: int | None, now: datetime) -> Quarter:
    """The quarter asked for, else the year's last to have ended (Q4 of a past year, Q1 of
    one to come)."""
    if number in (1, 2, 3, 4):
        return Quarter.of(year, number)
    last = last_ended(now)
    if last.financial_year == year:
        return last
    return Quarter.of(year, 4 if year < last.financial_year else 1)


def statement(user: User, partner_id: int, year_slug: str | None, quarter: int | None,
              now: datetime) -> Statement:
    """The statement for the year and quarter (by default the newest year and its last quarter
    to have ended): the figures of the pages, as they stood at the quarter's end."""
    choice = _year_choice(user, partner_id, year_slug)
    if choice.year is None:
        raise NotFound(partner_id)
    shown = _quarter(choice.year, quarter, now)
    before = london_midnight_utc(shown.ends_on + timedelta(days=1))
    partner_id = choice.partner.id
    money = _year_money(partner_id, [choice.year], before)
    lines = _lines(partner_id, choice.year, before)
    paid = _payment_lines(partner_id, choice.year, before)
    return Statement(
        partner_id, choice.partner.name, choice.partner.org_id, choice.years, shown,
        money[0] if money else YearMoney(choice.year, []), lines, _total(lines), paid,
        sum(line.amount_pence for line in paid),
        _kpi_lines(_paid_contracts(partner_id, choice.year, before), [shown]))


MONEY_IN_HEADINGS = ["Pot", "How", "Money in", "Committed", "Paid"]
PAID_FOR_HEADINGS = ["Kind", "Reference", "Recipient", "Title", "Wards", "Themes", "Pot",
                     "Committed", "Paid"]
PAYMENT_HEADINGS = ["Date", "Kind", "Reference", "Recipient", "Pot", "Amount"]
KPI_HEADINGS = ["Contract", "Provider", "KPI", "Target", "Value"]
TOTAL = "Total"


def statement_sheets(statement: Statement) -> list[exports.Sheet]:
    """The statement as a workbook's sheets (money as exact pounds), each ending with its
    total row, as on the page."""
    money, total = statement.money, statement.total
    return [
        exports.Sheet("Contributions", MONEY_IN_HEADINGS, [
            *([row.name, row.how, exact_pounds(row.given_pence), *_pounds(row.spend)]
              for row in money.rows),
            [TOTAL, "", exact_pounds(money.given_pence), *_pounds(money.spend)]],
            {"Money in", "Committed", "Paid"}),
        exports.Sheet("Paid for", PAID_FOR_HEADINGS, [
            *([line.subject.kind, line.subject.reference, line.subject.recipient,
               line.subject.title, ", ".join(line.subject.wards),
               ", ".join(line.subject.themes), line.pot,
               *_pounds(line.spend)] for line in statement.lines),
            [TOTAL, "", "", "", "", "", "", *_pounds(total)]],
            {"Committed", "Paid"}),
        exports.Sheet("Payments", PAYMENT_HEADINGS, [
            *([line.made_on, line.kind, line.subject.reference, line.subject.recipient,
               line.pot, exact_pounds(line.amount_pence)] for line in statement.payments),
            [TOTAL, "", "", "", "", exact_pounds(statement.payments_total_pence)]],
            {"Amount"}),
        exports.Sheet("KPIs", KPI_HEADINGS, [
            [line.contract, line.provider, line.kpi, *line.figures[0]]
            for line in statement.kpis], set()),
    ]


def _pounds(spend: Spend) -> list:
    return [exact_pounds(spend.committed_pence), exact_pounds(spend.paid_pence)]
