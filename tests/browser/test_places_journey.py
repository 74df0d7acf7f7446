"""A commissioner opens funding by place from the programmes page, reads a ward's and a
locality's per head figures, changes the year, and reads the table on a phone, where it
scrolls inside its own region. axe-core checks each view."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import heading, sign_in_staff
from tests.reporting.places import places

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_a_commissioner_reads_funding_by_place(page, ctx, assert_accessible):
    world = places()

    sign_in_staff(page, world.officer)
    page.get_by_role("link", name="Contracts").click()
    page.get_by_role("link", name="Funding by place").click()

    expect(heading(page)).to_have_text("Funding by place")
    table = page.get_by_role("table", name="Committed money by ward and locality, 2024/25")
    expect(table.get_by_role("row", name="Dalton")).to_contain_text("£4,800.00")
    expect(table.get_by_role("row", name="Dalton")).to_contain_text("£0.48")
    expect(table.get_by_role("row", name="Kirklees Rural total")).to_contain_text("£0.33")
    expect(table.get_by_role("row").last).to_contain_text("£17,500.01")
    assert_accessible(page)

    page.get_by_label("Financial year").select_option(label="2023/24")
    page.get_by_role("button", name="Show").click()
    table = page.get_by_role("table", name="Committed money by ward and locality, 2023/24")
    expect(table.get_by_role("row", name="Dalton")).to_contain_text("£700.00")
    assert_accessible(page)

    page.set_viewport_size(PHONE)
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert_accessible(page)
