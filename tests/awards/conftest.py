"""Helpers for award offers: a signed-in grants officer, approved applications with their
decisions, and funding pots given budgets through the ledger."""

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from models import Award, CostLine, Decision, FundingPartner, FundingPot, Theme, User
from models.base import db, utcnow
from models.enums import (
    ApplicationStatus,
    DecisionAuthority,
    DecisionOutcome,
    FundingSource,
    LedgerKind,
    OrganisationRole,
    Role,
)
from portal.awards import services
from portal.awards.terms import default_terms
from portal.dates import to_london
from portal.funding import ledger
from tests.assessment.conftest import submitted, wards
from tests.conftest import sign_in_as
from tests.factories import (
    FundingPotFactory,
    MembershipFactory,
    OrganisationFactory,
    RoundFactory,
    UserFactory,
)


@pytest.fixture
def officer(client):
    """The test client, signed in as a grants officer."""
    person = UserFactory(roles=(Role.GRANTS_OFFICER,))
    sign_in_as(client, person)
    return person


@pytest.fixture
def round_(ctx):
    """A closed 2024/25 round with awards up to £5,000."""
    return RoundFactory(closed=True, budget_pence=50_000_00, min_award_pence=500_00,
                        max_award_pence=5_000_00)


def approved(round_, amount_pence: int = 1_000_00, **fields):
    """An application of `round_` approved for `amount_pence` by a delegated officer."""
    application = submitted(round=round_, amount_requested_pence=amount_pence,
                            status=ApplicationStatus.APPROVED, **fields)
    db.session.add(Decision(application=application, outcome=DecisionOutcome.APPROVED,
                            amount_pence=amount_pence,
                            authority=DecisionAuthority.DELEGATED_OFFICER,
                            decided_on=date(2024, 7, 1),
                            recorded_by=UserFactory(roles=(Role.GRANTS_OFFICER,))))
    db.session.commit()
    return application


def pot(budget_pence: int, source: FundingSource = FundingSource.EXTERNAL, **fields):
    """An open 2024/25 pot with `budget_pence` as its budget in the ledger."""
    made = FundingPotFactory(source=source, **fields)
    ledger.post(UserFactory(roles=(Role.GRANTS_OFFICER,)),
                [ledger.Posting(made.id, LedgerKind.BUDGET, budget_pence)], "Budget set")
    db.session.commit()
    return made


def pooled_pot(contributions: dict[FundingPartner, int], **fields) -> FundingPot:
    """An open 2024/25 pooled pot whose budget is the partners' `contributions`."""
    made = FundingPotFactory(pooled=True, funder_name="Joint Working Board", funder_org_id="",
                             acknowledgement="", **fields)
    ledger.post(UserFactory(roles=(Role.GRANTS_OFFICER,)),
                [ledger.Posting(made.id, LedgerKind.BUDGET, pence, partner.id)
                 for partner, pence in contributions.items()], "Partners' contributions")
    db.session.commit()
    return made


def offer_from(round_, pot_: FundingPot, amount_pence: int = 1_000_00,
               organisation=None) -> Award:
    """An offer of `amount_pence` paid wholly from `pot_`."""
    application = approved(round_, amount_pence,
                           **({"organisation": organisation} if organisation else {}))
    return services.make_offer(
        UserFactory(roles=(Role.GRANTS_OFFICER,)), application.id, services.OfferDetails(
            allocations={pot_.id: amount_pence}, standard_conditions="1. Spend it.",
            special_conditions="", accept_by=today() + timedelta(days=28),
            terms=default_terms(amount_pence, None, None, today())), utcnow())


@dataclass
class Offered:
    award: Award
    pot: FundingPot
    admin: User
    member: User


_grants = itertools.count(1)


def today() -> date:
    return to_london(utcnow()).date()


def make(round_, accept_by: date | None = None, allocations: int = 1,
         amount_pence: int = 1_000_00, organisation=None) -> Offered:
    """An offer of `amount_pence` (£1,000) to `organisation` (a new one) with an admin and a
    plain member (who sent the application), paid from `allocations` new pots of the round's
    year."""
    organisation = organisation or OrganisationFactory()
    admin = MembershipFactory(organisation=organisation, role=OrganisationRole.ADMIN).user
    member = MembershipFactory(organisation=organisation, role=OrganisationRole.MEMBER).user
    application = approved(round_, amount_pence, organisation=organisation, created_by=admin,
                           submitted_by=member)
    pots = [pot(5 * amount_pence, financial_year=round_.financial_year)
            for _ in range(allocations)]
    share = amount_pence // allocations
    amounts = {each.id: share for each in pots}
    amounts[pots[0].id] += amount_pence - share * allocations
    award = services.make_offer(
        UserFactory(roles=(Role.GRANTS_OFFICER,)), application.id, services.OfferDetails(
            allocations=amounts, standard_conditions="1. Spend it on the project.",
            special_conditions="Send receipts.", accept_by=accept_by or today()
            + timedelta(days=28), terms=default_terms(amount_pence, None, None, today())),
        utcnow())
    return Offered(award, pots[0], admin, member)


def accepted_grant(round_) -> Offered:
    """An accepted £1,000 award whose application promised 120 people, named a theme, two
    wards and two budget lines; its one return is the end-of-grant report."""
    made = make(round_)
    application = made.award.application
    application.beneficiaries = 120
    number = next(_grants)
    application.themes = [Theme(scheme=round_.scheme, name=f"Reducing social isolation {number}")]
    application.wards = wards(f"Dalton {number}", f"Newsome {number}")
    application.cost_lines = [CostLine(description="Room hire", amount_pence=600_00),
                              CostLine(description="Volunteer expenses", amount_pence=400_00)]
    db.session.commit()
    services.accept(made.admin, made.award.id, services.Acceptance(
        "Priya Shah", "Chair", True, "203.0.113.7"), utcnow())
    return made
