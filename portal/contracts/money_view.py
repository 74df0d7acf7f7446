"""A contract's money as its pages show it: each financial year's core and external money, what
the pots have secured of it, the external gap, the pots it draws from and its quarterly
instalments. Reads only; the changes are in `years` and `variations`."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Contract, ContractFunding, ContractInstalment, ContractYear, User
from models.base import utcnow
from models.enums import ContractStatus, FundingSource
from portal import policies
from portal.contracts import lifecycle, years
from portal.dates import to_london
from portal.exceptions import NotFound
from portal.extensions import db
from portal.financial_years import FinancialYear, labels_spanning


@dataclass(frozen=True)
class YearMoney:
    """One financial year of a contract; `row` is None while its money is not planned."""

    financial_year: FinancialYear
    row: ContractYear | None
    # The year has ended on an active contract: its money can no longer change.
    closed: bool

    @property
    def label(self) -> str:
        return self.financial_year.label

    @property
    def slug(self) -> str:
        return self.financial_year.slug

    @property
    def core_pence(self) -> int:
        return self.row.core_pence if self.row else 0

    @property
    def external_pence(self) -> int:
        return self.row.external_pence if self.row else 0

    @property
    def total_pence(self) -> int:
        return self.core_pence + self.external_pence

    @property
    def funding(self) -> list[ContractFunding]:
        return list(self.row.funding) if self.row else []

    @property
    def instalments(self) -> list[ContractInstalment]:
        return list(self.row.instalments) if self.row else []

    @property
    def secured_pence(self) -> int:
        """What the year's pots have committed to it (the contract's funding rows are the
        ledger's commitments, kept in step by `years.apply_plans`)."""
        return sum(each.amount_pence for each in self.funding)

    @property
    def gap_pence(self) -> int:
        """External money planned that no pot has secured yet."""
        secured = sum(each.amount_pence for each in self.funding
                      if each.pot.source is FundingSource.EXTERNAL)
        return self.external_pence - secured


@dataclass(frozen=True)
class ContractMoney:
    """A contract's money by year, and what can be done with it on `today`."""

    contract: Contract
    years: list[YearMoney]
    today: date

    def year(self, label: str) -> YearMoney | None:
        return next((each for each in self.years if each.label == label), None)

    @property
    def open_years(self) -> list[YearMoney]:
        return [each for each in self.years if not each.closed]

    def total(self, attribute: str) -> int:
        return sum(getattr(each, attribute) for each in self.years)

    @property
    def can_plan(self) -> bool:
        return self.contract.status in years.PLANNABLE and bool(self.open_years)

    @property
    def can_activate(self) -> bool:
        return lifecycle.may_move(self.contract, ContractStatus.ACTIVE)

    @property
    def can_vary(self) -> bool:
        """Extending and terminating early are for an active contract."""
        return self.contract.status is ContractStatus.ACTIVE

    @property
    def can_terminate(self) -> bool:
        return (lifecycle.may_move(self.contract, ContractStatus.TERMINATED)
                and self.today < self.contract.ends_on)

    @property
    def due_to_end(self) -> bool:
        return is_due_to_end(self.contract, self.today)

    @property
    def has_versions(self) -> bool:
        return self.contract.version > 0


def is_due_to_end(contract: Contract, today: date) -> bool:
    """An active contract whose end date has passed is ready to be marked ended."""
    return lifecycle.may_move(contract, ContractStatus.ENDED) and contract.ends_on < today


def contract_money(user: User, contract: Contract, now: datetime | None = None) -> ContractMoney:
    """The contract's money by year, every year of its dates, with the pots and instalments:
    three queries however many years, pots and instalments it has."""
    policies.require(policies.can_commission(user))
    today = to_london(now or utcnow()).date()
    rows = {row.financial_year: row for row in db.session.scalars(
        select(ContractYear).where(ContractYear.contract_id == contract.id)
        .options(selectinload(ContractYear.funding).joinedload(ContractFunding.pot),
                 selectinload(ContractYear.instalments)))}
    active = contract.status is ContractStatus.ACTIVE
    shown = []
    for label in labels_spanning(contract.starts_on, contract.ends_on):
        year = FinancialYear.parse(label)
        shown.append(YearMoney(year, rows.get(label), active and year.ends_on < today))
    return ContractMoney(contract, shown, today)


@dataclass(frozen=True)
class YearFunding:
    """A year of a contract with the pots that may fund it, what each could give it (what it
    has available plus what the contract holds from it) and what each has paid."""

    money: ContractMoney
    year: YearMoney
    choices: list[years.PotChoice]
    paid_by_pot: dict[int, int]

    def held(self, pot_id: int) -> int:
        return next((each.amount_pence for each in self.year.funding
                     if each.pot_id == pot_id), 0)

    @property
    def why_not(self) -> str | None:
        """Why the year's pots cannot be chosen now, if they cannot."""
        contract = self.money.contract
        if contract.status not in years.PLANNABLE or self.year.closed:
            return f"The money of {self.year.label} can no longer change."
        if not self.year.total_pence:
            return f"Plan the money for {self.year.label} before choosing its pots."
        return None


def year_funding(user: User, contract: Contract, slug: str,
                 now: datetime | None = None) -> YearFunding:
    """The pots for one year of the contract (`slug` like 2024-25); NotFound when the
    contract does not run in that year."""
    money = contract_money(user, contract, now)
    try:
        label = FinancialYear.from_slug(slug).label
    except ValueError as error:
        raise NotFound(slug) from error
    year = money.year(label)
    if year is None:
        raise NotFound(slug)
    choices = years.pot_choices(contract.programme, [label],
                                years.committed_by_pot(contract.id))[label]
    return YearFunding(money, year, choices, years.paid_by_pot(contract.id))

