"""Helpers for the decisions area: a signed-in grants officer, a round with the Community Plus
criteria, and applications scored by assessors who submitted their scoresheets."""

from collections.abc import Sequence
from itertools import count

import pytest

from models.base import utcnow
from models.enums import ApplicationStatus, ConflictDeclaration, Role, ScoresheetStatus
from tests.assessment.conftest import submitted
from tests.conftest import sign_in_as
from tests.factories import (
    AssignmentFactory,
    CriterionScoreFactory,
    RoundFactory,
    ScoresheetFactory,
    UserFactory,
    community_plus_criteria,
)

_numbers = count(1)


@pytest.fixture
def officer(client):
    """The test client, signed in as a grants officer."""
    person = UserFactory(roles=(Role.GRANTS_OFFICER,))
    sign_in_as(client, person)
    return person


@pytest.fixture
def round_(ctx):
    """A closed round with the six Community Plus criteria (25/15/20/20/10/10 on 0 to 3), a
    £10,000 budget, awards from £500 to £5,000 and a pass mark of 50%."""
    made = RoundFactory(closed=True, budget_pence=10_000_00, min_award_pence=500_00,
                        max_award_pence=5_000_00)
    community_plus_criteria(made)
    return made


def scored(round_, *sheets: Sequence[int], requested: int = 1_000_00,
           status: ApplicationStatus = ApplicationStatus.UNDER_ASSESSMENT, reference: str = "",
           conflicted: Sequence[Sequence[int]] = ()):
    """An application in `round_` with one submitted scoresheet per entry of `sheets` (scores
    in criteria order), each by its own assessor who declared no conflict. `conflicted`
    sheets belong to assessors who declared a conflict, so they must not count."""
    application = submitted(round=round_, amount_requested_pence=requested, status=status,
                            reference=reference or f"DEC-2425-{next(_numbers):04d}")
    criteria = sorted(round_.criteria, key=lambda c: (c.position, c.id))
    for scores, declaration in ([(s, ConflictDeclaration.NO_CONFLICT) for s in sheets]
                                + [(s, ConflictDeclaration.CONFLICT) for s in conflicted]):
        assignment = AssignmentFactory(application=application, declaration=declaration,
                                       declared_at=utcnow())
        sheet = ScoresheetFactory(assignment=assignment, status=ScoresheetStatus.SUBMITTED,
                                  submitted_at=utcnow())
        for criterion, score in zip(criteria, scores, strict=True):
            CriterionScoreFactory(scoresheet=sheet, criterion=criterion, score=score)
    return application


# Scores on the Community Plus criteria and the weighted totals they make.
ALL_3 = (3, 3, 3, 3, 3, 3)  # 100%
ALL_2 = (2, 2, 2, 2, 2, 2)  # 66.67%
ALL_1 = (1, 1, 1, 1, 1, 1)  # 33.33%
EIGHTY = (3, 3, 3, 3, 0, 0)  # 80%
