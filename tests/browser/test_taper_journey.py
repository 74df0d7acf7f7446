"""A commissioner plans a 20% taper for the Community Anchors programme, mistypes the
percentage once, previews the effect on every year and contract, and applies it. axe-core
checks the form, its error and the preview."""

import pytest
from playwright.sync_api import expect

from models.enums import Role
from portal.contracts.taper import Split
from tests.browser.helpers import heading, sign_in_staff
from tests.contracts.test_scenarios import anchors
from tests.contracts.test_taper_pages import planned
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_a_commissioner_previews_and_applies_a_twenty_percent_taper(page, ctx,
                                                                    assert_accessible):
    commissioner = UserFactory(full_name="Cara Commissioner", roles=(Role.COMMISSIONER,))
    programme = anchors(commissioner)

    sign_in_staff(page, commissioner)
    page.goto(f"/contracts/programmes/{programme.id}")
    page.get_by_role("link", name="Plan a taper").click()
    expect(heading(page)).to_have_text("Plan a taper")
    assert_accessible(page)

    page.get_by_label("By a percentage a year", exact=True).check()
    page.get_by_label("Yearly fall in core funding, as a percentage", exact=True).fill("twenty")
    page.get_by_label("Stays the same: external funding replaces the core lost").check()
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the yearly fall in core funding as a number, like 20 or 12.5")
    assert_accessible(page)

    page.get_by_label("Yearly fall in core funding, as a percentage", exact=True).fill("20")
    page.get_by_role("button", name="Preview").click()
    expect(heading(page)).to_have_text("Preview the taper")
    years = page.get_by_role("table", name="The programme by year, now and with the taper")
    expect(years.get_by_role("row", name="2026/27")).to_contain_text("£64,000.00")
    pots = page.get_by_role("table", name="What each year’s pots can give these contracts")
    expect(pots.get_by_role("row", name="2026/27")).to_contain_text("£26,000.00")
    assert_accessible(page)

    page.get_by_label("Reason for applying the taper").fill("Cabinet: core falls 20% a year")
    page.get_by_role("button", name="Apply this taper").click()
    expect(heading(page)).to_have_text(programme.name)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The taper has been applied to 2 contracts.")
    assert planned(programme)["CA-B", "2026/27"] == Split(25_600_00, 34_400_00)


def test_a_commissioner_saves_two_scenarios_and_compares_them(page, ctx, assert_accessible):
    commissioner = UserFactory(full_name="Cara Commissioner", roles=(Role.COMMISSIONER,))
    programme = anchors(commissioner)
    sign_in_staff(page, commissioner)
    for percentage in ("20", "30"):
        page.goto(f"/contracts/programmes/{programme.id}/taper")
        page.get_by_label("By a percentage a year", exact=True).check()
        page.get_by_label("Yearly fall in core funding, as a percentage",
                          exact=True).fill(percentage)
        page.get_by_label("Stays the same: external funding replaces the core lost").check()
        page.get_by_role("button", name="Preview").click()
        page.get_by_label("Scenario name").fill(f"{percentage}% a year")
        page.get_by_role("button", name="Save as a scenario").click()
        expect(heading(page)).to_have_text(f"{percentage}% a year")
    assert_accessible(page)

    page.get_by_role("link", name="Back to scenarios").click()
    expect(heading(page)).to_have_text("Scenarios")
    assert_accessible(page)
    page.get_by_label("First scenario").select_option(label="20% a year")
    page.get_by_label("Second scenario").select_option(label="30% a year")
    page.get_by_role("button", name="Compare").click()
    expect(heading(page)).to_have_text("Compare 20% a year and 30% a year")
    core = page.get_by_role("table", name="Core funding by year")
    expect(core.get_by_role("row", name="2026/27")).to_contain_text("−£15,000.00")
    assert_accessible(page)
