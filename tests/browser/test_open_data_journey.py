"""A grants officer reviews a year's grants, withholds one with a reason (after first leaving
the reason out), publishes the rest, and the public open-data page offers the files; axe-core
checks each page, the public one on a phone's width too."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from models.enums import Role
from tests.awards.conftest import accepted_grant
from tests.browser.helpers import heading, sign_in_staff
from tests.factories import RoundFactory, UserFactory
from tests.opendata.test_publishing import PREFIX

pytestmark = pytest.mark.browser


def test_an_officer_withholds_a_grant_and_publishes_the_year(page, ctx, monkeypatch,
                                                             assert_accessible):
    monkeypatch.setitem(ctx.config, "COUNCIL_ORG_ID", "GB-LAE-TST")
    monkeypatch.setitem(ctx.config, "GRANT_ID_PREFIX", PREFIX)
    round_ = RoundFactory(closed=True, budget_pence=50_000_00, min_award_pence=500_00,
                          max_award_pence=5_000_00)
    kept, withheld = accepted_grant(round_), accepted_grant(round_)
    officer = UserFactory(full_name="Olive Officer", roles=(Role.GRANTS_OFFICER,))

    sign_in_staff(page, officer)
    page.get_by_role("link", name="Publish open data").click()
    expect(heading(page)).to_have_text("Publish open data")
    assert_accessible(page)
    page.get_by_role("link", name="Review 2024/25 grants").click()
    expect(heading(page)).to_have_text("Review the 2024/25 grants before publishing")
    assert_accessible(page)

    page.get_by_role("link", name=f"Withhold {withheld.award.reference}").click()
    page.get_by_role("button", name="Withhold the grant").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why this grant must not be published")
    assert_accessible(page)
    page.get_by_label("Why must this grant not be published?").fill("It names a refuge")
    page.get_by_role("button", name="Withhold the grant").click()
    expect(page.locator("#withheld ~ .portal-table-wrapper")).to_contain_text(
        "It names a refuge")

    page.get_by_role("button", name="Publish these grants").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Version 1 of the 2024/25 grants has been published: 1 grant,")
    assert_accessible(page)

    page.goto("/open-data")
    expect(heading(page)).to_have_text("Open data: grants awarded")
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="360Giving JSON").click()
    grants = json.loads(Path(download.value.path()).read_text())["grants"]
    assert [grant["id"] for grant in grants] == [f"{PREFIX}-{kept.award.reference}"]
