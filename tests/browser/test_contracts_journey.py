"""A commissioner sets up the Community Anchors programme with its core budget targets, makes
one mistake on the way, and drafts a lead locality anchor contract in it. axe-core checks each
page."""

import pytest
from playwright.sync_api import expect

from models.enums import Role
from tests.browser.helpers import heading, sign_in_staff
from tests.contracts.commissioning import huddersfield
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.browser


def test_a_commissioner_creates_a_programme_and_a_contract(page, ctx, assert_accessible):
    commissioner = UserFactory(full_name="Cara Commissioner", roles=(Role.COMMISSIONER,))
    OrganisationFactory(name="Huddersfield Community Trust")
    huddersfield()

    sign_in_staff(page, commissioner)
    page.get_by_role("link", name="Contracts").click()
    expect(heading(page)).to_have_text("Programmes")
    assert_accessible(page)

    page.get_by_role("button", name="Create a programme").click()
    expect(heading(page)).to_have_text("Create a programme")
    page.get_by_label("Code").fill("ANCHORS")
    page.get_by_label("Name", exact=True).fill("Community Anchors 2024–27")
    page.get_by_label("Financial year in row 1").fill("2024/25")
    page.get_by_label("Core budget target in row 1").fill("£180,000")
    page.get_by_label("Financial year in row 2").fill("2025/2026")
    page.get_by_label("Core budget target in row 2").fill("£150,000")
    page.get_by_role("button", name="Save programme").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the financial year like 2024/25")
    expect(page.get_by_label("Core budget target in row 2")).to_have_value("£150,000")
    assert_accessible(page)
    page.get_by_label("Financial year in row 2").fill("2025/26")
    page.get_by_role("button", name="Save programme").click()

    expect(heading(page)).to_have_text("Community Anchors 2024–27")
    targets = page.get_by_role("table", name="Core budget targets")
    expect(targets.get_by_role("row", name="2024/25")).to_contain_text("£180,000.00")
    expect(targets.get_by_role("row", name="2025/26")).to_contain_text("£150,000.00")
    assert_accessible(page)

    page.get_by_role("button", name="Add a contract").click()
    expect(heading(page)).to_have_text("Add a contract")
    page.get_by_label("Reference").fill("CA-LLA-01")
    page.get_by_label("Title").fill("Huddersfield lead locality anchor")
    page.get_by_label("Provider").select_option(label="Huddersfield Community Trust")
    page.get_by_label("Lead locality anchor").check()
    page.get_by_label("Locality (optional)").select_option(label="Huddersfield")
    page.get_by_label("Dalton").check()
    start = page.get_by_role("group", name="Start date")
    start.get_by_label("Day").fill("1")
    start.get_by_label("Month").fill("4")
    start.get_by_label("Year").fill("2024")
    end = page.get_by_role("group", name="End date")
    end.get_by_label("Day").fill("31")
    end.get_by_label("Month").fill("3")
    end.get_by_label("Year").fill("2027")
    assert_accessible(page)
    page.get_by_role("button", name="Save contract").click()

    expect(heading(page)).to_have_text("Huddersfield lead locality anchor")
    expect(page.locator("#details")).to_contain_text("2024/25, 2025/26, 2026/27")
    assert_accessible(page)
    page.get_by_role("link", name="Back to Community Anchors 2024–27").click()
    contracts = page.get_by_role("table", name="1 contract, by reference")
    expect(contracts.get_by_role("row", name="CA-LLA-01")).to_contain_text(
        "Huddersfield Community Trust")
