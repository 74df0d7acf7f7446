"""The officers' list and its exports run the same number of SQL statements for 10
applications as for 1,000 (issue 3, item 10); the CSV, read a chunk at a time, four a chunk
(issue 15, item 4)."""

from itertools import cycle

import pytest
from sqlalchemy import insert, select

from models import Application, CostLine, Locality, Organisation, Ward
from models.associations import application_themes, application_wards
from models.base import db, utcnow
from models.enums import ApplicationStatus
from portal.assessment import services
from tests.factories import RoundFactory, ThemeFactory, UserFactory
from tests.querycount import count_queries


@pytest.fixture
def world(ctx):
    """A round with two themes, three wards and a creator, to hang applications on."""
    round_ = RoundFactory()
    themes = [ThemeFactory(scheme=round_.scheme).id for _ in range(2)]
    locality = Locality(name="Everywhere")
    ward_rows = [Ward(name=f"Ward {n}", locality=locality) for n in range(3)]
    db.session.add_all(ward_rows)
    db.session.commit()
    return {"round": round_.id, "user": UserFactory().id, "themes": themes,
            "wards": [ward.id for ward in ward_rows], "made": 0}


def add_applications(world: dict, count: int) -> None:
    """Insert `count` applications sent in, each with its own organisation, two wards, a theme
    and two cost lines, in bulk (one statement a table) so that 1,000 take a moment."""
    start, now = world["made"], utcnow()
    numbers = range(start, start + count)
    db.session.execute(insert(Organisation), [
        {"name": f"Bulk Organisation {n}", "legal_name": f"Bulk {n} CIO", "created_at": now}
        for n in numbers])
    organisations = db.session.scalars(select(Organisation.id).order_by(Organisation.id)
                                       .offset(start)).all()
    statuses = cycle([ApplicationStatus.SUBMITTED.value, ApplicationStatus.WITHDRAWN.value])
    db.session.execute(insert(Application), [
        {"round_id": world["round"], "organisation_id": organisation, "created_by_id":
         world["user"], "reference": f"BLK-2425-{n:05d}", "status": next(statuses),
         "title": f"Project {n}", "amount_requested_pence": 100_00 + n * 7_00,
         "submitted_at": now, "created_at": now, "updated_at": now, "sections": {}}
        for n, organisation in zip(numbers, organisations, strict=True)])
    applications = db.session.scalars(select(Application.id).order_by(Application.id)
                                      .offset(start)).all()
    db.session.execute(insert(application_wards), [
        {"application_id": application, "ward_id": ward}
        for application in applications for ward in world["wards"][:2]])
    db.session.execute(insert(application_themes), [
        {"application_id": application, "theme_id": world["themes"][application % 2]}
        for application in applications])
    db.session.execute(insert(CostLine), [
        {"application_id": application, "description": item, "amount_pence": 250_00}
        for application in applications for item in ("Room hire", "Materials")])
    db.session.commit()
    world["made"] += count


PATHS = [
    "/assessment/applications",
    "/assessment/applications?sort=organisation&order=asc&page=2",
    "/assessment/applications?q=project&status=submitted&amount=1000-2500&ward={ward}"
    "&theme={theme}&round={round}&organisation=bulk",
    "/assessment/applications.csv",
    "/assessment/applications.csv?sort=amount&ward={ward}",
]


@pytest.mark.parametrize("path", PATHS)
def test_officer_list_and_exports_query_count_does_not_grow(client, officer, world, path,
                                                            monkeypatch):
    """Eager loading keeps the statements the same for 10 and 1,000 applications (for the CSV,
    while they fit in one chunk: see below)."""
    path = path.format(ward=world["wards"][0], theme=world["themes"][0], round=world["round"])
    monkeypatch.setattr(services, "EXPORT_CHUNK", 5000)

    def statements() -> int:
        with count_queries() as executed:
            response = client.get(path)
        assert response.status_code == 200
        return len(executed)

    add_applications(world, 10)
    few = statements()
    add_applications(world, 990)
    assert statements() == few


def test_the_csv_runs_four_statements_a_chunk(client, officer, world, monkeypatch):
    """The rows, their total costs, wards and themes, a chunk at a time; and a last read that
    finds nothing when the rows fill the last chunk."""
    monkeypatch.setattr(services, "EXPORT_CHUNK", 100)

    def statements() -> int:
        with count_queries() as executed:
            response = client.get("/assessment/applications.csv")
            response.get_data()
        return len(executed)

    add_applications(world, 10)
    one_chunk = statements()
    add_applications(world, 990)
    assert statements() == one_chunk + 4 * 9 + 1
