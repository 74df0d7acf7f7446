"""Helpers for the scoring tests: signed-in officers and assessors, a round with the default
Community Plus criteria, and assignments in the states the pages care about."""

from datetime import UTC, datetime
from decimal import Decimal
from itertools import count

import pytest

from models import Round
from models.base import db
from models.enums import ApplicationStatus, ConflictDeclaration, Role, ScoresheetStatus
from tests.conftest import sign_in_as
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    CriterionScoreFactory,
    RoundFactory,
    ScoresheetFactory,
    UserFactory,
    community_plus_criteria,
)

_numbers = count(1)
DECLARED_AT = datetime(2024, 7, 1, 10, 0, tzinfo=UTC)


def assessor(**fields):
    return UserFactory(roles=(Role.ASSESSOR,), **fields)


def officer_user(**fields):
    return UserFactory(roles=(Role.GRANTS_OFFICER,), **fields)


@pytest.fixture
def officer(client):
    """The test client, signed in as a grants officer."""
    person = officer_user(full_name="Olive Officer")
    sign_in_as(client, person)
    return person


@pytest.fixture
def scoring_round(ctx) -> Round:
    """A round with the six Community Plus criteria (weights total 100, scored 0 to 3)."""
    round_ = RoundFactory()
    community_plus_criteria(round_)
    db.session.refresh(round_)
    return round_


def being_assessed(round_: Round, **fields):
    """An application in `round_` that has been found eligible and is being assessed."""
    number = next(_numbers)
    fields.setdefault("reference", f"SCR-2425-{number:04d}")
    fields.setdefault("title", f"Project {number}")
    fields.setdefault("amount_requested_pence", 2_000_00)
    fields.setdefault("submitted_at", datetime(2024, 6, 1, 12, 0, tzinfo=UTC))
    fields.setdefault("status", ApplicationStatus.UNDER_ASSESSMENT)
    return ApplicationFactory(round=round_, **fields)


def assigned(round_: Round, person=None, declaration=None, application=None, **fields):
    """An assignment of `person` (a new assessor by default) on an application in `round_`."""
    application = application or being_assessed(round_)
    person = person or assessor()
    if declaration is not None:
        fields.setdefault("declared_at", DECLARED_AT)
    if declaration is ConflictDeclaration.CONFLICT:
        fields.setdefault("conflict_details", "My sister chairs the group")
    return AssignmentFactory(application=application, assessor=person, declaration=declaration,
                             **fields)


def submitted_sheet(assignment, scores: list[int], version: int = 1, reason: str = "",
                    total: str | None = None):
    """A submitted scoresheet with `scores` in the round's criteria order."""
    criteria = assignment.application.round.criteria
    sheet = ScoresheetFactory(assignment=assignment, version=version, reason=reason,
                              status=ScoresheetStatus.SUBMITTED,
                              submitted_at=datetime(2024, 7, 2, 9, 0, tzinfo=UTC),
                              total_percent=Decimal(total) if total else None)
    for criterion, score in zip(criteria, scores, strict=True):
        CriterionScoreFactory(scoresheet=sheet, criterion=criterion, score=score,
                              justification=f"Reason for {score}")
    db.session.refresh(sheet)
    return sheet


@pytest.fixture
def signed_in_assessor(client):
    """The test client, signed in as an assessor."""
    person = assessor(full_name="Ada Assessor")
    sign_in_as(client, person)
    return person
