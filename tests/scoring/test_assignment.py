"""Officers assign assessors by hand or balanced by workload, and see every declaration."""

import pytest
from sqlalchemy import select

from models import Assignment, AuditEvent
from models.base import db
from models.enums import ApplicationStatus, ConflictDeclaration
from portal.exceptions import RuleBroken
from portal.scoring import services
from tests.factories import ApplicationFactory, RoundFactory
from tests.html import error_messages, soup
from tests.scoring.conftest import (
    assessor,
    assigned,
    being_assessed,
    officer_user,
    submitted_sheet,
)
from tests.scoring.helpers import main_text, table_rows


def assessors_url(application) -> str:
    return f"/scoring/applications/{application.id}"


def choices(response) -> list[str]:
    return [option.get_text(strip=True) for option in soup(response).select("#assessor option")]


class TestAssessorsPage:
    def test_shows_each_assessor_with_declaration_scores_and_total(
            self, client, officer, scoring_round):
        scored = assigned(scoring_round, person=assessor(full_name="Bea Bright"),
                          declaration=ConflictDeclaration.NO_CONFLICT)
        submitted_sheet(scored, [3, 2, 2, 1, 0, 3], total="61.67")
        application = scored.application
        assigned(scoring_round, person=assessor(full_name="Cal Conflicted"),
                 declaration=ConflictDeclaration.CONFLICT, application=application)
        assigned(scoring_round, person=assessor(full_name="Dee Undeclared"),
                 application=application)

        response = client.get(assessors_url(application))

        assert response.status_code == 200
        assert table_rows(response, "Assessors") == [
            ["Bea Bright", "No conflict 1 July 2024", "Submitted version 1 on 2 July 2024",
             "61.67%"],
            ["Cal Conflicted", "Conflict declared 1 July 2024 My sister chairs the group",
             "Removed: conflict declared", "None submitted"],
            ["Dee Undeclared", "Not declared yet", "Not started", "None submitted"],
        ]
        assert table_rows(response, "Scores submitted by Bea Bright") == [
            ["1", "2 July 2024 at 10:00am", "61.67%", "First submission"]]

    def test_offers_only_assessors_not_already_on_it(self, client, officer, scoring_round):
        first = assigned(scoring_round, person=assessor(full_name="Bea Bright"),
                         declaration=ConflictDeclaration.CONFLICT)
        assessor(full_name="Zoe Free")
        assessor(full_name="Amy Free")
        officer_user(full_name="Not An Assessor")

        response = client.get(assessors_url(first.application))

        assert choices(response) == ["Choose an assessor", "Amy Free", "Zoe Free"]

    def test_an_application_not_yet_being_assessed_is_explained(self, client, officer,
                                                                 scoring_round):
        application = being_assessed(scoring_round, status=ApplicationStatus.SUBMITTED)
        assessor()

        response = client.get(assessors_url(application))

        assert response.status_code == 200
        assert "only once an application has been found eligible" in main_text(response)
        assert "submitted" in main_text(response)
        assert not soup(response).select("#assessor")

    def test_a_full_application_offers_no_form(self, client, officer, scoring_round):
        application = being_assessed(scoring_round)
        for _ in range(scoring_round.assessors_per_application):
            assigned(scoring_round, application=application)
        assessor()

        response = client.get(assessors_url(application))

        assert "already has the 2 assessors its round asks for" in main_text(response)
        assert not soup(response).select("#assessor")

    @pytest.mark.parametrize("status", [ApplicationStatus.DRAFT, None])
    def test_drafts_and_unknown_ids_are_not_found(self, client, officer, scoring_round, status):
        application_id = (ApplicationFactory(round=scoring_round).id if status else 999_999)
        assert client.get(f"/scoring/applications/{application_id}").status_code == 404
        response = client.post(f"/scoring/applications/{application_id}/assign",
                               data={"assessor": "1"})
        assert response.status_code == 404


