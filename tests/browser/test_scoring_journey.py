"""Browser journeys of the scoring area, with axe-core checking every page reached (the pages
showing mistakes included): an assessor declares no conflict of interest, saves a draft with a
mistake and submits their scores; an officer assigns assessors and reads the declarations."""

import re

import pytest
from playwright.sync_api import expect

from models.base import db
from models.enums import ApplicationStatus, ConflictDeclaration, Role, ScoresheetStatus
from tests.browser.helpers import heading, sign_in_staff
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    OrganisationFactory,
    RoundFactory,
    UserFactory,
    community_plus_criteria,
)

pytestmark = pytest.mark.browser

SCORES = ["3", "2", "2", "1", "0", "3"]



@pytest.fixture
def assignment(ctx):
    """Ada, an assessor, assigned to an application being assessed in a round with the six
    Community Plus criteria."""
    round_ = RoundFactory(name="Community Plus 2024/25")
    criteria = community_plus_criteria(round_)
    application = ApplicationFactory(
        round=round_, reference="CPG-2425-0042", title="Golcar coffee mornings",
        description="Weekly coffee mornings for older people living alone.",
        organisation=OrganisationFactory(name="Golcar Good Neighbours"),
        status=ApplicationStatus.UNDER_ASSESSMENT, amount_requested_pence=2_500_00)
    person = UserFactory(email="ada@example.org", full_name="Ada Assessor",
                         roles=(Role.ASSESSOR,))
    return AssignmentFactory(application=application, assessor=person), criteria


def test_an_assessor_declares_and_scores(page, assignment, assert_accessible):
    mine, criteria = assignment
    sign_in_staff(page, mine.assessor)

    page.locator(".govuk-service-navigation").get_by_role(
        "link", name="Your assessments").click()
    expect(heading(page)).to_have_text("Your assessments")
    assert_accessible(page)

    page.get_by_role("link", name="CPG-2425-0042").click()
    expect(heading(page)).to_have_text("CPG-2425-0042")
    expect(page.locator("main")).not_to_contain_text("Weekly coffee mornings")
    assert_accessible(page)

    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select yes if you have a conflict of interest")
    assert_accessible(page)
    page.get_by_role("group", name="Do you have a conflict of interest?").get_by_label(
        "No").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("main")).to_contain_text("Weekly coffee mornings")
    assert_accessible(page)

    page.get_by_role("button", name="Score this application").click()
    expect(heading(page)).to_have_text("Score this application")
    assert_accessible(page)
    for criterion, score in zip(criteria, SCORES, strict=True):
        page.get_by_role("group", name=f"Score for {criterion.name}").get_by_label(
            score, exact=True).check()
        if criterion is not criteria[2]:
            page.get_by_label(f"Justification for {criterion.name}").fill(
                f"Scored {score} from the answers")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your draft scores have been saved")
    assert_accessible(page)

    page.get_by_role("button", name="Submit scores").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(
        "Enter a justification for Well costed and value for money")
    assert_accessible(page)
    summary.get_by_role("link").click()
    field = page.get_by_label(f"Justification for {criteria[2].name}")
    expect(field).to_be_focused()
    expect(page.get_by_role("group", name=f"Score for {criteria[0].name}").get_by_label(
        "3", exact=True)).to_be_checked()
    field.fill("The costs are realistic")
    page.get_by_role("button", name="Submit scores").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your scores have been submitted. Your total is 65.00%.")
    expect(page.get_by_role("table", name="Your submitted scores")).to_contain_text("65.00%")
    expect(page.locator("main")).to_contain_text("No other assessor has submitted scores yet")
    assert_accessible(page)

    page.get_by_role("button", name="Change your scores").click()
    expect(heading(page)).to_have_text("Change your scores")
    assert_accessible(page)
    page.get_by_role("link", name="Back to the application").click()
    page.locator(".govuk-service-navigation").get_by_role(
        "link", name="Your assessments").click()
    expect(page.get_by_role("table")).to_contain_text(re.compile(r"Submitted version 1 on"))
    assert_accessible(page)
    db.session.refresh(mine)
    assert mine.declaration is ConflictDeclaration.NO_CONFLICT
    assert [(sheet.version, sheet.status, str(sheet.total_percent)) for sheet in mine.scoresheets
            ] == [(1, ScoresheetStatus.SUBMITTED, "65.00")]



def test_an_officer_assigns_assessors_and_reads_declarations(page, assignment,
                                                             assert_accessible):
    mine, _ = assignment
    round_ = mine.application.round
    ApplicationFactory(round=round_, reference="CPG-2425-0043",
                       status=ApplicationStatus.UNDER_ASSESSMENT)
    UserFactory(full_name="Ben Balanced", roles=(Role.ASSESSOR,))
    AssignmentFactory(application=mine.application, declaration=ConflictDeclaration.CONFLICT,
                      conflict_details="I chair its board", declared_at=mine.assigned_at,
                      assessor=UserFactory(full_name="Cara Conflicted", roles=(Role.ASSESSOR,)))
    officer = UserFactory(full_name="Olive Officer", roles=(Role.GRANTS_OFFICER,))
    sign_in_staff(page, officer)

    page.goto(f"/scoring/applications/{mine.application_id}")
    expect(heading(page)).to_have_text("Assessors and scores")
    assert_accessible(page)
    page.get_by_role("button", name="Assign assessor").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select an assessor")
    assert_accessible(page)
    page.get_by_label("Assessor").select_option(label="Ben Balanced")
    page.get_by_role("button", name="Assign assessor").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Ben Balanced has been assigned")
    expect(page.locator("main")).to_contain_text("already has the 2 assessors")
    assert_accessible(page)

    page.get_by_role("link", name="Assign assessors to the whole round").click()
    expect(heading(page)).to_have_text("Assign assessors")
    expect(page.get_by_role("table")).to_contain_text("CPG-2425-0043")
    assert_accessible(page)
    page.get_by_role("button", name="Assign these assessors").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("have been made")
    assert_accessible(page)

    page.get_by_role("link", name="Declarations of interest in this round").click()
    expect(heading(page)).to_have_text("Declarations of interest")
    expect(page.get_by_role("table")).to_contain_text("I chair its board")
    assert_accessible(page)
