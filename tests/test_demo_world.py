"""The Kirklees reference world of DESIGN.md that `flask demo load` builds. Loading it takes
seconds, so the tests of this module share one load and only read it."""

import pytest
from sqlalchemy import func, select

from models import Locality, Organisation, Ward
from models.base import db
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


@pytest.fixture(scope="module")
def world(app):
    """The demo world, loaded once for the module; the result of `flask demo load`."""
    with app.app_context():
        yield load(app)
        leave_empty(app)


def test_demo_load_creates_the_kirklees_places(world):
    """Four localities holding the 23 Kirklees wards."""
    result = world
    assert result.exit_code == 0, result.output
    assert "Demo data loaded" in result.output

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
    """The Community Plus scheme with a closed round of submitted applications and an open round
    with drafts, one of them the demo applicant's; every organisation has a full profile."""
    from models import Application, Organisation, Round
    from models.enums import ApplicationStatus, RoundState
    from portal.organisations.services import profile_gaps

    rounds = {round_.state: round_ for round_ in db.session.scalars(select(Round))}
    assert set(rounds) == {RoundState.OPEN, RoundState.DECIDED}
    assert rounds[RoundState.OPEN].max_award_pence == 5_000_00
    submitted = [a for a in db.session.scalars(select(Application))
                 if a.status is not ApplicationStatus.DRAFT]
    assert len(submitted) == 40
    assert {a.round for a in submitted} == {rounds[RoundState.DECIDED]}
    references = sorted(a.reference for a in submitted)
    assert references[0] == "CPG-2425-0001" and references[-1] == "CPG-2425-0040"
    drafts = [a for a in db.session.scalars(select(Application))
              if a.status is ApplicationStatus.DRAFT]
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
    each with its budget as a ledger entry."""
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
    assert external == 210_000_00


def test_demo_award_offers(world):
    """Every approval of the decided round is offered, split across the 2024/25 pots; all but
    two are accepted, one is declined and one expires, and the pots' commitments are exactly
    the accepted awards' allocations."""
    from collections import Counter

    from models import Award, Decision, FundingPot
    from models.enums import AwardStatus, DecisionOutcome
    from portal.funding.ledger import balances

    awards = list(db.session.scalars(select(Award)))
    approvals = db.session.scalars(select(Decision).where(
        Decision.outcome == DecisionOutcome.APPROVED)).all()
    assert len(awards) == len(approvals) == 25
    assert Counter(award.status for award in awards) == {
        AwardStatus.ACCEPTED: 23, AwardStatus.DECLINED: 1, AwardStatus.EXPIRED: 1}
    assert all(sum(a.amount_pence for a in award.allocations) == award.amount_pence
               for award in awards)
    accepted = [award for award in awards if award.status is AwardStatus.ACCEPTED]
    assert all(award.signatory_name and award.answer_ip for award in accepted)
    pots = list(db.session.scalars(select(FundingPot).where(~FundingPot.programmes.any())))
    committed = sum(balance.committed_pence for balance in balances(p.id for p in pots).values())
    assert committed == sum(award.amount_pence for award in accepted)


def test_demo_payments_and_a_variation(world):
    """All but five accepted awards have their first instalment paid; large awards have two
    instalments; one award is varied by £500 into version 2; the ledger's paid figures are
    exactly the payments."""
    from models import Award, AwardVersion, FundingPot, Payment
    from models.enums import AwardChange, AwardStatus
    from portal.funding.ledger import balances

    accepted = db.session.scalars(select(Award).where(
        Award.status == AwardStatus.ACCEPTED)).all()
    paid = db.session.scalars(select(Payment)).all()
    assert len(paid) == len(accepted) - 5
    assert all(payment.instalment.number == 1 and payment.amount_pence ==
               payment.instalment.amount_pence for payment in paid)
    assert all(len(award.instalments) == (2 if award.amount_pence >= 4_000_00 else 1)
               for award in accepted if award.version == 1)
    pots = db.session.scalars(select(FundingPot).where(~FundingPot.programmes.any())).all()
    assert sum(figure.paid_pence for figure in balances(p.id for p in pots).values()) == \
        sum(payment.amount_pence for payment in paid)

    (varied,) = db.session.scalars(select(AwardVersion).where(
        AwardVersion.change == AwardChange.VARIATION)).all()
    award = varied.award
    original = db.session.scalar(select(AwardVersion).where(
        AwardVersion.award_id == award.id, AwardVersion.number == 1))
    assert (varied.number, award.version) == (2, 2)
    assert award.amount_pence == original.terms["amount_pence"] + 500_00
    assert award.instalments[-1].amount_pence == 500_00
    assert sum(a.amount_pence for a in award.allocations) == award.amount_pence


def test_demo_anchors_programme(world):
    """The ANCHORS programme: 4 lead locality anchors, 11 local anchors and the VCS
    infrastructure contract for 2024/25 to 2026/27, all active; core £180,000 in 2024/25 and
    falling to the council's targets after, external money keeping each year's total flat and
    committed from the partners' pots as far as they go."""
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
    # External pots hold £192,000, £225,000 and £250,000: £44,000 is still to secure.
    assert committed == 180_000_00 + 135_000_00 + 90_000_00 + 192_000_00 + 225_000_00 \
        + 250_000_00


def test_demo_anchors_first_two_quarters(world):
    """Each anchor contract has the six standard KPIs with targets, its first two quarterly
    instalments of 2024/25 paid, and returns for both quarters: all of Q1 accepted; in Q2 one
    not sent, one queried and two awaiting review."""
    from collections import Counter

    from models import Contract, ContractPayment, ContractReturn
    from models.enums import ReturnStatus
    from portal.contracts.years import paid_by_pot

    contracts = db.session.scalars(select(Contract)).all()
    assert {len(contract.kpis) for contract in contracts} == {6}
    assert all(kpi.targets for contract in contracts for kpi in contract.kpis)
    paid = db.session.scalars(select(ContractPayment)).all()
    assert sorted(Counter(payment.instalment.quarter for payment in paid).items()) == [
        (1, 16), (2, 16)]
    assert sum(payment.amount_pence for payment in paid) == 372_000_00 // 2
    assert sum(sum(paid_by_pot(contract.id).values()) for contract in contracts) == \
        372_000_00 // 2
    returns = Counter((each.quarter, each.status)
                      for each in db.session.scalars(select(ContractReturn)))
    assert returns == {(1, ReturnStatus.ACCEPTED): 16, (2, ReturnStatus.ACCEPTED): 12,
                       (2, ReturnStatus.QUERIED): 1, (2, ReturnStatus.SUBMITTED): 2}
