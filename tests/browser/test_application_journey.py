"""An applicant completes every section of an application in a real browser and submits it, with
axe-core checking every page the journey reaches, the pages showing mistakes included."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from models.enums import OrganisationRole
from tests.applications.helpers import COMPLETE_PROFILE, project_dates, wards
from tests.browser.helpers import heading
from tests.documents.samples import PDF
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    RoundFactory,
    SchemeFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.browser

REQUIRED_DOCUMENTS = ["Governing document", "Latest accounts", "Bank statement"]
REFERENCE = re.compile(r"^[A-Z0-9]+-\d{4}-\d{4}$")



def nav(page: Page) -> Locator:
    """The service navigation, so that its links are not confused with links in the page."""
    return page.locator(".govuk-service-navigation")


def error_summary(page: Page) -> Locator:
    return page.locator(".govuk-error-summary")


def banner(page: Page) -> Locator:
    return page.locator(".govuk-notification-banner")


def open_section(page: Page, title: str, first_page: str) -> None:
    """Follow a section's link in the task list to its first page."""
    page.locator(".govuk-task-list").get_by_role("link", name=title, exact=True).click()
    expect(heading(page)).to_have_text(first_page)


def say_completed(page: Page) -> None:
    """Answer "Have you completed this section?" with yes."""
    page.get_by_role("group", name="Have you completed this section?").get_by_label(
        "Yes").check()


def fill_date(page: Page, legend: str, day) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def back_on_task_list(page: Page, section: str) -> None:
    """The section's page returned to the task list, where the section is now completed."""
    expect(heading(page)).to_have_text(re.compile(r"^Your application to "))
    row = page.locator(".govuk-task-list__item").filter(
        has=page.get_by_role("link", name=section, exact=True))
    expect(row.locator(".govuk-task-list__status")).to_have_text("Completed")


@pytest.fixture
def applying(ctx):
    """An organisation admin of an organisation with a complete profile, and a round open now
    (made by the factories, so the scheme's reference prefix is like GAAAB) asking for
    documents."""
    places = wards("Dalton", "Golcar", "Lindley")
    scheme = SchemeFactory(name="Community Plus Grants")
    themes = [ThemeFactory(scheme=scheme, name=name)
              for name in ("Health and wellbeing", "Reducing social isolation")]
    organisation = OrganisationFactory(name="Good Neighbours", wards=[places[0]],
                                       **COMPLETE_PROFILE)
    membership = MembershipFactory(organisation=organisation, role=OrganisationRole.ADMIN,
                                   user__full_name="Sam Volunteer",
                                   user__email="sam.volunteer@example.org")
    round_ = RoundFactory(scheme=scheme, name="Spring 2025", themes=themes,
                          required_documents=REQUIRED_DOCUMENTS)
    return membership.user, round_


