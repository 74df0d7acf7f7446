"""Helpers for the monitoring tests: an active anchor contract with KPIs and targets, its
provider's people, a fixed "now" and the return form's answers."""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models import Contract, ContractReturn, Kpi, KpiTarget, ReturnValue, User
from models.base import db
from models.enums import ContractStatus, OrganisationRole, Rag, ReturnStatus, Role
from portal.monitoring import routes
from tests.factories import ContractFactory, MembershipFactory, OrganisationFactory, UserFactory

# 10 November 2024: Q1 2024/25 (due 31 July) is late if not sent; Q2 (July to September, due
# 31 October) is late too; Q3 (October to December) has not ended.
NOW = datetime(2024, 11, 10, 12, tzinfo=UTC)


@pytest.fixture
def fixed_now(monkeypatch) -> datetime:
    """The pages' clock stopped at NOW."""
    monkeypatch.setattr(routes, "utcnow", lambda: NOW)
    return NOW


@dataclass
class Anchor:
    contract: Contract
    admin: User  # the provider's organisation admin
    member: User  # another member of the provider
    commissioner: User
    kpis: list[Kpi]


def anchor(reference: str = "CA-LA-01", lot=None, programme=None, provider=None,
           targets: tuple[str, str] = ("100", "20"), **contract_fields) -> Anchor:
    """An active local anchor for 2024/25-2026/27 with two KPIs (people supported and external
    funding levered in) and a target for each in every quarter of 2024/25."""
    provider = provider or OrganisationFactory(name=f"Anchor Trust {reference}")
    admin = MembershipFactory(organisation=provider, role=OrganisationRole.ADMIN).user
    member = MembershipFactory(organisation=provider).user
    commissioner = UserFactory(roles=(Role.COMMISSIONER,))
    extra = {"lot": lot} if lot else {}
    if programme is not None:
        extra["programme"] = programme
    contract = ContractFactory(reference=reference, provider=provider,
                               status=ContractStatus.ACTIVE, **extra, **contract_fields)
    kpis = [Kpi(contract=contract, name="People supported", unit="people"),
            Kpi(contract=contract, name="External funding levered in", unit="£")]
    for kpi, target in zip(kpis, targets, strict=True):
        kpi.targets = [KpiTarget(financial_year="2024/25", quarter=quarter,
                                 target=Decimal(target)) for quarter in range(1, 5)]
    db.session.add_all(kpis)
    db.session.commit()
    return Anchor(contract, admin, member, commissioner, kpis)


def sent_return(found: Anchor, quarter: int = 1, values: tuple[str, str] = ("90", "25"),
                status: ReturnStatus = ReturnStatus.SUBMITTED,
                submitted_at: datetime = datetime(2024, 7, 20, 9, tzinfo=UTC),
                financial_year: str = "2024/25") -> ContractReturn:
    """A return as the provider sent it, made directly."""
    item = ContractReturn(contract=found.contract, financial_year=financial_year,
                          quarter=quarter, status=status, narrative="A good quarter.",
                          rag=Rag.GREEN, submitted_by=found.member, submitted_at=submitted_at,
                          values=[ReturnValue(kpi_id=kpi.id, value=Decimal(value))
                                  for kpi, value in zip(found.kpis, values, strict=True)])
    db.session.add(item)
    db.session.commit()
    return item


def return_answers(found: Anchor, values: tuple[str, str] = ("90", "1,250.50"),
                   **changes) -> dict:
    answers = {f"kpi_{kpi.id}": value for kpi, value in zip(found.kpis, values, strict=True)}
    answers.update(narrative="We ran twelve drop-in sessions.", rag="amber")
    answers.update(changes)
    return answers


def return_url(found: Anchor, year: str = "2024-25", quarter: int = 1) -> str:
    return f"/monitoring/contracts/{found.contract.id}/returns/{year}/{quarter}"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def returns_of(contract: Contract) -> list[ContractReturn]:
    db.session.expire_all()
    return list(db.session.scalars(select(ContractReturn)
                                   .where(ContractReturn.contract_id == contract.id)))
