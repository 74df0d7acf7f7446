"""The demo anchors' delivery up to the day of loading: each contract's standard KPIs with
quarterly targets by lot, its quarterly instalments paid (in advance, on their due dates) up
to that day, and its providers' monitoring returns for every quarter whose return has fallen
due (loaded on any day from December 2025, six quarters or more). Each anchor delivers at its
own level, a little better each quarter, with some noise, so its RAG moves from red or amber
towards green; one hall flood makes an outlier. Every earlier quarter's return was sent on
time and accepted; of the latest quarter's,
one was sent late, one has not been sent (so it is overdue), one was queried and two await
review. The quarter ended but not yet due has no returns yet. Made through the payment and
monitoring services, as people would."""

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from models import Contract, ContractReturn, User
from models.enums import ContractLot, Rag, ReturnStatus
from portal.contracts import payments
from portal.dates import to_london
from portal.extensions import db
from portal.funding.payments import PaymentDetails
from portal.monitoring import services as monitoring
from portal.monitoring.details import KpiDetails, ReturnAnswers, Review
from portal.monitoring.quarters import Quarter, contract_quarters, due_on

# Quarterly targets by lot, in the order of monitoring.STANDARD_KPIS: people supported,
# groups supported, volunteers, volunteer hours, external funding levered in (£), referrals,
# then the pathways' people helped with money or debt, into work, into social activities.
TARGETS = {
    ContractLot.LEAD_LOCALITY_ANCHOR: (300, 20, 40, 1200, 5000, 60, 60, 30, 80),
    ContractLot.LOCAL_ANCHOR: (80, 6, 12, 300, 1000, 15, 20, 10, 25),
    ContractLot.VCS_INFRASTRUCTURE: (50, 60, 100, 400, 20000, 10, 10, 10, 10),
}
SENT_AFTER_END = timedelta(days=15)  # when providers send a quarter's return
REVIEWED_AFTER = timedelta(days=16)
# The latest quarter's special cases, by contract reference.
SENT_LATE = "CA-LA-04"
NOT_SENT = "CA-LA-10"
QUERIED = ("CA-LA-02", "The volunteer hours are four times last quarter's: please check the "
                       "figure and tell us how it was counted.")
AWAITING_REVIEW = ("CA-LLA-03", "CA-LA-07")
# How far the anchors' values may be from their targets: each anchor's level (a share of its
# targets), its gain each quarter, and each value's noise, in hundredths.
LEVELS = (82, 112)
GAIN = Decimal("0.01")
NOISE = 7
# The outliers: a flooded hall cut one anchor's volunteer hours to under a third of target in
# Q3 2024/25; the anchor that sends its latest return late saw few people that quarter.
FLOODED = ("CA-LA-06", "Volunteer hours", Quarter.of("2024/25", 3), Decimal("0.3"))
LATEST_DIP = (SENT_LATE, "People supported", Decimal("0.4"))


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def quarters_due(contract: Contract, today: date) -> list[Quarter]:
    """The contract's quarters whose returns have fallen due by `today`."""
    return [quarter for quarter in contract_quarters(contract.starts_on, contract.ends_on)
            if due_on(quarter) < today]


def load_delivery(commissioner: User, contracts: list[Contract], now: datetime) -> None:
    rng = random.Random(2024)  # noqa: S311 (made-up figures, the same every load)
    today = to_london(now).date()
    for contract in contracts:
        _add_kpis(commissioner, contract)
        _pay(commissioner, contract, today)
    for contract in contracts:
        quarters = quarters_due(contract, today)
        level = Decimal(rng.randint(*LEVELS)) / 100
        for index, quarter in enumerate(quarters):
            _send_return(contract, quarter, level + GAIN * index, quarter == quarters[-1], rng)
        _review(commissioner, contract, quarters[-1:], now)


