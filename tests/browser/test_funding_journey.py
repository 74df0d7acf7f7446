"""A grants officer follows the money: from the funding dashboard's schemes table to one
scheme's ledger entries for a year, and on to an award and a pot. axe-core checks each page."""

import pytest
from playwright.sync_api import expect

from models.enums import Role
from tests.browser.helpers import heading, sign_in_staff
from tests.factories import UserFactory
from tests.funding.spending import world

pytestmark = pytest.mark.browser


def test_an_officer_drills_down_from_a_schemes_year_to_its_awards(page, ctx,
                                                                  assert_accessible):
    officer = UserFactory(full_name="Olive Officer", roles=(Role.GRANTS_OFFICER,))
    made = world(officer)

    sign_in_staff(page, officer)
    page.goto("/funding/")
    expect(heading(page)).to_have_text("Funding pots")
    schemes = page.get_by_role("table", name="Schemes, 2024/25")
    expect(schemes.get_by_role("row").last).to_contain_text("Total for 2024/25")
    assert_accessible(page)

    schemes.get_by_role("link", name="Community Plus").click()
    expect(heading(page)).to_have_text("Community Plus")
    figures = page.get_by_role("table", name="Core and external money")
    expect(figures.get_by_role("row", name="External")).to_contain_text("£3,000.00")
    assert_accessible(page)

    ledger = page.get_by_role("table", name="Ledger entries of the scheme’s awards, newest first")
    ledger.get_by_role("link", name=made.first.reference).first.click()
    expect(heading(page)).to_have_text(f"Award {made.first.reference}")

    page.go_back()
    ledger.get_by_role("link", name="Core 24").first.click()
    expect(heading(page)).to_have_text("Core 24")
    expect(page.get_by_role("table", name="Ledger entries, newest first")
           .get_by_role("link", name=made.anchor.reference)).to_be_visible()
    assert_accessible(page)
