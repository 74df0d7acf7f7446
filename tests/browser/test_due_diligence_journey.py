"""A grants officer checks an application, is refused "eligible" before the checks are done,
asks the applicant a question; the applicant answers it in the portal and sees the timeline;
the officer records the checks and finds the application eligible. axe-core checks each page,
the pages showing mistakes included."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from models.enums import ApplicationStatus, OrganisationRole, Role
from tests.browser.helpers import heading, sign_in
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    authenticator_code,
)

pytestmark = pytest.mark.browser

QUESTION = "Which bank holds your organisation's account?"




@pytest.fixture
def world(ctx):
    organisation = OrganisationFactory(name="Golcar Good Neighbours")
    applicant = MembershipFactory(organisation=organisation, role=OrganisationRole.ADMIN,
                                  user=UserFactory(email="sam@example.org",
                                                   full_name="Sam Applicant")).user
    application = ApplicationFactory(
        organisation=organisation, created_by=applicant, submitted_by=applicant,
        reference="CPG-2425-0042", title="Golcar coffee mornings",
        status=ApplicationStatus.SUBMITTED, amount_requested_pence=2_500_00,
        submitted_at=datetime(2024, 6, 1, 9, 0, tzinfo=UTC))
    officer = UserFactory(email="gita@example.org", full_name="Gita Officer",
                          roles=(Role.GRANTS_OFFICER,))
    return application, officer


def test_checks_a_question_and_its_answer(page, browser, live_server, world,
                                         assert_accessible):
    application, officer = world
    sign_in(page, "gita@example.org", authenticator_code(officer))
    page.goto(f"/assessment/applications/{application.id}/due-diligence")
    expect(heading(page)).to_have_text("CPG-2425-0042")
    expect(page.get_by_role("navigation", name="Pages about CPG-2425-0042")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Eligible: the application goes on to assessment").check()
    page.get_by_role("button", name="Record outcome").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Complete every check before you mark the application eligible")
    assert_accessible(page)

    page.get_by_label("Ask the applicant a question first").check()
    page.get_by_label("Question for the applicant").fill(QUESTION)
    page.get_by_role("button", name="Record outcome").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "We have emailed your question to the applicant.")
    expect(page.locator("#clarifications ~ .govuk-summary-card")).to_contain_text(
        "Not answered yet")

    applicant_context = browser.new_context(base_url=live_server, bypass_csp=True)
    applicant_page = applicant_context.new_page()
    try:
        sign_in(applicant_page, "sam@example.org")
        applicant_page.goto(f"/applications/{application.id}")
        expect(applicant_page.locator("main")).to_contain_text(QUESTION)
        assert_accessible(applicant_page)
        applicant_page.get_by_role("button", name="Send your answer").click()
        expect(applicant_page.locator(".govuk-error-summary")).to_contain_text(
            "Enter your answer")
        assert_accessible(applicant_page)
        applicant_page.get_by_label("Your answer").fill("The Co-operative Bank.")
        applicant_page.get_by_role("button", name="Send your answer").click()
        expect(applicant_page.locator(".govuk-notification-banner")).to_contain_text(
            "Your answer has been sent to the grants team.")
        expect(applicant_page.locator("ol.portal-timeline")).to_contain_text(
            "Clarification answered")
        assert_accessible(applicant_page)
    finally:
        applicant_context.close()

    page.reload()
    expect(page.locator("#clarifications ~ .govuk-summary-card")).to_contain_text(
        "The Co-operative Bank.")
    page.get_by_label("The charity or company number has been checked against the public "
                      "register").check()
    page.get_by_label("The bank details have been verified").check()
    for document in ("Governing document", "Accounts", "Safeguarding policy"):
        page.get_by_label(document, exact=True).check()
    page.get_by_role("button", name="Save checks").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Checks saved.")
    assert_accessible(page)
    page.get_by_label("Eligible: the application goes on to assessment").check()
    page.get_by_role("button", name="Record outcome").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The application is eligible and goes on to assessment.")
    expect(page.locator("main .govuk-tag").first).to_have_text("Being assessed")
    assert_accessible(page)
