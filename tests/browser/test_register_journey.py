"""A resident, not signed in, finds the register from the footer, filters it by ward and year,
searches it, and pages through it, on a desktop and on a phone. axe-core checks each page,
the one with an error beside a filter included."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from portal.opendata import register
from tests.browser.helpers import heading
from tests.factories import OrganisationFactory, RoundFactory, SchemeFactory, ThemeFactory
from tests.opendata.conftest import grant, wards

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_resident_filters_searches_and_pages_the_register(page, live_server, ctx, monkeypatch,
                                                          assert_accessible, viewport):
    # The live server runs in this process, so small pages need few grants.
    monkeypatch.setattr(register, "PER_PAGE", 2)
    if viewport:
        page.set_viewport_size(viewport)
    scheme = SchemeFactory(name="Community Plus Grants")
    isolation = ThemeFactory(scheme=scheme, name="Reducing social isolation")
    round_ = RoundFactory(scheme=scheme, financial_year="2024/25")
    dalton, golcar = wards("Dalton", "Golcar")
    for day in range(1, 5):
        grant(organisation=OrganisationFactory(name=f"Dalton Friends {day}"), round=round_,
              title=f"Coffee morning {day}", amount_pence=1_000_00 + day, wards=[dalton],
              themes=[isolation], offered_at=datetime(2024, 8, day, 10, 0, tzinfo=UTC))
    grant(organisation=OrganisationFactory(name="Golcar Gardeners"), round=round_,
          title="Community garden", wards=[golcar], themes=[isolation])

    page.goto("/")
    page.locator("footer").get_by_role("link", name="Grants awarded").click()
    expect(heading(page)).to_have_text("Grants awarded")
    summary = page.locator("#summary")
    expect(summary).to_have_text("5 grants totalling £5,000.10")
    assert_accessible(page)

    page.get_by_label("Ward", exact=True).select_option(label="Dalton")
    page.get_by_label("Financial year").select_option(label="2024/25")
    page.get_by_role("button", name="Apply filters").click()
    expect(summary).to_have_text("4 grants totalling £4,000.10")
    expect(page.get_by_role("cell", name="Community garden")).to_have_count(0)
    # The table scrolls sideways inside its own region on a phone; the page never does.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)

    pagination = page.get_by_role("navigation", name="Pagination")
    pagination.get_by_role("link", name="Next").click()
    expect(page.locator("caption")).to_have_text("Grants awarded, page 2 of 2")
    expect(page.get_by_role("cell", name="Coffee morning 1")).to_be_visible()
    expect(page.get_by_label("Ward", exact=True)).to_have_value(str(dalton.id))
    assert_accessible(page)

    page.get_by_label("Search").fill("friends 3")
    page.get_by_role("button", name="Apply filters").click()
    expect(summary).to_have_text("1 grant totalling £1,000.03")

    page.goto("/grants-awarded?year=banana&q=garden")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select a financial year from the list")
    expect(summary).to_have_text("1 grant totalling £1,000.00")
    assert_accessible(page)

    page.get_by_role("link", name="Clear filters").click()
    expect(summary).to_have_text("5 grants totalling £5,000.10")
