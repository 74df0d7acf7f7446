"""Two funding partners' money in 2024/25: the ICB's own pot, a pooled pot the ICB (two
thirds) and Public Health (one third) contribute to, and a council core pot; an award paid
from the ICB's pot and the pooled pot, one from the core pot, and a contract from the pooled
pot with a KPI. Payments are dated, for the quarterly statements."""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import update

from models import (
    Award,
    Contract,
    ContractReturn,
    FundingPartner,
    FundingPot,
    Kpi,
    KpiTarget,
    LedgerEntry,
    ReturnValue,
    User,
)
from models.base import db
from models.enums import FundingSource, LedgerKind, Rag, ReturnStatus, Role
from portal.funding import ledger
from tests.awards.conftest import pot
from tests.factories import (
    ContractFactory,
    FundingPartnerFactory,
    FundingPotFactory,
    RoundFactory,
    ThemeFactory,
    UserFactory,
)
from tests.funding.spending import offer
from tests.reporting.places import locality


@dataclass
class Partners:
    officer: User
    icb: FundingPartner
    health: FundingPartner
    icb_user: User
    health_user: User
    own: FundingPot
    pooled: FundingPot
    award: Award
    contract: Contract


def on(month: int, day: int, year: int = 2024) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


def post(actor: User, kind: LedgerKind, amounts: dict[FundingPot, int], when: datetime,
         **purpose) -> None:
    ledger.post(actor, [ledger.Posting(each.id, kind, pence) for each, pence in amounts.items()],
                f"{kind.label}", now=when, **purpose)
    db.session.commit()


def partners() -> Partners:
    officer = UserFactory(roles=(Role.GRANTS_OFFICER, Role.COMMISSIONER))
    icb = FundingPartnerFactory(name="Example ICB", org_id="GB-EXAMPLE-ICB1")
    health = FundingPartnerFactory(name="Example Public Health", org_id="GB-EXAMPLE-PH1")
    wards = {**locality("Huddersfield", {"Dalton": 10_000, "Newsome": 9_000}),
             **locality("Batley and Spen", {"Batley East": 19_000})}
    own = pot(10_000_00, name="ICB pot", partner=icb)
    pooled = FundingPotFactory(name="Pooled fund", pooled=True)
    ledger.post(officer, [ledger.Posting(pooled.id, LedgerKind.BUDGET, 2_000_00, icb.id),
                          ledger.Posting(pooled.id, LedgerKind.BUDGET, 1_000_00, health.id)],
                "Contributions", now=on(4, 1))
    core = pot(5_000_00, FundingSource.CORE, name="Core")
    round_ = RoundFactory(closed=True)
    themes = [ThemeFactory(scheme=round_.scheme, name="Health and wellbeing"),
              ThemeFactory(scheme=round_.scheme, name="Reducing isolation")]
    award = offer(round_, {own: 1_000_00, pooled: 500_00},
                  wards=[wards["Dalton"], wards["Newsome"]], themes=themes)
    offer(round_, {core: 700_00}, wards=[wards["Dalton"]])
    post(officer, LedgerKind.PAYMENT, {own: 400_00, pooled: 100_01}, on(5, 10),
         award_id=award.id)
    post(officer, LedgerKind.PAYMENT, {own: 100_00}, on(8, 20), award_id=award.id)
    contract = ContractFactory(wards=[wards["Batley East"]])
    post(officer, LedgerKind.COMMITMENT, {pooled: 900_00}, on(4, 2), contract_id=contract.id)
    post(officer, LedgerKind.PAYMENT, {pooled: 300_00}, on(7, 1), contract_id=contract.id)
    # The pots' budgets and the offers were posted today: say they were made in April 2024,
    # before any payment, as they would have been.
    db.session.execute(update(LedgerEntry).where(LedgerEntry.created_at > on(3, 31, 2025))
                       .values(created_at=on(4, 3)))
    kpi = Kpi(name="People supported", unit="people",
              targets=[KpiTarget(financial_year="2024/25", quarter=1, target=Decimal(40))])
    contract.kpis.append(kpi)
    sent = ContractReturn(contract=contract, financial_year="2024/25", quarter=1,
                          rag=Rag.GREEN, status=ReturnStatus.ACCEPTED, submitted_by=officer)
    sent.values = [ReturnValue(kpi=kpi, value=Decimal(52))]
    db.session.add(sent)
    db.session.commit()
    return Partners(officer, icb, health,
                    UserFactory(roles=(Role.FUNDING_PARTNER,), partner=icb),
                    UserFactory(roles=(Role.FUNDING_PARTNER,), partner=health),
                    own, pooled, award, contract)
