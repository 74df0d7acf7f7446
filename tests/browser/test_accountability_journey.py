"""A commissioner reads an anchor's KPI trends, benchmarks its lot over time, and reads the
councillors' scrutiny pack for a quarter, on a desktop and on a phone. axe-core checks each
page."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import heading, sign_in_staff
from tests.monitoring.accountability import (
    later,  # noqa: F401 (a fixture)
    lot,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("later")]

PHONE = {"width": 390, "height": 844}


def fits_the_screen(page) -> bool:
    return not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def test_a_commissioner_follows_an_anchor_across_quarters(page, ctx, assert_accessible):
    first, _, _ = lot()
    sign_in_staff(page, first.commissioner)

    page.goto(f"/monitoring/contracts/{first.contract.id}")
    page.get_by_role("link", name="KPI trends and RAG history").click()
    expect(heading(page)).to_have_text("KPI trends")
    expect(page.get_by_role("img", name="People supported, CA-LA-01")).to_be_visible()
    people = page.get_by_role("table", name="People supported by quarter")
    expect(people.get_by_role("row", name="Q3 2024/25")).to_contain_text(
        "Below half of its target")
    expect(page.get_by_role("table", name="RAG history").get_by_role(
        "row", name="Q4 2024/25")).to_contain_text("No return")
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert fits_the_screen(page)
    assert_accessible(page)


def test_a_commissioner_reads_the_scrutiny_pack(page, ctx, assert_accessible):
    first, _, _ = lot()
    sign_in_staff(page, first.commissioner)

    page.goto(f"/monitoring/programmes/{first.contract.programme.id}/returns")
    page.get_by_role("link", name="Benchmarking over time").click()
    expect(heading(page)).to_have_text("Benchmarking over time: Local anchor")
    assert_accessible(page)

    page.get_by_role("link", name="Scrutiny pack for councillors").click()
    page.get_by_label("Financial year").select_option(label="2024/25")
    page.get_by_label("Quarter").select_option(label="Q3 (October to December)")
    page.get_by_role("button", name="Show the pack").click()
    expect(heading(page)).to_have_text("Scrutiny pack, Q3 2024/25")
    outliers = page.get_by_role("table", name="Outliers in Q3 2024/25")
    expect(outliers.get_by_role("row", name="CA-LA-01")).to_contain_text("Down 60% on Q2 2024/25")
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert fits_the_screen(page)
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename.startswith("scrutiny-pack-2024-25-q3-")
