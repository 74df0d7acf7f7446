"""A commissioner opens the Community Anchors programme's taper dashboard from the programme's
page, reads the chart and the tables, and downloads the taper; a grants officer opens Community
Plus's from the scheme's page. axe-core checks each dashboard, chart included."""

import pytest
from playwright.sync_api import expect

from models.enums import Role
from tests.browser.helpers import heading, sign_in_staff
from tests.factories import UserFactory
from tests.reporting.tapers import anchors, community_plus

pytestmark = pytest.mark.browser


def test_a_commissioner_reads_the_programmes_taper(page, ctx, assert_accessible):
    commissioner = UserFactory(full_name="Cara Commissioner", roles=(Role.COMMISSIONER,))
    anchors(commissioner)

    sign_in_staff(page, commissioner)
    page.get_by_role("link", name="Contracts").click()
    page.get_by_role("link", name="Community Anchors 2024–27").click()
    page.get_by_role("link", name="Taper dashboard").click()

    expect(heading(page)).to_have_text("Taper dashboard")
    chart = page.get_by_role("img", name="Core and external funding by financial year, "
                                         "Community Anchors 2024–27")
    expect(chart).to_be_visible()
    planned = page.get_by_role("table", name="Planned core and external funding against the "
                                             "core target")
    expect(planned.get_by_role("row", name="2024/25")).to_contain_text("£5,000.00 over")
    expect(planned.get_by_role("row").last).to_contain_text("£795,000.00")
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename.startswith("taper-anchors-")
    assert download.value.suggested_filename.endswith(".csv")


def test_a_grants_officer_reads_a_schemes_taper(page, ctx, assert_accessible):
    officer = UserFactory(full_name="Olive Officer", roles=(Role.GRANTS_OFFICER,))
    world = community_plus()

    sign_in_staff(page, officer)
    page.goto(f"/schemes/{world.scheme.id}")
    page.get_by_role("link", name="Taper dashboard").click()

    expect(heading(page)).to_have_text("Taper dashboard")
    expect(page.get_by_role("img", name="Core and external funding by financial year, "
                                        "Community Plus")).to_be_visible()
    spent = page.get_by_role("table", name="Committed and paid from funding pots")
    expect(spent.get_by_role("row", name="2024/25")).to_contain_text("£2,000.50")
    assert_accessible(page)
