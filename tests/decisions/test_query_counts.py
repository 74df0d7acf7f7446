"""The round results table runs the same number of SQL statements for 10 applications as for
500 (issue 4, item 10): every score, moderation, recommendation and decision is read for all
the applications at once."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from models import (
    Application,
    Assignment,
    CriterionScore,
    Decision,
    ModeratedScore,
    Organisation,
    Recommendation,
    Scoresheet,
)
from models.base import db, utcnow
from models.enums import (
    ApplicationStatus,
    ConflictDeclaration,
    DecisionAuthority,
    DecisionOutcome,
    Role,
    ScoresheetStatus,
)
from tests.factories import UserFactory
from tests.html import soup
from tests.querycount import count_queries


@pytest.fixture
def world(round_, officer):
    assessors = [UserFactory(roles=(Role.ASSESSOR,)).id for _ in range(2)]
    return {"round": round_.id, "criteria": [c.id for c in round_.criteria],
            "assessors": assessors, "officer": officer.id, "made": 0}


def _ids(model, start: int) -> list[int]:
    return db.session.scalars(select(model.id).order_by(model.id).offset(start)).all()


def add_applications(world: dict, count: int) -> None:
    """`count` applications being assessed, each scored by two assessors (one with a second
    version), every third moderated, recommended and decided, in one statement a table."""
    start, now = world["made"], utcnow()
    numbers = range(start, start + count)
    db.session.execute(insert(Organisation), [
        {"name": f"Bulk Organisation {n}", "legal_name": f"Bulk {n}", "created_at": now}
        for n in numbers])
    organisations = _ids(Organisation, start)
    db.session.execute(insert(Application), [
        {"round_id": world["round"], "organisation_id": organisation,
         "created_by_id": world["officer"], "reference": f"BLK-2425-{n:05d}",
         "status": (ApplicationStatus.APPROVED if n % 3 == 0
                    else ApplicationStatus.UNDER_ASSESSMENT).value,
         "title": f"Project {n}", "amount_requested_pence": 1_000_00 + n * 100,
         "submitted_at": now, "created_at": now, "updated_at": now, "sections": {}}
        for n, organisation in zip(numbers, organisations, strict=True)])
    applications = _ids(Application, start)
    db.session.execute(insert(Assignment), [
        {"application_id": application, "assessor_id": assessor,
         "assigned_by_id": world["officer"], "assigned_at": now,
         "declaration": ConflictDeclaration.NO_CONFLICT.value, "conflict_details": ""}
        for application in applications for assessor in world["assessors"]])
    assignments = _ids(Assignment, start * 2)
    db.session.execute(insert(Scoresheet), [
        {"assignment_id": assignment, "version": version, "reason": "",
         "status": ScoresheetStatus.SUBMITTED.value, "created_at": now, "submitted_at": now}
        for index, assignment in enumerate(assignments)
        for version in ((1, 2) if index % 2 else (1,))])
    sheets = db.session.scalars(select(Scoresheet.id).join(Scoresheet.assignment)
                                .where(Assignment.id.in_(assignments))).all()
    db.session.execute(insert(CriterionScore), [
        {"scoresheet_id": sheet, "criterion_id": criterion, "score": (sheet + position) % 4,
         "justification": "Shown"}
        for sheet in sheets for position, criterion in enumerate(world["criteria"])])
    thirds = applications[::3]
    db.session.execute(insert(ModeratedScore), [
        {"application_id": application, "total_percent": Decimal("55.50"), "reason": "Panel",
         "moderated_by_id": world["officer"], "moderated_at": now} for application in thirds])
    db.session.execute(insert(Recommendation), [
        {"application_id": application, "amount_pence": 500_00, "adjusted": False, "note": "",
         "updated_at": now, "updated_by_id": world["officer"]} for application in thirds])
    db.session.execute(insert(Decision), [
        {"application_id": application, "outcome": DecisionOutcome.APPROVED.value,
         "amount_pence": 500_00, "reason": "", "authority": DecisionAuthority.PANEL.value,
         "decided_on": date(2024, 9, 1), "recorded_by_id": world["officer"],
         "recorded_at": now, "feedback": ""} for application in thirds])
    db.session.commit()
    world["made"] += count


@pytest.mark.parametrize("page", ["/decisions/rounds/{round}",
                                  "/decisions/rounds/{round}/decide"])
def test_results_query_count_does_not_grow(client, world, page):
    path = page.format(round=world["round"])

    def statements() -> int:
        with count_queries() as executed:
            response = client.get(path)
        assert response.status_code == 200
        return len(executed)

    add_applications(world, 10)
    few = statements()
    add_applications(world, 490)
    assert statements() == few
    page = soup(client.get(path))
    # Every application is on the page (a third are decided, so not in the preview).
    assert len(page.select("tbody tr")) == (500 if path.endswith(str(world["round"])) else 333)
