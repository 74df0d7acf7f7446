"""The Kirklees reference world of DESIGN.md that `flask demo load` builds, true on the day it
is loaded. Loading takes seconds, so the tests of this module share one load and only read it;
they run twice: loaded now by `flask demo load`, and loaded as of another day."""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models import Locality, Organisation, Publication, User, Ward
from models.base import db, utcnow
from portal.dates import to_london
from portal.demo import load_demo
from portal.demo.awards import OFFICER
from portal.financial_years import FinancialYear
from portal.funding import services as funding
from portal.opendata import services as opendata
from portal.opendata import threesixtygiving
from tests.conftest import leave_empty
from tests.test_demo import DEMO, load

KIRKLEES_WARDS = {
    "Almondbury", "Ashbrow", "Batley East", "Batley West", "Birstall and Birkenshaw",
    "Cleckheaton", "Colne Valley", "Crosland Moor and Netherton", "Dalton", "Denby Dale",
    "Dewsbury East", "Dewsbury South", "Dewsbury West", "Golcar", "Greenhead", "Heckmondwike",
    "Holme Valley North", "Holme Valley South", "Kirkburton", "Lindley",
    "Liversedge and Gomersal", "Mirfield", "Newsome",
}
LOCALITIES = {"Batley and Spen", "Dewsbury and Mirfield", "Huddersfield", "Kirklees Rural"}


@dataclass(frozen=True)
class World:
    now: datetime
    output: str

    @property
    def today(self) -> date:
        return to_london(self.now).date()

    @property
    def year(self) -> str:
        return FinancialYear.containing(self.today).label


# A day of the quarter after 2024/25, when much of the reference world was still to come.
ANOTHER_DAY = datetime(2025, 8, 20, 11, tzinfo=UTC)


# The council's identifiers, as `make run` sets them, so that the demo publishes its grants.
IDENTITY = {"COUNCIL_NAME": "Kirklees Council", "COUNCIL_ORG_ID": "GB-LAE-KIR",
            "GRANT_ID_PREFIX": "360G-demo-kirklees"}


@pytest.fixture(scope="module")
def identified(app):
    before = {name: app.config[name] for name in IDENTITY}
    app.config.update(IDENTITY)
    yield
    app.config.update(before)


@pytest.fixture(scope="module", params=["now", "another day"])
def world(app, identified, request):
    """The demo world, loaded once for the module: by `flask demo load`, or as of
    ANOTHER_DAY."""
    with app.app_context():
        if request.param == "now":
            now, result = utcnow(), load(app)
            assert result.exit_code == 0, result.output
            yield World(now, result.output)
        else:
            load_demo(ANOTHER_DAY)
            yield World(ANOTHER_DAY, "")
        leave_empty(app)


def test_demo_load_creates_the_kirklees_places(world):
    """Four localities holding the 23 Kirklees wards."""
    assert "Demo data loaded" in world.output or world.now == ANOTHER_DAY

    assert set(db.session.scalars(select(Locality.name))) == LOCALITIES
    assert set(db.session.scalars(select(Ward.name))) == KIRKLEES_WARDS
    dewsbury = db.session.scalar(select(Locality).where(Locality.name == "Dewsbury and Mirfield"))
    assert {ward.name for ward in dewsbury.wards} == {
        "Dewsbury East", "Dewsbury South", "Dewsbury West", "Mirfield"}


def test_demo_load_creates_the_anchors_and_other_organisations(world):
    """4 lead locality anchors, 11 local anchors, 1 infrastructure body and about 20 others."""
    groups = DEMO["organisations"]
    assert len(groups["lead_locality_anchors"]) == 4
    assert len(groups["local_anchors"]) == 11
    assert isinstance(groups["vcs_infrastructure"], str)
    assert 15 <= len(groups["others"]) <= 25

    expected = {*groups["lead_locality_anchors"], *groups["local_anchors"],
                groups["vcs_infrastructure"], *groups["others"]}
    names = list(db.session.scalars(select(Organisation.name)))
    assert len(names) == len(set(names)) == len(expected)
    assert set(names) == expected


