"""A grants officer makes an award offer from an approved decision, split across a core and an
external pot; the organisation's admin finds it on their application and accepts it. axe-core
checks every page reached, the pages showing mistakes included."""

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from models import Award
from models.base import db
from models.enums import AwardStatus, FundingSource, OrganisationRole, Role
from tests.awards.conftest import approved, pot
from tests.browser.helpers import heading, sign_in, sign_in_staff
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

DECLARATION = "I confirm that I am authorised to accept this grant"


def error_summary(page: Page) -> Locator:
    return page.locator(".govuk-error-summary")


def banner(page: Page) -> Locator:
    return page.locator(".govuk-notification-banner")


def field_error(page: Page, field: str) -> Locator:
    """The error message shown beside one field of a form."""
    return page.locator(f".govuk-form-group--error:has(#{field}) .govuk-error-message")


@pytest.fixture
def world(ctx):
    """An application approved for £1,000 in a round whose scheme takes external money first;
    a core pot with £3,000 and an external pot with £600, so the offer is split between them;
    Olive, a grants officer; and Priya, the organisation's admin."""
    round_ = RoundFactory(closed=True, budget_pence=50_000_00, min_award_pence=500_00,
                          max_award_pence=5_000_00)
    organisation = OrganisationFactory(name="Golcar Good Neighbours")
    admin = MembershipFactory(organisation=organisation, role=OrganisationRole.ADMIN,
                              user=UserFactory(email="priya@example.org",
                                               full_name="Priya Shah")).user
    application = approved(round_, 1_000_00, organisation=organisation, created_by=admin,
                           submitted_by=admin, reference="CPG-2425-0077",
                           title="Golcar coffee mornings")
    core = pot(3_000_00, FundingSource.CORE, name="Council base budget",
               funder_name="Kirklees Council", acknowledgement=None)
    external = pot(600_00, FundingSource.EXTERNAL, name="Partnership fund")
    officer = UserFactory(full_name="Olive Officer", roles=(Role.GRANTS_OFFICER,))
    return {"application": application, "core": core, "external": external,
            "officer": officer, "admin": admin}


def test_an_officer_makes_an_offer_and_the_organisation_accepts_it(
        page, browser, live_server, world, assert_accessible):
    application, core, external = world["application"], world["core"], world["external"]
    core_box = f"#pot_{core.id}"
    external_box = f"#pot_{external.id}"

    # 1. The officer opens the decision and the award offer, with the proposed split.
    sign_in_staff(page, world["officer"])
    page.goto(f"/decisions/applications/{application.id}")
    expect(heading(page)).to_have_text("Decision on CPG-2425-0077")
    page.get_by_role("link", name="The award offer for this application").click()
    expect(heading(page)).to_have_text("Award offer for CPG-2425-0077")
    expect(page.locator("main")).to_contain_text("£1,000.00")
    expect(page.get_by_label("Council base budget (2024/25)")).to_be_visible()
    expect(page.get_by_label("Partnership fund (2024/25)")).to_be_visible()
    expect(page.locator(core_box)).to_have_value("400")
    expect(page.locator(external_box)).to_have_value("600")
    assert_accessible(page)

    # Amounts that do not add up to the approved amount.
    page.locator(core_box).fill("100")
    page.get_by_role("button", name="Make the award offer").click()
    expect(error_summary(page)).to_contain_text("must add up")
    expect(heading(page)).to_have_text("Award offer for CPG-2425-0077")
    assert_accessible(page)

    # The proposed amounts.
    page.locator(core_box).fill("400")
    page.locator(external_box).fill("600")
    page.get_by_role("button", name="Make the award offer").click()
    expect(banner(page)).to_contain_text(
        "The award offer for CPG-2425-0077 has been made and its money committed")
    expect(heading(page)).to_have_text("Award CPG-2425-0077")
    allocations = page.locator("#allocations")
    for name, amount in (("Council base budget", "£400.00"), ("Partnership fund", "£600.00")):
        row = allocations.get_by_role("row").filter(
            has=page.get_by_role("link", name=name, exact=True))
        expect(row).to_contain_text(amount)
    expect(page.locator("#award")).to_contain_text("Offered")
    assert_accessible(page)

    # 2. The organisation's admin, in a browser of their own, finds the offer and accepts it.
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    context.set_default_timeout(10_000)
    try:
        admin_page = context.new_page()
        sign_in(admin_page, world["admin"].email)
        admin_page.goto(f"/applications/{application.id}")
        expect(admin_page.get_by_role("heading", name="Your award offer")).to_be_visible()
        assert_accessible(admin_page)
        admin_page.get_by_role("link", name="See the award offer").click()
        expect(heading(admin_page)).to_have_text("Grant offer CPG-2425-0077")
        funding = admin_page.locator("#funding")
        expect(funding).to_contain_text("£400.00")
        expect(funding).to_contain_text("£600.00")
        expect(admin_page.get_by_role("heading", name="Accept the offer")).to_be_visible()
        assert_accessible(admin_page)

        # The acceptance form sent empty.
        accept = admin_page.get_by_role("button", name="Accept the grant offer")
        accept.click()
        summary = error_summary(admin_page)
        expect(summary).to_contain_text("Enter the name of the person accepting")
        expect(summary).to_contain_text("Enter their position in the organisation")
        expect(summary).to_contain_text("Confirm that you are authorised to accept this grant")
        expect(field_error(admin_page, "signatory_name")).to_contain_text(
            "Enter the name of the person accepting")
        expect(field_error(admin_page, "signatory_position")).to_contain_text(
            "Enter their position in the organisation")
        expect(field_error(admin_page, "declaration")).to_contain_text(
            "Confirm that you are authorised to accept this grant")
        assert_accessible(admin_page)

        # Filled in properly.
        admin_page.get_by_label("Full name of the person accepting").fill("Priya Shah")
        admin_page.get_by_label("Their position in the organisation").fill("Chair of trustees")
        admin_page.get_by_label(DECLARATION).check()
        accept.click()
        expect(banner(admin_page)).to_contain_text(
            "You have accepted the grant offer CPG-2425-0077.")
        offer = admin_page.locator("#offer")
        expect(offer.locator(".govuk-summary-list__row", has_text="Status")).to_contain_text(
            "Accepted")
        expect(offer).to_contain_text("Priya Shah, Chair of trustees")
        expect(admin_page.get_by_role("button", name="Accept the grant offer")).to_have_count(0)
        assert_accessible(admin_page)
    finally:
        context.close()

    # 3. The award is accepted, with its signatory recorded.
    db.session.expire_all()
    award = db.session.scalar(select(Award).where(Award.application_id == application.id))
    assert award.status is AwardStatus.ACCEPTED
    assert (award.signatory_name, award.signatory_position) == ("Priya Shah",
                                                                "Chair of trustees")
    assert award.answered_by_id == world["admin"].id
    assert {(a.pot_id, a.amount_pence) for a in award.allocations} == {
        (core.id, 400_00), (external.id, 600_00)}
