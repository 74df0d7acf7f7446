"""Fixtures for the schemes tests: a signed-in grants officer, wards, and round form answers."""

import pytest
from sqlalchemy import select

from models import AuditEvent, Locality, Ward
from models.base import db
from models.enums import Role
from tests.conftest import sign_in_as
from tests.factories import UserFactory


@pytest.fixture
def officer(client):
    person = UserFactory(roles=(Role.GRANTS_OFFICER,), full_name="Olu Officer")
    sign_in_as(client, person)
    return person


@pytest.fixture
def wards(ctx) -> list[Ward]:
    """Three wards in one locality, by name."""
    locality = Locality(name="Huddersfield",
                        wards=[Ward(name=name) for name in ("Dalton", "Lindley", "Newsome")])
    db.session.add(locality)
    db.session.commit()
    return sorted(locality.wards, key=lambda ward: ward.name)


def round_answers(**changes) -> dict:
    """A valid round form (a BST summer round), with `changes`; None leaves a field out."""
    answers = {
        "name": "Summer round", "financial_year": "2025/26",
        "opens_on": ["1", "6", "2025"], "opens_time": "9am",
        "closes_on": ["1", "7", "2025"], "closes_time": "17:00",
        "budget": "£50,000", "min_award": "£1,250.50", "max_award": "5000",
        "max_project_months": "12", "legal_forms": ["charity", "cio"],
        "max_income": "£250,000", "ward_scope": "any",
        "guidance": "Read this first.",
        "required_documents": "Governing document\n\nLatest accounts\n",
        "one_application": "yes", "round_type": "competitive",
        "assessors_per_application": "2", "pass_mark_percent": "50",
        "moderation_margin_percent": "20", "shortfall_rule": "skip",
    }
    answers.update(changes)
    return {name: value for name, value in answers.items() if value is not None}


def audit_events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))
