"""A grants officer pages through a long list of applications: numbered pages first, then Next
and Previous read on from a row (keyset paging), and a page number beyond the numbered ones
says how to go on. axe-core checks each page."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from models.enums import Role
from portal.assessment import services
from tests.assessment.conftest import submitted
from tests.browser.helpers import sign_in_staff
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_pages_by_number_then_by_next_and_previous(page, live_server, ctx, monkeypatch,
                                                  assert_accessible):
    # The live server runs in this process, so small pages reach keyset paging with few rows.
    monkeypatch.setattr(services, "PER_PAGE", 2)
    monkeypatch.setattr(services, "NUMBERED_PAGES", 2)
    for day in range(1, 8):
        submitted(reference=f"CPG-2425-{day:04d}",
                  submitted_at=datetime(2024, 5, day, 10, 0, tzinfo=UTC))
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,))
    sign_in_staff(page, officer)
    page.goto("/assessment/applications")
    caption = page.locator("caption")
    pagination = page.get_by_role("navigation", name="Pagination")
    expect(caption).to_have_text("Applications, page 1 of 4")

    pagination.get_by_role("link", name="Next").click()
    expect(caption).to_have_text("Applications, page 2 of 4")
    pagination.get_by_role("link", name="Next").click()
    expect(caption).to_have_text("Applications, page 3 of 4")
    expect(page.get_by_role("link", name="CPG-2425-0003", exact=True)).to_be_visible()
    assert "after=" in page.url
    assert_accessible(page)
    pagination.get_by_role("link", name="Next").click()
    expect(caption).to_have_text("Applications, page 4 of 4")
    expect(pagination.get_by_role("link", name="Next")).to_have_count(0)
    pagination.get_by_role("link", name="Previous").click()
    expect(caption).to_have_text("Applications, page 3 of 4")
    assert "before=" in page.url

    page.goto("/assessment/applications?page=3")
    expect(page.get_by_text("Pages after 2 are reached with Next")).to_be_visible()
    assert_accessible(page)
