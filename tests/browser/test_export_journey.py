"""A grants officer exports the filtered list: the CSV downloads at once; the Excel file is
made by an RQ worker while its page follows the job's progress without a reload (its live
region says n of N), then offers the download. axe-core checks each page."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from rq import SimpleWorker

from models.enums import Role
from tests.assessment.conftest import submitted
from tests.browser import test_letters_journey
from tests.browser.helpers import heading, sign_in_staff
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

worker_queue = test_letters_journey.worker_queue  # jobs on a Redis queue of the test's own


def test_an_officer_exports_the_list_as_csv_and_as_an_excel_file(page, worker_queue, store,
                                                                 assert_accessible):
    for number in range(3):
        submitted(reference=f"EXP-2425-{number:04d}")
    submitted(reference="OTHER-0001")
    officer = UserFactory(full_name="Olive Officer", roles=(Role.GRANTS_OFFICER,))

    sign_in_staff(page, officer)
    page.goto("/assessment/applications?q=EXP")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + 3

    page.get_by_role("button", name="Make an Excel (XLSX) file").click()
    expect(heading(page)).to_have_text("Excel export of applications")
    expect(page.locator("#export-status")).to_have_text("Status: Waiting to start")
    expect(page.get_by_role("link", name="Refresh the page")).to_be_visible()
    expect(page.locator("#export-download")).to_be_hidden()
    assert_accessible(page)

    SimpleWorker([worker_queue], connection=worker_queue.connection,
                 name=f"{worker_queue.name}-worker").work(burst=True)

    # No reload: the page's module polls the status and updates the live region.
    expect(page.locator("#export-progress")).to_have_text("3 of 3 applications written")
    expect(page.locator("#export-status")).to_have_text("Status: Done")
    expect(page.get_by_role("link", name="Refresh the page")).to_have_count(0)
    link = page.get_by_role("link", name="Download the applications (XLSX)")
    expect(link).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.get_by_role("link", name="Back to the applications").click()
    expect(page).to_have_url(re.compile(r"/assessment/applications\?q=EXP$"))