class TestAssignByHand:
    def test_assigns_audits_and_emails(self, client, officer, scoring_round, outbox):
        application = being_assessed(scoring_round)
        person = assessor(full_name="Amy Free", email="amy@example.org")

        response = client.post(f"{assessors_url(application)}/assign",
                               data={"assessor": str(person.id)}, follow_redirects=True)

        assert "Amy Free has been assigned" in main_text(response)
        assignment = db.session.scalar(select(Assignment))
        assert (assignment.application_id, assignment.assessor_id, assignment.assigned_by_id,
                assignment.declaration) == (application.id, person.id, officer.id, None)
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "assessor.assigned"))
        assert event.object_id == assignment.id and event.actor_id == officer.id
        (message,) = outbox.to("amy@example.org")
        assert message["Subject"] == "You have applications to assess"
        assert "/scoring/" in message.get_body(("plain",)).get_content()

    @pytest.mark.parametrize(("value", "message"), [
        ("", "Select an assessor"),
        ("abc", "Select an assessor from the list"),
        ("999999", "Select an assessor from the list"),
    ])
    def test_a_choice_not_offered_is_refused(self, client, officer, scoring_round, value,
                                             message):
        application = being_assessed(scoring_round)
        assessor()

        response = client.post(f"{assessors_url(application)}/assign", data={"assessor": value})

        assert response.status_code == 200
        assert error_messages(response) == {"assessor": message}
        assert db.session.scalar(select(Assignment)) is None

    def test_an_assessor_already_on_it_is_refused(self, ctx, scoring_round):
        existing = assigned(scoring_round, declaration=ConflictDeclaration.CONFLICT)
        with pytest.raises(RuleBroken, match="Select an assessor from the list"):
            services.assign(officer_user(), existing.application_id, existing.assessor_id)

    def test_refused_when_the_round_has_its_assessors(self, client, officer, scoring_round):
        application = being_assessed(scoring_round)
        for _ in range(2):
            assigned(scoring_round, application=application)
        spare = assessor()

        response = client.post(f"{assessors_url(application)}/assign",
                               data={"assessor": str(spare.id)})

        assert "already has the 2 assessors" in error_messages(response)["assessor"]
        assert len(db.session.scalars(select(Assignment)).all()) == 2

    def test_a_conflict_frees_a_place(self, ctx, scoring_round):
        application = being_assessed(scoring_round)
        assigned(scoring_round, application=application,
                 declaration=ConflictDeclaration.CONFLICT)
        assigned(scoring_round, application=application)
        spare = assessor()

        assignment = services.assign(officer_user(), application.id, spare.id)

        assert assignment.active

    def test_refused_when_not_being_assessed(self, ctx, scoring_round):
        application = being_assessed(scoring_round, status=ApplicationStatus.SUBMITTED)
        spare = assessor()
        with pytest.raises(RuleBroken, match="found eligible"):
            services.assign(officer_user(), application.id, spare.id)