def test_demo_grants_world(world):
    """The Community Plus scheme with the decided 2024/25 round of submitted applications and
    a round open on the day of loading, in that day's financial year, with drafts, one of them
    the demo applicant's; every organisation has a full profile."""
    from models import Application, Organisation, Round
    from models.enums import ApplicationStatus, RoundState
    from portal.organisations.services import profile_gaps

    rounds = {round_.state_at(world.now): round_ for round_ in db.session.scalars(select(Round))}
    assert set(rounds) == {RoundState.OPEN, RoundState.DECIDED}
    present, decided = rounds[RoundState.OPEN], rounds[RoundState.DECIDED]
    assert (decided.name, decided.financial_year) == ("Community Plus 2024/25 round 1", "2024/25")
    assert (present.name, present.financial_year) == (f"Community Plus {world.year} round 1",
                                                      world.year)
    assert present.max_award_pence == 5_000_00
    submitted = [a for a in db.session.scalars(select(Application))
                 if a.status is not ApplicationStatus.DRAFT]
    assert len(submitted) == 40
    assert {a.round for a in submitted} == {decided}
    references = sorted(a.reference for a in submitted)
    assert references[0] == "CPG-2425-0001" and references[-1] == "CPG-2425-0040"
    drafts = [a for a in db.session.scalars(select(Application))
              if a.status is ApplicationStatus.DRAFT]
    assert {a.round for a in drafts} == {present}
    assert "Colne Valley Good Neighbours" in {a.organisation.name for a in drafts}
    assert all(not profile_gaps(organisation)
               for organisation in db.session.scalars(select(Organisation)))


def test_demo_assessment_world(world):
    """The closed round is checked, scored by two assessors (one conflict, one changed score),
    moderated once and decided within its budget, with feedback for the unsuccessful."""
    from collections import Counter

    from models import (
        Application,
        Assignment,
        ClarificationRequest,
        Decision,
        ModeratedScore,
        Round,
        Scoresheet,
    )
    from models.enums import ApplicationStatus, ConflictDeclaration, DecisionOutcome, RoundStatus

    closed = db.session.scalar(select(Round).where(Round.status == RoundStatus.DECIDED))
    applications = list(db.session.scalars(select(Application)
                                           .where(Application.round_id == closed.id)))
    statuses = Counter(application.status for application in applications)
    assert statuses[ApplicationStatus.INELIGIBLE] == 1
    assert statuses[ApplicationStatus.APPROVED] + statuses[ApplicationStatus.REJECTED] == 39
    assert statuses[ApplicationStatus.APPROVED] > 0 and statuses[ApplicationStatus.REJECTED] > 0

    clarification = db.session.scalar(select(ClarificationRequest))
    assert clarification.answered_at > clarification.asked_at

    assignments = list(db.session.scalars(select(Assignment)))
    conflicts = [a for a in assignments if a.declaration is ConflictDeclaration.CONFLICT]
    assert len(conflicts) == 1
    active = Counter(a.application_id for a in assignments if a.active)
    assert set(active.values()) == {2} and len(active) == 39
    sheets = list(db.session.scalars(select(Scoresheet)))
    assert Counter(sheet.version for sheet in sheets) == {1: 78, 2: 1}
    assert db.session.scalar(select(func.count(ModeratedScore.id))) == 1

    decisions = list(db.session.scalars(select(Decision)))
    approved = [d for d in decisions if d.outcome is DecisionOutcome.APPROVED]
    assert sum(d.amount_pence for d in approved) <= closed.budget_pence
    rejected = [d for d in decisions if d.outcome is DecisionOutcome.REJECTED]
    assert all(d.feedback and d.feedback_approved_at for d in rejected)


