"""Fixtures for the funding pages: a signed-in grants officer, pots with money in them, and
the pot form's answers."""

import pytest
from sqlalchemy import select

from models import AuditEvent, FundingPot, User
from models.base import db
from models.enums import LedgerKind, Role
from portal.funding.ledger import Posting, post
from tests.conftest import sign_in_as
from tests.factories import FundingPotFactory, UserFactory


@pytest.fixture
def officer(client) -> User:
    person = UserFactory(roles=(Role.GRANTS_OFFICER,), full_name="Olu Officer")
    sign_in_as(client, person)
    return person


def pot_with(actor: User, budget: int = 10_000_00, committed: int = 0, paid: int = 0,
             **kwargs) -> FundingPot:
    """A pot whose budget, commitments and payments are ledger entries posted by `actor`."""
    pot = FundingPotFactory(**kwargs)
    postings = [Posting(pot.id, LedgerKind.BUDGET, budget)]
    if committed:
        postings.append(Posting(pot.id, LedgerKind.COMMITMENT, committed))
    if paid:
        postings.append(Posting(pot.id, LedgerKind.PAYMENT, paid))
    post(actor, postings, "Cabinet report 2024")
    db.session.commit()
    return pot


def pot_answers(**changes) -> dict:
    """A valid create-pot form, with `changes`; None leaves a field out."""
    answers = {
        "name": "Community Plus core", "financial_year": "2024/25", "source": "core",
        "funder_name": "Kirklees Council", "funder_org_id": "GB-LAE-KIR",
        "acknowledgement": "Funded by Kirklees Council.",
        "spend_by": ["31", "3", "2025"], "budget": "£49,500",
        "reason": "Cabinet report, February 2024",
    }
    answers.update(changes)
    return {name: value for name, value in answers.items() if value is not None}


def audit_events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))
