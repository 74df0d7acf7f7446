"""An organisation admin fills in the profile on a phone-sized screen, page by page, with axe-core
checking every page, mistakes included."""

import pytest
from playwright.sync_api import Page, expect

from models import Locality, Ward
from models.base import db
from models.enums import OrganisationRole
from tests.browser.helpers import heading
from tests.factories import PASSWORD, MembershipFactory

pytestmark = pytest.mark.browser



def change(page: Page, card: str) -> None:
    """Follow a summary card's Change link to its page."""
    page.get_by_role("link", name=f"Change ({card})").click()
    expect(heading(page)).to_have_text(card)


def test_admin_completes_the_profile_page_by_page(page, assert_accessible):
    db.session.add(Locality(name="Huddersfield", wards=[Ward(name="Newsome"),
                                                        Ward(name="Almondbury")]))
    db.session.commit()
    admin = MembershipFactory(role=OrganisationRole.ADMIN, organisation__name="Golcar Lunch Club")
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(admin.user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/organisations/{admin.organisation_id}")
    expect(page.locator("#profile-completeness")).to_contain_text("not complete")
    assert_accessible(page)

    change(page, "Names and legal form")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)
    page.get_by_label("Legal name").fill("Golcar Lunch Club CIO")
    page.get_by_label("Name it is known by").fill("Golcar Lunch Club")
    page.get_by_label("Charitable incorporated organisation (CIO)").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#profile-completeness")).to_contain_text("charity number")

    change(page, "Registration numbers")
    assert_accessible(page)
    page.get_by_label("Charity number").fill("1234567")
    page.get_by_role("button", name="Save").click()

    change(page, "Registered address")
    page.get_by_label("Address line 1").fill("Golcar Baptist Church")
    page.get_by_label("Town or city").fill("Golcar")
    page.get_by_label("Postcode").fill("not a postcode")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#postcode-error")).to_contain_text("Enter a real postcode")
    assert_accessible(page)
    page.get_by_label("Postcode").fill("hd7 4aa")
    page.get_by_role("button", name="Save").click()

    change(page, "Income, staff and volunteers")
    page.get_by_label("Income in your last accounts").fill("£12,500")
    page.get_by_label("Number of paid staff").fill("0")
    page.get_by_label("Number of volunteers").fill("-2")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#volunteers-error")).to_contain_text("must be 0 or more")
    assert_accessible(page)
    page.get_by_label("Number of volunteers").fill("25")
    page.get_by_role("button", name="Save").click()

    change(page, "Wards served")
    page.get_by_role("button", name="Save").click()
    assert_accessible(page)
    page.get_by_label("Newsome").check()
    page.get_by_role("button", name="Save").click()

    change(page, "Main contact")
    assert_accessible(page)
    page.get_by_label("Full name").fill("Asha Patel")
    page.get_by_label("Email address").fill("asha@example.org")
    page.get_by_role("button", name="Save").click()

    change(page, "Safeguarding")
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#safeguarding_review_date-error")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Day").fill("15")
    page.get_by_label("Month").fill("9")
    page.get_by_label("Year").fill("2025")
    page.get_by_role("button", name="Save").click()

    expect(page.locator("#profile-completeness")).to_have_text("Your profile is complete.")
    assert_accessible(page)