def test_demo_funding_pots(world):
    """The Community Plus core pots of the Cabinet report and the external pots beside them,
    and the present financial year's pots, each with its budget as a ledger entry."""
    from models import FundingPot
    from models.enums import FundingSource
    from portal.funding.ledger import balances

    # The anchors programme's own pots are checked with the programme.
    pots = {(pot.financial_year, pot.source, pot.name): pot
            for pot in db.session.scalars(select(FundingPot)
                                          .where(~FundingPot.programmes.any()))}
    figures = balances(pot.id for pot in pots.values())
    budgets = {key: figures[pot.id].budget_pence for key, pot in pots.items()}
    assert budgets[("2023/24", FundingSource.CORE, "Community Plus core budget")] == 378_000_00
    assert budgets[("2024/25", FundingSource.CORE, "Community Plus core budget")] == 49_500_00
    external = sum(budget for (year, source, _), budget in budgets.items()
                   if year == "2024/25" and source is FundingSource.EXTERNAL)
    assert external == 210_000_00 + 100_000_00  # the NHS and Public Health pots, and the pool
    present = {(source, name): budget for (year, source, name), budget in budgets.items()
               if year == world.year}
    assert present == {(FundingSource.CORE, "Community Plus core budget"): 49_500_00,
                       (FundingSource.EXTERNAL, "NHS and ICB partnership fund"): 120_000_00,
                       (FundingSource.EXTERNAL, "Public Health fund"): 60_000_00}
    assert all(figures[pot.id].committed_pence == 0 for key, pot in pots.items()
               if key[0] == world.year)


def test_demo_award_offers(world):
    """Every approval of the decided round is offered, split across the 2024/25 pots; all but
    two are accepted, one is declined and one expires; the pots' commitments are exactly the
    accepted awards' allocations, less the underspend recovered when one was closed."""
    from collections import Counter

    from models import Award, Decision, Recovery
    from models.enums import AwardStatus, DecisionOutcome
    from portal.funding.ledger import committed_sum

    awards = list(db.session.scalars(select(Award)))
    approvals = db.session.scalars(select(Decision).where(
        Decision.outcome == DecisionOutcome.APPROVED)).all()
    assert len(awards) == len(approvals) == 25
    statuses = Counter(award.status for award in awards)
    assert statuses[AwardStatus.ACCEPTED] + statuses[AwardStatus.CLOSED] == 23
    assert (statuses[AwardStatus.DECLINED], statuses[AwardStatus.EXPIRED]) == (1, 1)
    assert all(sum(a.amount_pence for a in award.allocations) == award.amount_pence
               for award in awards)
    taken = [award for award in awards
             if award.status in (AwardStatus.ACCEPTED, AwardStatus.CLOSED)]
    assert all(award.signatory_name and award.answer_ip for award in taken)
    # Every instalment was paid before its award closed, so closing released nothing; the
    # underspend recovered came back to the pots.
    recovered = sum(r.amount_pence for r in db.session.scalars(select(Recovery)))
    assert awards_ledger(committed_sum()) == sum(
        award.amount_pence for award in taken) - recovered


def test_demo_payments_and_a_variation(world):
    """Every instalment of an accepted award due by the day of loading is paid, on its due
    date, and none later; large awards have two instalments; one award is varied by £500 into
    version 2; the ledger's paid figures are exactly the payments less recoveries."""
    from models import Award, AwardVersion, Payment, Recovery
    from models.enums import AwardChange, AwardStatus
    from portal.funding.ledger import paid_sum

    taken = db.session.scalars(select(Award).where(
        Award.status.in_([AwardStatus.ACCEPTED, AwardStatus.CLOSED]))).all()
    paid = {payment.instalment_id: payment for payment in db.session.scalars(select(Payment))}
    for award in taken:
        for instalment in award.instalments:
            payment = paid.get(instalment.id)
            if max(instalment.due_on, date(2024, 8, 5)) <= world.today:
                assert payment.amount_pence == instalment.amount_pence
                assert payment.paid_on == max(instalment.due_on, date(2024, 8, 5))
            else:
                assert payment is None
    assert all(len(award.instalments) == (2 if award.amount_pence >= 4_000_00 else 1)
               for award in taken if award.version == 1)
    recovered = sum(r.amount_pence for r in db.session.scalars(select(Recovery)))
    assert awards_ledger(paid_sum()) == \
        sum(payment.amount_pence for payment in paid.values()) - recovered

    (varied,) = db.session.scalars(select(AwardVersion).where(
        AwardVersion.change == AwardChange.VARIATION)).all()
    award = varied.award
    original = db.session.scalar(select(AwardVersion).where(
        AwardVersion.award_id == award.id, AwardVersion.number == 1))
    assert varied.number == 2
    assert award.amount_pence == original.terms["amount_pence"] + 500_00
    assert award.instalments[-1].amount_pence == 500_00
    assert sum(a.amount_pence for a in award.allocations) == award.amount_pence


