"""The demo anchors' first two quarters of 2024/25: each contract's standard KPIs with
quarterly targets by lot, its first two quarterly instalments paid (in advance, on their due
dates), and its providers' monitoring returns. Every Q1 return was sent on time and accepted;
of Q2's, one was sent late, one has not been sent, one was queried and two await review. Made
through the payment and monitoring services, as people would."""

import random
from datetime import UTC, datetime, time
from decimal import Decimal

from sqlalchemy import select

from models import Contract, ContractReturn, User
from models.enums import ContractLot, Rag, ReturnStatus
from portal.contracts import payments
from portal.extensions import db
from portal.funding.payments import PaymentDetails
from portal.monitoring import services as monitoring
from portal.monitoring.details import KpiDetails, ReturnAnswers, Review
from portal.monitoring.quarters import Quarter

YEAR = "2024/25"
QUARTERS = (Quarter.of(YEAR, 1), Quarter.of(YEAR, 2))
# Quarterly targets by lot, in the order of monitoring.STANDARD_KPIS: people supported,
# groups supported, volunteers, volunteer hours, external funding levered in (£), referrals.
TARGETS = {
    ContractLot.LEAD_LOCALITY_ANCHOR: (300, 20, 40, 1200, 5000, 60),
    ContractLot.LOCAL_ANCHOR: (80, 6, 12, 300, 1000, 15),
    ContractLot.VCS_INFRASTRUCTURE: (50, 60, 100, 400, 20000, 10),
}
SENT = {1: datetime(2024, 7, 15, 10, tzinfo=UTC), 2: datetime(2024, 10, 21, 10, tzinfo=UTC)}
REVIEWED = {1: datetime(2024, 8, 2, 11, tzinfo=UTC), 2: datetime(2024, 11, 6, 11, tzinfo=UTC)}
SENT_LATE = ("CA-LA-04", datetime(2024, 11, 12, 16, tzinfo=UTC))
NOT_SENT = "CA-LA-10"
QUERIED = ("CA-LA-02", "The volunteer hours are four times last quarter's: please check the "
                       "figure and tell us how it was counted.")
AWAITING_REVIEW = ("CA-LLA-03", "CA-LA-07")


def load_delivery(commissioner: User, contracts: list[Contract]) -> None:
    rng = random.Random(2024)  # noqa: S311 (made-up figures, the same every load)
    for contract in contracts:
        _add_kpis(commissioner, contract)
        _pay(commissioner, contract)
    for quarter in QUARTERS:
        for contract in contracts:
            _send_return(contract, quarter, rng)
    for contract in contracts:
        _review(commissioner, contract)


def _add_kpis(commissioner: User, contract: Contract) -> None:
    kpis = monitoring.add_standard_kpis(commissioner, contract)
    quarters = monitoring.target_quarters(contract)
    for kpi, target in zip(kpis, TARGETS[contract.lot], strict=True):
        monitoring.change_kpi(commissioner, contract, kpi, KpiDetails(
            kpi.name, kpi.unit, {quarter: Decimal(target) for quarter in quarters}))


def _pay(commissioner: User, contract: Contract) -> None:
    """Q1 and Q2 of 2024/25, each on its due date."""
    year = next(year for year in contract.years if year.financial_year == YEAR)
    for instalment in year.instalments[:len(QUARTERS)]:
        paid_at = datetime.combine(instalment.due_on, time(10), UTC)
        payments.record_payment(commissioner, contract.id, PaymentDetails(
            instalment_id=instalment.id, paid_on=instalment.due_on,
            amount_pence=instalment.amount_pence,
            reference=f"ANCHOR-{contract.reference}-Q{instalment.quarter}"), paid_at)


def _provider(contract: Contract) -> User:
    return contract.provider.memberships[0].user


def _send_return(contract: Contract, quarter: Quarter, rng: random.Random) -> None:
    if quarter.number == 2 and contract.reference == NOT_SENT:
        return
    sent_at = SENT_LATE[1] if (quarter.number, contract.reference) == (2, SENT_LATE[0]) \
        else SENT[quarter.number]
    provider = _provider(contract)
    page = monitoring.return_form(provider, contract.id, quarter, sent_at)
    ratios = [Decimal(rng.randint(70, 130)) / 100 for _ in contract.kpis]
    values = {kpi.id: (page.targets[kpi.id] * ratio).quantize(Decimal(1))
              for kpi, ratio in zip(contract.kpis, ratios, strict=True)}
    average = sum(ratios) / len(ratios)
    rag = Rag.GREEN if average >= 1 else Rag.AMBER if average >= Decimal("0.85") else Rag.RED
    monitoring.submit_return(provider, page, ReturnAnswers(
        values, _narrative(contract, quarter, rag), rag), sent_at)


def _narrative(contract: Contract, quarter: Quarter, rag: Rag) -> str:
    how = {Rag.GREEN: "on track, with more people coming through the door than planned",
           Rag.AMBER: "slightly behind, as two volunteers left and were replaced in the quarter",
           Rag.RED: "behind: the building was closed for three weeks for repairs"}[rag]
    return (f"{contract.provider.name}: {quarter.label} was {how}. We ran our regular drop-ins "
            "and worked with the other anchors in the locality on referrals.")


def _review(commissioner: User, contract: Contract) -> None:
    """Accept every sent return but the Q2 returns queried or awaiting review."""
    for contract_return in db.session.scalars(
            select(ContractReturn).where(ContractReturn.contract_id == contract.id)
            .order_by(ContractReturn.quarter)).all():
        second = contract_return.quarter == 2
        if second and contract.reference in AWAITING_REVIEW:
            continue
        queried = second and contract.reference == QUERIED[0]
        monitoring.review_return(commissioner, contract_return.id, Review(
            ReturnStatus.QUERIED if queried else ReturnStatus.ACCEPTED,
            QUERIED[1] if queried else ""), REVIEWED[contract_return.quarter])

