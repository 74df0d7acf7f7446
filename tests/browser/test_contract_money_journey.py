"""A commissioner plans a contract's money (a mistake first), makes it active, varies a year
with a reason, terminates it early after checking what is released, and reads its versions.
axe-core checks every page reached, the pages showing mistakes included."""

import pytest
from playwright.sync_api import Page, expect

from models.enums import Role
from tests.browser.helpers import heading, sign_in_staff
from tests.contracts.test_contract_money import LABELS, YEARS, new_contract
from tests.contracts.test_years import pot
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_a_commissioner_plans_varies_and_terminates_a_contract(page: Page, ctx, real_csrf,
                                                               assert_accessible):
    commissioner = UserFactory(full_name="Cara Commissioner", roles=(Role.COMMISSIONER,))
    for label in LABELS:
        pot(commissioner, year=label, name=f"Core {label}")
    contract = new_contract()
    sign_in_staff(page, commissioner)
    page.goto(f"/contracts/{contract.id}")
    assert_accessible(page)

    # 1. Planning, with a box that is not money: the message beside it, the answers kept.
    page.get_by_role("link", name="Plan the money").click()
    expect(heading(page)).to_have_text("Plan the money")
    boxes = page.get_by_label("Core funding")
    for index in range(3):
        boxes.nth(index).fill("30,000")
        page.get_by_label("External funding").nth(index).fill("0")
    boxes.nth(1).fill("lots")
    page.get_by_role("button", name="Save the money").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        f"Enter the core funding for {LABELS[1]} in pounds")
    expect(boxes.nth(1)).to_have_value("lots")
    assert_accessible(page)
    boxes.nth(1).fill("30,000")
    page.get_by_role("button", name="Save the money").click()
    expect(page.locator("#money")).to_contain_text("£90,000.00")

    # 2. Making it active, after checking the money.
    page.get_by_role("link", name="Make active").click()
    assert_accessible(page)
    page.get_by_role("button", name="Make the contract active").click()
    expect(page.locator("#details .govuk-tag")).to_have_text("Active")

    # 3. Choosing the pots of a year, a variation needing a reason.
    page.get_by_role("link", name=f"Choose the pots for {LABELS[2]}").click()
    assert_accessible(page)
    page.get_by_role("button", name="Save the pots").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the reason for the change")
    assert_accessible(page)

    # 4. Terminating early: the check page, then the money released.
    page.goto(f"/contracts/{contract.id}")
    page.get_by_role("link", name="Terminate early").click()
    assert_accessible(page)
    ends = YEARS[1].quarter(2)[1]
    page.get_by_label("Day").fill(str(ends.day))
    page.get_by_label("Month").fill(str(ends.month))
    page.get_by_label("Year").fill(str(ends.year))
    page.get_by_label("Reason for ending the contract early").fill("The provider is closing")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#releases")).to_contain_text("£30,000.00")
    assert_accessible(page)
    page.get_by_role("button", name="Terminate the contract early").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "terminated early and £45,000.00 released")
    expect(page.locator("#details .govuk-tag")).to_have_text("Terminated")
    assert_accessible(page)

    # 5. The versions.
    page.get_by_role("link", name="Versions").click()
    expect(page.locator("#version-2")).to_contain_text("The provider is closing")
    assert_accessible(page)