def test_applicant_completes_every_section_and_submits(page, applying, outbox,
                                                       assert_accessible):
    applicant, round_ = applying
    begins, ends = project_dates(round_)

    # Sign in: applicants give a password only.
    page.goto("/sign-in")
    expect(heading(page)).to_have_text("Sign in")
    assert_accessible(page)
    page.get_by_label("Email address").fill(applicant.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(heading(page)).to_have_text("Welcome, Sam Volunteer")
    assert_accessible(page)

    # Your applications: nothing yet, and the round open now.
    nav(page).get_by_role("link", name="Your applications").click()
    expect(heading(page)).to_have_text("Your applications")
    expect(page.get_by_role("main")).to_contain_text("Good Neighbours has no applications yet")
    assert_accessible(page)

    page.get_by_role("link", name="Community Plus Grants: Spring 2025").click()
    expect(heading(page)).to_have_text("Apply for funding")
    expect(page.get_by_label("Community Plus Grants: Spring 2025")).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Start application").click()

    expect(heading(page)).to_have_text("Your application to Spring 2025")
    expect(page.locator(".govuk-task-list").get_by_role("link")).to_have_text([
        "Your organisation", "Your project", "Who will benefit", "Budget", "Declarations",
        "Documents"])
    expect(page.get_by_role("main")).to_contain_text("You have completed 0 of 6 sections.")
    assert_accessible(page)

    # Your organisation: the profile as the portal has it, confirmed.
    open_section(page, "Your organisation", "Your organisation")
    expect(page.get_by_role("main")).to_contain_text("Good Neighbours of the Valley CIO")
    assert_accessible(page)
    say_completed(page)
    page.get_by_role("button", name="Save and continue").click()
    back_on_task_list(page, "Your organisation")
    assert_accessible(page)

    # Your project, first with a mistake: "Yes" but no title.
    open_section(page, "Your project", "Your project")
    assert_accessible(page)
    page.get_by_label("Summary", exact=True).fill(
        "A weekly lunch club for older people living alone.")
    page.get_by_label("Describe your project", exact=True).fill(
        "We will run a lunch club every Wednesday in the chapel hall.")
    fill_date(page, "Project start date", begins)
    fill_date(page, "Project end date", ends)
    say_completed(page)
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_title(re.compile(r"^Error: Your project"))
    expect(error_summary(page)).to_be_focused()
    expect(error_summary(page).get_by_role("link")).to_have_text(
        ["Enter a title for your project"])
    expect(page.locator("#title-error")).to_contain_text("Enter a title for your project")
    # What was typed is kept.
    expect(page.get_by_label("Summary", exact=True)).to_have_value(
        "A weekly lunch club for older people living alone.")
    assert_accessible(page)
    error_summary(page).get_by_role("link", name="Enter a title for your project").click()
    expect(page.get_by_label("Project title")).to_be_focused()
    page.get_by_label("Project title").fill("Warm welcome lunch club")
    say_completed(page)
    page.get_by_role("button", name="Save and continue").click()
    back_on_task_list(page, "Your project")
    assert_accessible(page)

    # Who will benefit: the organisation's own ward is ticked already.
    open_section(page, "Who will benefit", "Who will benefit")
    expect(page.get_by_label("Dalton")).to_be_checked()
    assert_accessible(page)
    page.get_by_label("How many people will benefit from your project?").fill("1,200")
    page.get_by_label("Who will benefit?", exact=True).fill(
        "Older people living alone in the valley")
    page.get_by_label("Golcar").check()
    page.get_by_label("Health and wellbeing").check()
    say_completed(page)
    page.get_by_role("button", name="Save and continue").click()
    back_on_task_list(page, "Who will benefit")
    assert_accessible(page)

    # Budget: a cost, other funding, then the amount requested.
    open_section(page, "Budget", "Budget: project costs")
    expect(page.get_by_role("main")).to_contain_text("You have not added any costs yet.")
    assert_accessible(page)
    page.get_by_label("What is the cost for?").fill("Hall hire")
    page.get_by_label("Cost", exact=True).fill("£1,500")
    page.get_by_role("button", name="Add cost").click()
    expect(banner(page)).to_contain_text("Cost added: Hall hire")
    costs = page.get_by_role("table", name="Costs")
    expect(costs.get_by_role("row")).to_have_count(1)
    expect(costs.get_by_role("rowheader")).to_have_text(["Hall hire"])
    expect(page.locator("#total-cost")).to_have_text("Total cost: £1,500.00")
    assert_accessible(page)
    page.get_by_role("link", name="Continue").click()

    expect(heading(page)).to_have_text("Budget: other funding")
    assert_accessible(page)
    page.get_by_label("Who is the funding from?").fill("Parish council")
    page.get_by_label("Amount", exact=True).fill("200")
    page.get_by_role("group", name="Is it secured or applied for?").get_by_label(
        "Secured").check()
    page.get_by_role("button", name="Add funding").click()
    expect(banner(page)).to_contain_text("Funding added: Parish council")
    expect(page.get_by_role("table", name="Other funding").get_by_role("rowheader")).to_have_text(
        ["Parish council (secured)"])
    assert_accessible(page)
    page.get_by_role("link", name="Continue").click()

    expect(heading(page)).to_have_text("Budget: amount requested")
    assert_accessible(page)
    page.get_by_label("How much are you asking for?").fill("£1,250.50")
    say_completed(page)
    page.get_by_role("button", name="Save and continue").click()
    back_on_task_list(page, "Budget")
    assert_accessible(page)

    # Declarations: other public funding, then the declarations themselves.
    open_section(page, "Declarations", "Declarations: other public funding")
    assert_accessible(page)
    page.get_by_label("Who gave the funding?").fill("NHS Kirklees")
    page.get_by_label("What was it for?").fill("Health walks")
    page.get_by_role("group", name="In which financial year?").get_by_label("2023/24").check()
    page.get_by_label("Amount", exact=True).fill("£500")
    page.get_by_role("button", name="Add funding").click()
    expect(banner(page)).to_contain_text("Funding added: NHS Kirklees")
    expect(page.get_by_role("table", name="Public funding received").get_by_role(
        "rowheader")).to_have_text(["NHS Kirklees, 2023/24: Health walks"])
    assert_accessible(page)
    page.get_by_role("link", name="Continue").click()

    expect(heading(page)).to_have_text("Declarations")
    assert_accessible(page)
    page.get_by_role("group", name=re.compile(r"connection to a councillor")).get_by_label(
        "No", exact=True).check()
    page.get_by_label("My organisation has a safeguarding policy").check()
    page.get_by_label("My organisation will look after personal information").check()
    say_completed(page)
    page.get_by_role("button", name="Save and continue").click()
    back_on_task_list(page, "Declarations")
    assert_accessible(page)

    # Documents: saying the section is complete before uploading is refused.
    open_section(page, "Documents", "Documents")
    assert_accessible(page)
    say_completed(page)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(error_summary(page)).to_be_focused()
    expect(error_summary(page)).to_contain_text("Upload the governing document")
    assert_accessible(page)
    for number, requirement in enumerate(REQUIRED_DOCUMENTS, start=1):
        page.get_by_role("group", name="Which document are you uploading?").get_by_label(
            requirement, exact=True).check()
        page.get_by_label("Upload a file").set_input_files(
            {"name": f"document-{number}.pdf", "mimeType": "application/pdf", "buffer": PDF})
        page.get_by_role("button", name="Upload file").click()
        expect(banner(page)).to_contain_text(f"document-{number}.pdf has been uploaded.")
        expect(page.get_by_role("link", name=f"document-{number}.pdf")).to_be_visible()
        assert_accessible(page)
    say_completed(page)
    page.get_by_role("button", name="Save", exact=True).click()
    back_on_task_list(page, "Documents")
    expect(page.get_by_role("heading", name="Application complete")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("You have completed 6 of 6 sections.")
    assert_accessible(page)

    # Check your answers.
    page.get_by_role("link", name="Check your answers").click()
    expect(heading(page)).to_have_text("Check your answers before submitting your application")
    main = page.get_by_role("main")
    expect(error_summary(page)).to_have_count(0)
    expect(main).to_contain_text("Warm welcome lunch club")
    expect(main).to_contain_text("1,200")
    expect(main).to_contain_text("Hall hire: £1,500.00")
    expect(main).to_contain_text("Parish council: £200.00 (secured)")
    expect(main).to_contain_text("£1,250.50")
    expect(main).to_contain_text("NHS Kirklees, 2023/24: £500.00 for Health walks")
    assert_accessible(page)

    page.get_by_label("I confirm the information is correct").check()
    page.get_by_role("button", name="Submit application").click()

    # The confirmation, with the reference.
    expect(heading(page)).to_have_text("Application submitted")
    reference = page.locator(".govuk-panel strong").inner_text().strip()
    assert REFERENCE.match(reference), reference
    assert reference.startswith(f"{round_.scheme.reference_prefix}-")
    expect(page.locator(".govuk-panel")).to_contain_text(reference)
    expect(page.get_by_role("main")).to_contain_text(
        f"We have sent a confirmation email to {applicant.email}")
    assert_accessible(page)
    message = outbox.to(applicant.email)[-1]
    assert message["Subject"] == f"Application {reference} received"
    assert reference in message.get_body(("plain",)).get_content()

    # The read-only application, and its PDF copy.
    page.get_by_role("link", name="View your application").click()
    expect(heading(page)).to_have_text("Warm welcome lunch club")
    expect(page.locator(".govuk-summary-list").first).to_contain_text(reference)
    expect(page.locator(".govuk-summary-list").first.locator(".govuk-tag")).to_have_text(
        "Submitted")
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download a copy of this application (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"{reference}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")

    # Your applications lists it as submitted.
    nav(page).get_by_role("link", name="Your applications").click()
    expect(heading(page)).to_have_text("Your applications")
    row = page.get_by_role("table", name="Applications from Good Neighbours").get_by_role(
        "row").filter(has_text="Warm welcome lunch club")
    expect(row.get_by_role("cell")).to_have_text(
        ["Warm welcome lunch club", "Spring 2025", reference, "Submitted"])
    expect(row.locator(".govuk-tag")).to_have_text("Submitted")
    assert_accessible(page)