def _add_kpis(commissioner: User, contract: Contract) -> None:
    kpis = monitoring.add_standard_kpis(commissioner, contract)
    quarters = monitoring.target_quarters(contract)
    for kpi, target in zip(kpis, TARGETS[contract.lot], strict=True):
        monitoring.change_kpi(commissioner, contract, kpi, KpiDetails(
            kpi.name, kpi.unit, kpi.pathway, {quarter: Decimal(target) for quarter in quarters}))


def _pay(commissioner: User, contract: Contract, today: date) -> None:
    """Each instalment due by `today`, on its due date."""
    for year in contract.years:
        for instalment in year.instalments:
            if instalment.due_on > today:
                continue
            payments.record_payment(commissioner, contract.id, PaymentDetails(
                instalment_id=instalment.id, paid_on=instalment.due_on,
                amount_pence=instalment.amount_pence,
                reference=f"ANCHOR-{contract.reference}-{year.financial_year}-Q"
                          f"{instalment.quarter}"), _at(instalment.due_on))


def _provider(contract: Contract) -> User:
    return contract.provider.memberships[0].user


def _ratio(contract: Contract, kpi_name: str, quarter: Quarter, latest: bool, level: Decimal,
           rng: random.Random) -> Decimal:
    """The share of its target a KPI's value is."""
    noise = Decimal(rng.randint(-NOISE, NOISE)) / 100
    if (contract.reference, kpi_name, quarter) == FLOODED[:3]:
        return FLOODED[3]
    if latest and (contract.reference, kpi_name) == LATEST_DIP[:2]:
        return LATEST_DIP[2]
    return level + noise


def _send_return(contract: Contract, quarter: Quarter, level: Decimal, latest: bool,
                 rng: random.Random) -> None:
    if latest and contract.reference == NOT_SENT:
        return
    late = latest and contract.reference == SENT_LATE
    sent_at = _at(due_on(quarter) + timedelta(days=12) if late
                  else quarter.ends_on + SENT_AFTER_END)
    provider = _provider(contract)
    page = monitoring.return_form(provider, contract.id, quarter, sent_at)
    ratios = [_ratio(contract, kpi.name, quarter, latest, level, rng) for kpi in contract.kpis]
    values = {kpi.id: (page.targets[kpi.id] * ratio).quantize(Decimal(1))
              for kpi, ratio in zip(contract.kpis, ratios, strict=True)}
    average = sum(ratios) / len(ratios)
    rag = Rag.GREEN if average >= 1 else Rag.AMBER if average >= Decimal("0.9") else Rag.RED
    monitoring.submit_return(provider, page, ReturnAnswers(
        values, _narrative(contract, quarter, rag), rag), sent_at)


def _narrative(contract: Contract, quarter: Quarter, rag: Rag) -> str:
    how = {Rag.GREEN: "on track, with more people coming through the door than planned",
           Rag.AMBER: "slightly behind, as two volunteers left and were replaced in the quarter",
           Rag.RED: "behind: the building was closed for three weeks for repairs"}[rag]
    return (f"{contract.provider.name}: {quarter.label} was {how}. We ran our regular drop-ins "
            "and worked with the other anchors in the locality on referrals.")


def _review(commissioner: User, contract: Contract, latest: list[Quarter],
            now: datetime) -> None:
    """Accept every sent return but the latest quarter's queried one and those awaiting
    review, each some days after it was sent (and never after `now`)."""
    for contract_return in db.session.scalars(
            select(ContractReturn).where(ContractReturn.contract_id == contract.id,
                                         ContractReturn.status == ReturnStatus.SUBMITTED)
            .order_by(ContractReturn.financial_year, ContractReturn.quarter)).all():
        quarter = Quarter.of(contract_return.financial_year, contract_return.quarter)
        if quarter in latest and contract.reference in AWAITING_REVIEW:
            continue
        queried = quarter in latest and contract.reference == QUERIED[0]
        reviewed_at = min(contract_return.submitted_at + REVIEWED_AFTER,
                          now - timedelta(hours=1))
        monitoring.review_return(commissioner, contract_return.id, Review(
            ReturnStatus.QUERIED if queried else ReturnStatus.ACCEPTED,
            QUERIED[1] if queried else ""), reviewed_at)
