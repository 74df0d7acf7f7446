"""A grants officer takes rounds and pots through the year: the round page's next step, closing
an open round early (a reason first forgotten, then given), copying the round for next year,
and setting up next year's pot from this year's. axe-core checks every page reached."""

from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from models.base import utcnow
from models.enums import Role
from tests.browser.helpers import heading, sign_in_staff
from tests.factories import ApplicationFactory, RoundFactory, UserFactory, community_plus_criteria
from tests.funding.conftest import pot_with

pytestmark = pytest.mark.browser


def next_step(page: Page) -> Locator:
    return page.locator("#next-step")


def test_an_officer_closes_a_round_early_and_copies_it(page, ctx, assert_accessible):
    now = utcnow()
    round_ = RoundFactory(name="Community Plus 2026/27 round 1", financial_year="2026/27",
                          opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=20))
    community_plus_criteria(round_)
    ApplicationFactory(round=round_)
    officer = UserFactory(full_name="Olive Officer", roles=(Role.GRANTS_OFFICER,))
    sign_in_staff(page, officer)

    page.goto(f"/schemes/rounds/{round_.id}")
    expect(next_step(page)).to_contain_text("Organisations can apply until")
    assert_accessible(page)

    next_step(page).get_by_role("link", name="Close the round early").click()
    expect(heading(page)).to_have_text("Close Community Plus 2026/27 round 1 early")
    expect(page.locator(".govuk-warning-text")).to_contain_text("1 application is still a draft")
    assert_accessible(page)
    page.get_by_role("button", name="Close the round now").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why the round is closing early")
    assert_accessible(page)
    page.get_by_label("Why is the round closing early?").fill("The budget is fully committed.")
    page.get_by_role("button", name="Close the round now").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text("has closed")
    expect(page.locator("main")).to_contain_text("This round was closed early")
    expect(next_step(page)).to_contain_text("Mark the round as decided")
    assert_accessible(page)

    page.get_by_role("link", name="Copy this round to set up another").click()
    expect(heading(page)).to_have_text("Copy Community Plus 2026/27 round 1")
    expect(page.get_by_label("Round name")).to_have_value("Community Plus 2027/28 round 1")
    assert_accessible(page)
    page.get_by_role("button", name="Save round").click()

    expect(heading(page)).to_have_text("Community Plus 2027/28 round 1")
    expect(next_step(page)).to_contain_text("Publish the round when it is ready")
    assert_accessible(page)


def test_an_officer_sets_up_next_years_pot(page, ctx, assert_accessible):
    officer = UserFactory(full_name="Olive Officer", roles=(Role.GRANTS_OFFICER,))
    pot = pot_with(officer, budget=49_500_00, name="Community Plus 2026/27",
                   financial_year="2026/27")
    sign_in_staff(page, officer)

    page.goto(f"/funding/pots/{pot.id}")
    page.get_by_role("link", name="Set up this pot for next year").click()
    expect(heading(page)).to_have_text("Set up Community Plus 2026/27 for next year")
    expect(page.get_by_label("Opening budget", exact=True)).to_have_value("49,500")
    assert_accessible(page)
    page.get_by_label("Opening budget", exact=True).fill("£45,000")
    page.get_by_role("button", name="Create pot").click()

    expect(heading(page)).to_have_text("Community Plus 2027/28")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "has been created with a budget of £45,000.00")
    assert_accessible(page)