def test_demo_grant_reports_and_closures(world):
    """Every end-of-grant report due by the day of loading has been sent and accepted but
    two: the one due last is overdue and the one before it is queried; none due later has
    been sent. All but the two latest awards whose report was accepted are closed, the first
    recovering its declared underspend."""
    from models import Award, MonitoringReturn, Recovery
    from models.enums import AwardStatus, GrantReturnStatus
    from portal.awards.lifecycle import is_overdue

    reports = sorted((each for each in db.session.scalars(select(MonitoringReturn))
                      if each.award.status in (AwardStatus.ACCEPTED, AwardStatus.CLOSED)),
                     key=lambda each: (each.due_on, each.id))
    due = [each for each in reports if each.due_on < world.today]
    assert all(each.end_of_grant for each in reports)
    assert all(each.status is GrantReturnStatus.DRAFT for each in reports
               if each.due_on >= world.today)
    if len(due) >= 2:
        assert [each.status for each in due[-2:]] == [GrantReturnStatus.QUERIED,
                                                      GrantReturnStatus.DRAFT]
        assert all(each.status is GrantReturnStatus.ACCEPTED for each in due[:-2])
    overdue = [each for each in reports if is_overdue(each, world.today)]
    assert overdue == due[-1:]
    assert all(each.submitted_at.date() < each.due_on for each in due[:-1])

    accepted = sorted((each for each in due if each.status is GrantReturnStatus.ACCEPTED),
                      key=lambda each: each.reviewed_at)
    closed = {award.id for award in db.session.scalars(
        select(Award).where(Award.status == AwardStatus.CLOSED))}
    assert closed == {each.award_id for each in accepted[:-2]}
    recoveries = db.session.scalars(select(Recovery)).all()
    if accepted[:-2]:
        assert [(r.award_id, r.amount_pence) for r in recoveries] == [(due[0].award_id, 150_00)]
    else:
        assert recoveries == []


def test_demo_anchors_programme(world):
    """The ANCHORS programme: 4 lead locality anchors, 11 local anchors and the VCS
    infrastructure contract for 2024/25 to 2026/27, all active; core £180,000 in 2024/25 and
    falling to the council's targets after, external money keeping each year's total flat and
    committed from the partners' pots as far as they go, each year's gap secured as it
    starts."""
    from collections import Counter

    from models import Programme
    from models.enums import ContractLot, ContractStatus
    from portal.contracts.years import committed_by_pot

    programme = db.session.scalar(select(Programme).where(Programme.code == "ANCHORS"))
    contracts = programme.contracts
    assert Counter(contract.lot for contract in contracts) == {
        ContractLot.LEAD_LOCALITY_ANCHOR: 4, ContractLot.LOCAL_ANCHOR: 11,
        ContractLot.VCS_INFRASTRUCTURE: 1}
    assert {contract.status for contract in contracts} == {ContractStatus.ACTIVE}
    by_year = {}
    for contract in contracts:
        assert [year.financial_year for year in contract.years] == [
            "2024/25", "2025/26", "2026/27"]
        for year in contract.years:
            core, external = by_year.get(year.financial_year, (0, 0))
            by_year[year.financial_year] = (core + year.core_pence,
                                            external + year.external_pence)
    assert by_year == {"2024/25": (180_000_00, 192_000_00), "2025/26": (135_000_00, 237_000_00),
                       "2026/27": (90_000_00, 282_000_00)}
    assert {year.financial_year: year.core_target_pence for year in programme.years} == {
        "2024/25": 180_000_00, "2025/26": 135_000_00, "2026/27": 90_000_00}
    committed = sum(sum(committed_by_pot(contract.id).values()) for contract in contracts)
    # External pots hold £192,000, £225,000 and £250,000: £12,000 and £32,000 are still to
    # secure, until they are secured as their years start.
    secured = (12_000_00 if world.today >= date(2025, 4, 1) else 0) + (
        32_000_00 if world.today >= date(2026, 4, 1) else 0)
    assert committed == 180_000_00 + 135_000_00 + 90_000_00 + 192_000_00 + 225_000_00 \
        + 250_000_00 + secured


