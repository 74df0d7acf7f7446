"""An assessor sees only the applications assigned to them, reads one only after declaring no
conflict of interest, and a declared conflict takes them off it."""

import pytest
from sqlalchemy import select

from models import AuditEvent
from models.base import db
from models.enums import ConflictDeclaration, Role
from portal.exceptions import NotAllowed, RuleBroken
from portal.scoring import services
from tests.conftest import sign_in_as
from tests.factories import UserFactory
from tests.html import error_messages, soup
from tests.scoring.conftest import assessor, assigned
from tests.scoring.helpers import main_text, table_rows

ASSESSOR_PAGES = [
    ("get", "/scoring/assignments/{id}"),
    ("post", "/scoring/assignments/{id}/declaration"),
    ("get", "/scoring/assignments/{id}/scores"),
    ("post", "/scoring/assignments/{id}/scores"),
    ("get", "/scoring/assignments/{id}/change"),
    ("post", "/scoring/assignments/{id}/change"),
]


@pytest.mark.parametrize(("method", "url"), ASSESSOR_PAGES)
@pytest.mark.parametrize("declaration", [None, *ConflictDeclaration])
def test_another_assessors_assignment_is_not_found(client, signed_in_assessor, scoring_round,
                                                   method, url, declaration):
    theirs = assigned(scoring_round, declaration=declaration)
    response = getattr(client, method)(url.format(id=theirs.id), data={"conflict": "no"})
    assert response.status_code == 404


@pytest.mark.parametrize(("method", "url"), ASSESSOR_PAGES)
@pytest.mark.parametrize("roles", [(Role.GRANTS_OFFICER,), (Role.APPLICANT,), (Role.ADMIN,)])
def test_only_assessors_reach_the_assessor_pages(client, scoring_round, method, url, roles):
    mine = assigned(scoring_round)
    sign_in_as(client, UserFactory(roles=roles))
    assert getattr(client, method)(url.format(id=mine.id)).status_code == 403


@pytest.mark.parametrize("url", ["/scoring/applications/{application}",
                                 "/scoring/rounds/{round}/assign",
                                 "/scoring/rounds/{round}/declarations"])
def test_assessors_cannot_reach_the_officer_pages(client, signed_in_assessor, scoring_round,
                                                  url):
    mine = assigned(scoring_round, person=signed_in_assessor,
                    declaration=ConflictDeclaration.NO_CONFLICT)
    response = client.get(url.format(application=mine.application_id, round=scoring_round.id))
    assert response.status_code == 403


def test_the_list_shows_only_my_assignments(client, signed_in_assessor, scoring_round):
    mine = assigned(scoring_round, person=signed_in_assessor)
    removed = assigned(scoring_round, person=signed_in_assessor,
                       declaration=ConflictDeclaration.CONFLICT)
    assigned(scoring_round)

    response = client.get("/scoring/")

    rows = table_rows(response, "Your assessments, page 1 of 1")
    assert sorted((row[0], row[3], row[4]) for row in rows) == sorted([
        (mine.application.reference, "Not declared yet", "Not started"),
        (removed.application.reference, "Conflict declared", "Removed: conflict declared")])


def test_the_list_is_paginated(client, signed_in_assessor, scoring_round):
    for _ in range(26):
        assigned(scoring_round, person=signed_in_assessor)
    assert len(table_rows(client.get("/scoring/"), "Your assessments, page 1 of 2")) == 25
    assert len(table_rows(client.get("/scoring/?page=2"), "Your assessments, page 2 of 2")) == 1


def test_before_declaring_only_the_summary_is_shown(client, signed_in_assessor, scoring_round):
    mine = assigned(scoring_round, person=signed_in_assessor)
    mine.application.description = "The secret plan in full"
    db.session.commit()

    response = client.get(f"/scoring/assignments/{mine.id}")

    text = main_text(response)
    assert mine.application.title in text and mine.application.organisation.name in text
    assert "The secret plan in full" not in text
    assert soup(response).select("input[name=conflict]")
    scores = client.get(f"/scoring/assignments/{mine.id}/scores")
    assert scores.status_code == 302
    with pytest.raises(NotAllowed):
        services.application_answers(signed_in_assessor, mine)


def test_declaring_no_conflict_opens_the_application(client, signed_in_assessor,
                                                     scoring_round):
    mine = assigned(scoring_round, person=signed_in_assessor)
    mine.application.description = "The secret plan in full"
    db.session.commit()

    response = client.post(f"/scoring/assignments/{mine.id}/declaration",
                           data={"conflict": "no", "details": "ignored"},
                           follow_redirects=True)

    assert "The secret plan in full" in main_text(response)
    db.session.refresh(mine)
    assert mine.declaration is ConflictDeclaration.NO_CONFLICT and mine.conflict_details == ""
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.object_id == mine.id)) == "assessor.no_conflict_declared"


@pytest.mark.parametrize(("data", "field", "message"), [
    ({}, "conflict", "Select yes if you have a conflict of interest"),
    ({"conflict": "maybe"}, "conflict", "Select yes if you have a conflict of interest"),
    ({"conflict": "yes", "details": "  "}, "details",
     "Enter details of your conflict of interest"),
])
def test_a_declaration_needs_an_answer_and_details(client, signed_in_assessor, scoring_round,
                                                   data, field, message):
    mine = assigned(scoring_round, person=signed_in_assessor)

    response = client.post(f"/scoring/assignments/{mine.id}/declaration", data=data)

    assert error_messages(response) == {field: message}
    db.session.refresh(mine)
    assert mine.declaration is None


def test_a_declared_conflict_removes_the_assessor(client, signed_in_assessor, scoring_round):
    mine = assigned(scoring_round, person=signed_in_assessor)
    mine.application.description = "The secret plan in full"
    db.session.commit()

    response = client.post(f"/scoring/assignments/{mine.id}/declaration",
                           data={"conflict": "yes", "details": "I am its treasurer"},
                           follow_redirects=True)

    text = main_text(response)
    assert "you have been removed from this application" in text
    assert "The secret plan in full" not in text
    db.session.refresh(mine)
    assert (mine.declaration, mine.conflict_details, mine.active) == (
        ConflictDeclaration.CONFLICT, "I am its treasurer", False)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_id == mine.id))
    assert event.action == "assessor.conflict_declared"
    assert event.details["details"] == "I am its treasurer"
    # They cannot score it, nor declare again to get back on.
    assert client.get(f"/scoring/assignments/{mine.id}/scores").status_code == 302
    client.post(f"/scoring/assignments/{mine.id}/declaration", data={"conflict": "no"})
    db.session.refresh(mine)
    assert mine.declaration is ConflictDeclaration.CONFLICT
    with pytest.raises(NotAllowed):
        services.save_scores(signed_in_assessor, mine.id, [], submit=False)
    with pytest.raises(NotAllowed):
        services.others_scores(signed_in_assessor, mine)


def test_a_second_declaration_is_refused_by_the_service(ctx, scoring_round):
    person = assessor()
    mine = assigned(scoring_round, person=person, declaration=ConflictDeclaration.NO_CONFLICT)
    with pytest.raises(RuleBroken, match="already answered"):
        services.declare(person, mine.id, conflict=True, details="Changed my mind")
