"""Programmes and schemes with money planned, committed and paid, for the taper dashboards'
tests: contract years and their pots written directly, and their money posted straight to the
ledger (the contract-years service is not used, so these tests stand on the ledger alone)."""

from dataclasses import dataclass

from models import (
    Contract,
    ContractFunding,
    ContractYear,
    FundingPot,
    Locality,
    Programme,
    ProgrammeYear,
    Scheme,
    User,
)
from models.base import db, utcnow
from models.enums import ContractLot, FundingSource, LedgerKind, Role
from portal.awards import services as awards
from portal.funding import ledger
from tests.awards.conftest import pot
from tests.factories import (
    AwardFactory,
    ContractFactory,
    ProgrammeFactory,
    RoundFactory,
    SchemeFactory,
    UserFactory,
)
from tests.funding.spending import offer, pay

POUND = 100


def plan(contract: Contract, year: str, core: int, external: int,
         pots: dict[FundingSource, FundingPot] | None = None) -> ContractYear:
    """A contract year of `core` and `external` pence, drawn from `pots` (by source) when
    given, without posting anything."""
    planned = ContractYear(contract=contract, financial_year=year, core_pence=core,
                           external_pence=external)
    for source, pence in ((FundingSource.CORE, core), (FundingSource.EXTERNAL, external)):
        if pots and pence:
            planned.funding.append(ContractFunding(pot=pots[source], amount_pence=pence))
    db.session.add(planned)
    db.session.commit()
    return planned


def move(actor: User, contract: Contract, kind: LedgerKind,
         amounts: dict[FundingPot, int]) -> None:
    """One ledger posting of `kind` for the contract from each pot."""
    ledger.post(actor, [ledger.Posting(each.id, kind, pence) for each, pence in amounts.items()],
                f"{kind.label} for {contract.reference}", contract_id=contract.id)
    db.session.commit()


def commit_year(actor: User, planned: ContractYear) -> None:
    """Commit a contract year's money from the pots it is drawn from."""
    move(actor, planned.contract, LedgerKind.COMMITMENT,
         {funding.pot: funding.amount_pence for funding in planned.funding})


@dataclass
class Anchors:
    """Community Anchors 2024–27 (ANCHORS), targets £180,000 in 2024/25 and £150,000 in
    2025/26 (none after), three contracts, and a grant award paid from the same core pot."""

    commissioner: User
    programme: Programme
    core: FundingPot  # 2024/25
    external: FundingPot  # 2024/25
    huddersfield: Contract  # lead locality anchor, Huddersfield
    batley: Contract  # local anchor, no locality
    infrastructure: Contract  # VCS infrastructure, Kirklees Rural


def anchors(commissioner: User | None = None) -> Anchors:
    commissioner = commissioner or UserFactory(roles=(Role.COMMISSIONER,))
    huddersfield, rural = Locality(name="Huddersfield"), Locality(name="Kirklees Rural")
    db.session.add_all([huddersfield, rural])
    programme = ProgrammeFactory(code="ANCHORS", name="Community Anchors 2024–27", years=[
        ProgrammeYear(financial_year="2024/25", core_target_pence=180_000 * POUND),
        ProgrammeYear(financial_year="2025/26", core_target_pence=150_000 * POUND)])
    core = pot(200_000 * POUND, FundingSource.CORE, name="Council core 24")
    external = pot(400_000 * POUND, name="NHS partnership 24")
    pots = {FundingSource.CORE: core, FundingSource.EXTERNAL: external}
    lead = ContractFactory(programme=programme, reference="CA-01", locality=huddersfield,
                           lot=ContractLot.LEAD_LOCALITY_ANCHOR)
    local = ContractFactory(programme=programme, reference="CA-02")
    infrastructure = ContractFactory(programme=programme, reference="CA-03", locality=rural,
                                     lot=ContractLot.VCS_INFRASTRUCTURE)
    commit_year(commissioner, plan(lead, "2024/25", 100_000 * POUND, 150_000 * POUND, pots))
    plan(lead, "2025/26", 80_000 * POUND, 170_000 * POUND)
    commit_year(commissioner, plan(local, "2024/25", 80_000 * POUND, 100_000 * POUND, pots))
    plan(local, "2026/27", 50_000 * POUND, 60_000 * POUND)
    plan(infrastructure, "2024/25", 5_000 * POUND, 0)
    move(commissioner, local, LedgerKind.RELEASE, {external: 10_000 * POUND})
    move(commissioner, lead, LedgerKind.PAYMENT, {core: 25_000 * POUND,
                                                  external: 37_500 * POUND})
    move(commissioner, lead, LedgerKind.CLAWBACK, {external: 500 * POUND})
    # A grant award's money in the same core pot is not the programme's.
    award = AwardFactory()
    ledger.post(commissioner, [ledger.Posting(core.id, LedgerKind.COMMITMENT, 3_000 * POUND)],
                "Grant offer", award_id=award.id)
    db.session.commit()
    return Anchors(commissioner, programme, core, external, lead, local, infrastructure)


# The taper table of `anchors()`: year, core target, core/external planned, core/external
# committed, core/external paid, core minus target, external gap; in pounds.
ANCHORS_TABLE = {
    "2024/25": (180_000, 185_000, 250_000, 180_000, 240_000, 25_000, 37_000, 5_000, 10_000),
    "2025/26": (150_000, 80_000, 170_000, 0, 0, 0, 0, -70_000, 170_000),
    "2026/27": (None, 50_000, 60_000, 0, 0, 0, 0, None, 60_000),
}
ANCHORS_TOTAL = (330_000, 315_000, 480_000, 180_000, 240_000, 25_000, 37_000, -65_000,
                 240_000)


@dataclass
class CommunityPlus:
    """Community Plus (CPG) with a core pot kept for it in each of 2024/25 and 2025/26, a core
    pot open to every scheme, an external pot, and awards offered, paid and withdrawn."""

    scheme: Scheme
    core: FundingPot  # 2024/25, restricted to the scheme
    external: FundingPot  # 2024/25


def community_plus() -> CommunityPlus:
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,))
    scheme = SchemeFactory(name="Community Plus", reference_prefix="CPG")
    core = pot(49_500 * POUND, FundingSource.CORE, name="Core 24", schemes=[scheme])
    open_core = pot(10_000 * POUND, FundingSource.CORE, name="Core for any scheme 24")
    external = pot(150_000 * POUND, name="Public Health 24")
    later = pot(30_000 * POUND, FundingSource.CORE, name="Core 25", financial_year="2025/26",
                schemes=[scheme])
    this_year = RoundFactory(closed=True, scheme=scheme)
    first = offer(this_year, {core: 1_000 * POUND, external: 3_000 * POUND})
    pay(officer, first, {core: 500 * POUND, external: 1_500 * POUND + 50})
    second = offer(this_year, {external: 2_000 * POUND, open_core: 1_000 * POUND})
    awards.withdraw(officer, second.id, "The project has stopped", utcnow())
    offer(RoundFactory(closed=True, scheme=scheme, financial_year="2025/26"),
          {later: 2_500 * POUND})
    # Another scheme's award from the open core pot is not Community Plus's.
    offer(RoundFactory(closed=True), {open_core: 4_500 * POUND})
    return CommunityPlus(scheme, core, external)


# Community Plus's taper table, as ANCHORS_TABLE (pence where pounds have pence).
PLUS_TABLE = {
    "2024/25": (49_500, 1_000, 3_000, 1_000, 3_000, 500, 1_500.50, -48_500, 0),
    "2025/26": (30_000, 2_500, 0, 2_500, 0, 0, 0, -27_500, 0),
}