def test_demo_anchors_delivery_to_date(world):
    """Each anchor contract has the nine standard KPIs with targets, every instalment due by the
    day of loading paid on its due date (and none later), and a return for every quarter whose
    return has fallen due: all accepted, but in the latest such quarter one is not sent (and so
    overdue), one was sent late, one is queried and two await review."""
    from collections import Counter

    from models import Contract, ContractPayment, ContractReturn
    from models.enums import ReturnStatus
    from portal.contracts.years import paid_by_pot
    from portal.monitoring.quarters import Quarter, contract_quarters, due_on, is_late

    contracts = db.session.scalars(select(Contract)).all()
    assert {len(contract.kpis) for contract in contracts} == {9}
    assert all(kpi.targets for contract in contracts for kpi in contract.kpis)
    payments = db.session.scalars(select(ContractPayment)).all()
    instalments = [instalment for contract in contracts for year in contract.years
                   for instalment in year.instalments]
    assert {payment.instalment_id for payment in payments} == {
        instalment.id for instalment in instalments if instalment.due_on <= world.today}
    assert all(payment.paid_on == payment.instalment.due_on for payment in payments)
    assert sum(sum(paid_by_pot(contract.id).values()) for contract in contracts) == \
        sum(payment.amount_pence for payment in payments)

    quarters = [quarter for quarter in contract_quarters(date(2024, 4, 1), date(2027, 3, 31))
                if due_on(quarter) < world.today]
    returns = list(db.session.scalars(select(ContractReturn)))
    by_quarter = Counter((Quarter.of(each.financial_year, each.quarter), each.status)
                         for each in returns)
    latest = quarters[-1]
    assert by_quarter == {
        **{(quarter, ReturnStatus.ACCEPTED): 16 for quarter in quarters[:-1]},
        (latest, ReturnStatus.ACCEPTED): 12, (latest, ReturnStatus.QUERIED): 1,
        (latest, ReturnStatus.SUBMITTED): 2}
    late = [each.contract.reference for each in returns
            if is_late(Quarter.of(each.financial_year, each.quarter), each.submitted_at,
                       world.now)]
    assert late == ["CA-LA-04"]


def test_demo_anchors_have_quarters_of_returns_to_scrutinise(world):
    """Every anchor has a return for each quarter due, one after another from Q1 2024/25 (so
    six or more when loaded on any day from December 2025), rated green, amber and red among
    them; the scrutiny pack of Q3 2024/25 flags the flooded hall's volunteer hours."""
    from collections import Counter

    from models import Contract, ContractReturn, Programme
    from models.enums import Rag
    from portal.demo.anchors import COMMISSIONER
    from portal.demo.anchors_delivery import NOT_SENT
    from portal.monitoring import scrutiny
    from portal.monitoring.quarters import Quarter, contract_quarters, due_on

    quarters = [quarter for quarter in contract_quarters(date(2024, 4, 1), date(2027, 3, 31))
                if due_on(quarter) < world.today]
    returns = db.session.scalars(select(ContractReturn)).all()
    sent = Counter(each.contract.reference for each in returns)
    for contract in db.session.scalars(select(Contract)):
        expected = len(quarters) - (contract.reference == NOT_SENT)
        assert sent[contract.reference] == expected
    if world.today >= date(2025, 12, 1):
        assert len(quarters) >= 6
    assert {each.rag for each in returns} == set(Rag)

    commissioner = db.session.scalar(select(User).where(User.email == COMMISSIONER))
    programme = db.session.scalar(select(Programme))
    pack = scrutiny.scrutiny_pack(commissioner, programme.id, Quarter.of("2024/25", 3),
                                  world.now)
    assert [(each.reference, each.kpi_name) for each in pack.outliers] == [
        ("CA-LA-06", "Volunteer hours")]


