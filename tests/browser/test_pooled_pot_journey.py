"""A grants officer adds a funding partner, sets up a pooled pot with its first contribution,
records a second partner's contribution and reads the contributions on the pot's page, on a
desktop and on a phone. axe-core checks each page, the error messages included."""

import pytest
from playwright.sync_api import expect

from models.enums import Role
from tests.browser.helpers import heading, sign_in_staff
from tests.factories import FundingPartnerFactory, UserFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_an_officer_pools_two_partners_money(page, ctx, assert_accessible):
    officer = UserFactory(full_name="Olive Officer", roles=(Role.GRANTS_OFFICER,))
    FundingPartnerFactory(name="Kirklees Public Health", org_id="GB-EXAMPLE-PH")

    sign_in_staff(page, officer)
    page.goto("/funding/")
    page.get_by_role("link", name="Funding partners").click()
    expect(heading(page)).to_have_text("Funding partners")
    page.get_by_role("button", name="Add a partner").click()
    page.get_by_label("Partner’s name").fill("West Yorkshire ICB")
    page.get_by_label("Organisation identifier").fill("GB NHS")
    page.get_by_role("button", name="Save partner").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the organisation identifier like")
    assert_accessible(page)
    page.get_by_label("Organisation identifier").fill("GB-NHS-QWO")
    page.get_by_role("button", name="Save partner").click()
    expect(page.get_by_role("table", name="Funding partners")).to_contain_text("GB-NHS-QWO")
    assert_accessible(page)

    page.goto("/funding/pots/new")
    page.get_by_label("Pot name").fill("Joint Working Fund")
    page.get_by_label("Financial year").fill("2024/25")
    page.get_by_label("Pooled: contributions from several partners").check()
    page.get_by_label("Funder’s name").fill("Joint Working Board")
    page.get_by_label("Opening budget", exact=True).fill("£30,000")
    page.get_by_label("Reason for the opening budget").fill("The ICB's share")
    page.get_by_role("button", name="Create pot").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Select the partner contributing the opening budget")
    assert_accessible(page)
    page.get_by_label("Partner contributing the opening budget").select_option(
        label="West Yorkshire ICB (GB-NHS-QWO)")
    page.get_by_role("button", name="Create pot").click()
    expect(heading(page)).to_have_text("Joint Working Fund")

    page.get_by_role("link", name="Record a partner’s contribution").click()
    page.get_by_label("Which partner’s contribution is this?").select_option(
        label="Kirklees Public Health (GB-EXAMPLE-PH)")
    page.get_by_label("Increase the budget").check()
    page.get_by_label("Amount", exact=True).fill("£10,000")
    page.get_by_label("Reason", exact=True).fill("Public Health's share")
    page.get_by_role("button", name="Change budget").click()

    contributions = page.get_by_role("table",
                                     name="Contributions and what is attributed to each partner")
    expect(contributions.get_by_role("row", name="West Yorkshire ICB")).to_contain_text("75.0%")
    expect(contributions.get_by_role("row", name="Kirklees Public Health")).to_contain_text(
        "£10,000.00")
    assert_accessible(page)

    page.set_viewport_size(PHONE)
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert_accessible(page)
