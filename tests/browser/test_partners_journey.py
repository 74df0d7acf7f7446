"""A funding partner's member of staff signs in with their authenticator code, lands on their
partner's overview, opens the quarterly statement for Q1 and reads it on a phone. axe-core
checks each view."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import heading, sign_in
from tests.factories import authenticator_code
from tests.partners.world import partners

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_a_partner_reads_its_overview_and_quarterly_statement(page, ctx, assert_accessible):
    world = partners()

    sign_in(page, world.icb_user.email, authenticator_code(world.icb_user))
    expect(heading(page)).to_have_text("Overview")
    table = page.get_by_role("table", name="Money in and spent, 2024/25")
    expect(table.get_by_role("row").last).to_contain_text("£1,933.33")
    assert_accessible(page)

    page.get_by_role("link", name="Quarterly statement").click()
    page.get_by_label("Quarter").select_option(label="Q1")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#made-up-to")).to_contain_text("end of Q1 2024/25")
    expect(page.locator("#statement-payments tr").last).to_contain_text("£466.67")
    assert_accessible(page)

    page.set_viewport_size(PHONE)
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert_accessible(page)