def test_demo_stored_figures_agree_with_the_ledger(world):
    """The demo's money goes through the ledger, so what it stores (each pot's figures and each
    scheme's spends by pot) is the sums of its entries, as `flask funding check` says."""
    from portal.funding import ledger_check

    assert ledger_check.check().agrees


def test_demo_publishes_its_2024_25_grants_agreeing_with_the_funding_dashboard(world):
    """The 2024/25 publication is valid 360Giving, and its totals (and the sums of its grants'
    amounts) are the funding dashboard's Community Plus figures for 2024/25 to the penny."""
    officer = db.session.scalar(select(User).where(User.email == OFFICER))
    [publication] = db.session.scalars(select(Publication)).all()
    _, _, data = opendata.published_file("2024-25", "grants.json")
    package = json.loads(data)
    [group] = funding.dashboard(officer, "2024/25").groups
    [scheme] = [row for row in group.schemes if row.name == "Community Plus Grants"]

    assert threesixtygiving.schema_errors(package) == []
    assert publication.grant_count == len(package["grants"]) > 20
    assert publication.awarded_pence == scheme.total.committed_pence
    assert publication.disbursed_pence == scheme.total.paid_pence
    assert sum(in_pence(grant["amountAwarded"]) for grant in package["grants"]) == (
        scheme.total.committed_pence)
    assert sum(in_pence(grant["amountDisbursed"]) for grant in package["grants"]) == (
        scheme.total.paid_pence)
    assert all(location["geoCodeType"] == "WD" for grant in package["grants"]
               for location in grant["beneficiaryLocation"])


def test_demo_pools_four_partners_money_for_grants_and_a_contract(world):
    """The Joint Working Fund's £100,000 is four partners' contributions; it pays for grants and
    anchor contracts, attributed to the partners to the penny; its grants name all four as
    funders in the published file; and external pots are linked to their partners."""
    from models import Allocation, ContractFunding, FundingPot
    from portal.funding import attribution
    from portal.funding.ledger import Spend

    pot = db.session.scalar(select(FundingPot).where(FundingPot.pooled))
    given = attribution.contributions([pot.id])[pot.id]
    attributed = attribution.attributed(pot, {pot.id: given})
    package = json.loads(opendata.published_file("2024-25", "grants.json")[2])
    pooled_grants = [grant for grant in package["grants"]
                     if "GB-EXAMPLE-FIRE" in {f["id"] for f in grant["fundingOrganization"]}]

    assert [(c.partner.org_id, c.amount_pence) for c in given] == [
        ("GB-EXAMPLE-ICB", 40_000_00), ("GB-EXAMPLE-PH", 25_000_00),
        ("GB-EXAMPLE-CF", 20_000_00), ("GB-EXAMPLE-FIRE", 15_000_00)]
    assert db.session.scalar(select(func.count()).where(Allocation.pot_id == pot.id)) > 1
    assert db.session.scalar(select(func.count()).where(ContractFunding.pot_id == pot.id)) >= 1
    assert sum(attributed.values(), Spend()) == Spend(pot.committed_pence, pot.paid_pence)
    items = {(entry.award_id, entry.contract_id) for entry in pot_entries(pot)}
    for contribution in given:  # pro rata, item by item: within a penny an item of exact
        exact = Decimal(pot.committed_pence * contribution.amount_pence) / pot.budget_pence
        assert abs(attributed[contribution.partner.id].committed_pence - exact) < len(items)
    assert pooled_grants
    external = db.session.scalars(select(FundingPot).where(
        FundingPot.funder_org_id == "GB-EXAMPLE-ICB")).all()
    assert {pot.partner.org_id for pot in external} == {"GB-EXAMPLE-ICB"}


def awards_ledger(amount) -> int:
    """`amount` (a ledger sum) over the entries for awards, from whatever pots."""
    from models import LedgerEntry

    return db.session.scalar(select(amount).where(LedgerEntry.award_id.is_not(None)))


def pot_entries(pot) -> list:
    from models import LedgerEntry

    return db.session.scalars(select(LedgerEntry).where(LedgerEntry.pot_id == pot.id,
                                                        LedgerEntry.partner_id.is_(None))).all()


def in_pence(amount: int | float) -> int:
    return int(Decimal(str(amount)) * 100)