class TestBalancedAssignment:
    def names(self, plan) -> dict[str, list[str]]:
        return {planned.application.reference: [p.full_name for p in planned.assessors]
                for planned in plan}

    def test_spreads_the_work_evenly_and_the_same_way_every_time(self, ctx, scoring_round):
        applications = [being_assessed(scoring_round, reference=f"R-{n}") for n in range(3)]
        for name in ("Cat", "Ann", "Bob"):
            assessor(full_name=name)
        ApplicationFactory(round=scoring_round, status=ApplicationStatus.SUBMITTED)
        officer = officer_user()

        plan = services.balanced_plan(officer, scoring_round)

        assert self.names(plan) == {"R-0": ["Ann", "Bob"], "R-1": ["Cat", "Ann"],
                                    "R-2": ["Bob", "Cat"]}
        assert self.names(services.balanced_plan(officer, scoring_round)) == self.names(plan)
        assert [planned.application.id for planned in plan] == [a.id for a in applications]

    def test_counts_existing_work_and_skips_conflicts(self, ctx, scoring_round):
        ann, bob, cat = (assessor(full_name=name) for name in ("Ann", "Bob", "Cat"))
        first = being_assessed(scoring_round, reference="R-0")
        assigned(scoring_round, person=ann, application=first,
                 declaration=ConflictDeclaration.CONFLICT)
        assigned(scoring_round, person=bob, application=first)
        being_assessed(scoring_round, reference="R-1")
        # Work in another round does not count towards this one.
        other_round = RoundFactory()
        assigned(other_round, person=cat)

        plan = services.balanced_plan(officer_user(), scoring_round)

        # R-0 has Bob active and Ann out by her conflict: Cat is the only one free.
        assert self.names(plan) == {"R-0": ["Cat"], "R-1": ["Ann", "Bob"]}

    def test_says_when_there_are_too_few_assessors(self, ctx, scoring_round):
        assessor(full_name="Ann")
        being_assessed(scoring_round)

        (planned,) = services.balanced_plan(officer_user(), scoring_round)

        assert [p.full_name for p in planned.assessors] == ["Ann"]
        assert planned.short_by == 1

    def test_preview_writes_nothing_and_applying_emails_each_assessor_once(
            self, client, officer, scoring_round, outbox):
        for n in range(2):
            being_assessed(scoring_round, reference=f"R-{n}")
        assessor(full_name="Ann", email="ann@example.org")
        assessor(full_name="Bob", email="bob@example.org")
        url = f"/scoring/rounds/{scoring_round.id}/assign"

        preview = client.get(url)

        assert table_rows(preview, "Who would be assigned")[0][2] == "Ann, Bob"
        assert db.session.scalar(select(Assignment)) is None

        applied = client.post(url, follow_redirects=True)

        assert "4 assignments have been made" in main_text(applied)
        assert len(db.session.scalars(select(Assignment)).all()) == 4
        assert len(outbox.to("ann@example.org")) == 1
        assert "2 applications" in outbox.to("bob@example.org")[0].get_body(
            ("plain",)).get_content()
        again = client.post(url, follow_redirects=True)
        assert "There is nobody to assign" in main_text(again)
        assert len(db.session.scalars(select(Assignment)).all()) == 4

    def test_unknown_round_is_not_found(self, client, officer):
        assert client.get("/scoring/rounds/999999/assign").status_code == 404
        assert client.get("/scoring/rounds/999999/declarations").status_code == 404


class TestDeclarations:
    def test_lists_every_declaration_in_the_round(self, client, officer, scoring_round):
        assigned(scoring_round, person=assessor(full_name="Bea"),
                 declaration=ConflictDeclaration.CONFLICT)
        assigned(scoring_round, person=assessor(full_name="Cal"),
                 declaration=ConflictDeclaration.NO_CONFLICT)
        assigned(scoring_round, person=assessor(full_name="Undeclared"))
        assigned(RoundFactory(), person=assessor(full_name="Elsewhere"),
                 declaration=ConflictDeclaration.CONFLICT)

        response = client.get(f"/scoring/rounds/{scoring_round.id}/declarations")

        rows = table_rows(response, "Declarations, page 1 of 1")
        assert sorted((row[0], row[2], row[3]) for row in rows) == [
            ("Bea", "Conflict declared", "My sister chairs the group"),
            ("Cal", "No conflict", "")]

    def test_is_paginated(self, client, officer, scoring_round):
        person = assessor()
        for _ in range(26):
            assigned(scoring_round, person=person, declaration=ConflictDeclaration.NO_CONFLICT)

        first = client.get(f"/scoring/rounds/{scoring_round.id}/declarations")
        second = client.get(f"/scoring/rounds/{scoring_round.id}/declarations?page=2")

        assert len(table_rows(first, "Declarations, page 1 of 2")) == 25
        assert len(table_rows(second, "Declarations, page 2 of 2")) == 1


def test_outside_a_request_the_email_says_where_to_go(ctx, scoring_round, outbox):
    """The demo loader and commands assign without a request, so there is no host to link."""
    application = being_assessed(scoring_round)
    person = assessor(email="quiet@example.org")

    services.assign(officer_user(), application.id, person.id)

    (message,) = outbox.to("quiet@example.org")
    assert "choose \"Your assessments\"" in message.get_body(("plain",)).get_content()


def test_what_people_typed_is_escaped(client, officer, scoring_round):
    assigned(scoring_round, person=assessor(full_name="<b>Bold</b> Name"),
             declaration=ConflictDeclaration.CONFLICT, conflict_details="<script>x</script>")

    for url in (f"/scoring/rounds/{scoring_round.id}/declarations",
                f"/scoring/applications/{db.session.scalar(select(Assignment)).application_id}"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>x" not in html and "<b>Bold" not in html
        assert "&lt;script&gt;x" in html and "&lt;b&gt;Bold" in html
