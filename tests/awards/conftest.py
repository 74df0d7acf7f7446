"""Helpers for award offers: a signed-in grants officer, approved applications with their
decisions, and funding pots given budgets through the ledger."""

from datetime import date

import pytest

from models import Decision
from models.base import db
from models.enums import (
    ApplicationStatus,
    DecisionAuthority,
    DecisionOutcome,
    FundingSource,
    LedgerKind,
    Role,
)
from portal.funding import ledger
from tests.assessment.conftest import submitted
from tests.conftest import sign_in_as
from tests.factories import FundingPotFactory, RoundFactory, UserFactory


@pytest.fixture
def officer(client):
    """The test client, signed in as a grants officer."""
    person = UserFactory(roles=(Role.GRANTS_OFFICER,))
    sign_in_as(client, person)
    return person


@pytest.fixture
def round_(ctx):
    """A 2024/25 round with awards up to £5,000."""
    return RoundFactory(budget_pence=50_000_00, min_award_pence=500_00,
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
