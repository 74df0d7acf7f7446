"""A provider sends a quarter's monitoring return, making one mistake on the way and checking
the answers before sending; a commissioner sets a KPI's targets, reviews the programme's returns,
queries one and benchmarks the lot. axe-core checks each page."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import heading, sign_in, sign_in_staff
from tests.monitoring.anchors import (
    anchor,
    fixed_now,  # noqa: F401 (a fixture)
    sent_return,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fixed_now")]


def test_a_provider_sends_a_quarterly_return(page, ctx, assert_accessible):
    found = anchor("CA-LA-07")
    sent_return(found, quarter=1)

    sign_in(page, found.member.email)
    page.get_by_role("link", name="Your contracts").click()
    expect(heading(page)).to_have_text("Your contracts")
    assert_accessible(page)
    page.get_by_role("link", name="CA-LA-07").click()
    expect(heading(page)).to_have_text(found.contract.title)
    returns = page.get_by_role("table", name="Returns by quarter")
    expect(returns.get_by_role("row", name="Q2 2024/25")).to_contain_text("Late")
    assert_accessible(page)

    page.get_by_role("link", name="Send the return for Q2 2024/25").click()
    expect(heading(page)).to_have_text("Monitoring return for Q2 2024/25")
    page.get_by_label("People supported").fill("lots")
    page.get_by_label("External funding levered in").fill("1,250")
    page.get_by_label("How the quarter went").fill("Twelve drop-in sessions and a food bank.")
    page.get_by_label("Amber: some risk to delivery").check()
    page.get_by_role("button", name="Continue").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the number of people supported as a number")
    expect(page.get_by_label("External funding levered in")).to_have_value("1,250")
    assert_accessible(page)
    page.get_by_label("People supported").fill("96")
    page.get_by_role("button", name="Continue").click()

    expect(heading(page)).to_have_text("Check your return before sending it")
    expect(page.locator("#answers")).to_contain_text("96 people")
    expect(page.locator("#answers")).to_contain_text("£1,250")
    assert_accessible(page)
    page.get_by_role("button", name="Send return").click()

    expect(heading(page)).to_have_text("Return for Q2 2024/25")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your return for Q2 2024/25 has been sent.")
    expect(page.locator("#summary")).to_contain_text("Submitted")
    assert_accessible(page)


def test_a_commissioner_sets_targets_reviews_and_benchmarks(page, ctx, assert_accessible):
    found = anchor("CA-LA-01")
    other = anchor("CA-LA-02", programme=found.contract.programme)
    sent_return(found, quarter=2, values=("90", "25"))
    sent_return(other, quarter=2, values=("120", "10"))

    sign_in_staff(page, found.commissioner)
    page.goto(f"/monitoring/contracts/{found.contract.id}")
    assert_accessible(page)
    page.get_by_role("button", name="Add the standard KPIs").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "7 standard KPIs have been added")
    page.get_by_role("link", name="Change Volunteers and its targets").click()
    page.get_by_label("Q1 2024/25 (April to June)").fill("-5")
    page.get_by_role("button", name="Save KPI").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The target for Q1 2024/25 must be 0 or more")
    assert_accessible(page)
    page.get_by_label("Q1 2024/25 (April to June)").fill("25")
    page.get_by_role("button", name="Save KPI").click()
    expect(page.get_by_role("table", name="Targets for 2024/25").get_by_role(
        "row", name="Volunteers")).to_contain_text("25 people")

    page.goto(f"/contracts/programmes/{found.contract.programme_id}")
    page.get_by_role("link", name="Monitoring returns").click()
    expect(heading(page)).to_have_text("Monitoring returns for Q2 2024/25")
    assert_accessible(page)
    page.get_by_role("link", name="Review the return of CA-LA-02").click()
    page.get_by_label("Query it: ask the provider to explain or correct it").check()
    page.get_by_role("button", name="Save review").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter what the provider needs to explain or correct")
    assert_accessible(page)
    page.get_by_label("Note (needed to query the return)").fill("Check the people figure.")
    page.get_by_role("button", name="Save review").click()
    expect(page.locator("#history")).to_contain_text("Check the people figure.")
    assert_accessible(page)

    page.goto(f"/monitoring/programmes/{found.contract.programme_id}/benchmark"
              "?lot=local_anchor&year=2024-25&quarter=2")
    people = page.get_by_role("table", name="People supported")
    expect(people.get_by_role("row", name="CA-LA-01")).to_contain_text("90%")
    assert_accessible(page)
