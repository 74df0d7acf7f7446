"""An organisation writes its end-of-grant report, makes a mistake on the way, adds a receipt,
checks its answers and sends it; a grants officer finds it among the returns to review and
accepts it. Another officer closes an award whose report was accepted and finds it among the
closed awards. axe-core checks each page."""

import pytest
from playwright.sync_api import expect

from models.enums import Role
from tests.awards.conftest import accepted_grant, today
from tests.awards.test_closure import pay, reported
from tests.browser.helpers import heading, sign_in, sign_in_staff
from tests.documents.samples import PDF
from tests.factories import RoundFactory, UserFactory

pytestmark = pytest.mark.browser


def banner(page):
    return page.locator(".govuk-notification-banner")


def test_a_return_goes_from_the_organisation_to_acceptance(page, ctx, assert_accessible):
    grant = accepted_grant(RoundFactory(closed=True, budget_pence=50_000_00, min_award_pence=500_00,
                                        max_award_pence=5_000_00))
    reference = grant.award.reference

    sign_in(page, grant.member.email)
    page.goto(f"/awards/offers/{grant.award.id}")
    returns = page.get_by_role("table", name="Monitoring returns")
    expect(returns.get_by_role("row", name="End of grant report")).to_contain_text("Not sent")
    returns.get_by_role("link", name="End of grant report").click()
    expect(heading(page)).to_have_text("End of grant report")
    assert_accessible(page)

    page.get_by_role("link", name="Start the return").click()
    page.get_by_label("What progress has the project made?").fill("Twelve lunch clubs ran.")
    page.get_by_label("How many people has the project reached so far?").fill("95")
    page.get_by_label("Room hire (budget £600.00)").fill("600")
    page.get_by_label("Volunteer expenses (budget £400.00)").fill("350")
    page.get_by_label("What difference has the grant made?").fill("People meet every week.")
    page.get_by_label("How much of the grant is unspent?").fill("50")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the outcomes so far against what the application said the project would achieve")
    expect(page.get_by_label("Volunteer expenses (budget £400.00)")).to_have_value("350")
    assert_accessible(page)
    page.get_by_label("What has the project achieved against what your application said it "
                      "would?").fill("Members say they feel less alone.")
    page.get_by_role("button", name="Save and continue").click()

    expect(heading(page)).to_have_text("Check your answers before sending the return")
    expect(page.locator("#spending")).to_contain_text("£350.00")
    assert_accessible(page)
    page.get_by_role("link", name="Add or remove evidence").click()
    page.get_by_label("Room hire").check()
    page.get_by_label("Upload a file").set_input_files(
        {"name": "room-invoice.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_role("button", name="Upload evidence").click()
    expect(banner(page)).to_contain_text("room-invoice.pdf has been added.")
    assert_accessible(page)
    page.get_by_role("link", name="Continue to check your answers").click()
    expect(page.locator("#evidence")).to_contain_text("room-invoice.pdf")
    page.get_by_role("button", name="Send the return").click()
    expect(banner(page)).to_contain_text("Your return End of grant report has been sent.")
    expect(page.locator("#summary")).to_contain_text("Sent")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in_staff(page, UserFactory(roles=(Role.GRANTS_OFFICER,)))
    page.get_by_role("link", name="Grant returns").click()
    expect(heading(page)).to_have_text("Grant monitoring returns")
    listed = page.get_by_role("table", name="1 return")
    expect(listed.get_by_role("row", name=reference)).to_contain_text("End of grant report")
    assert_accessible(page)
    listed.get_by_role("link", name="End of grant report").click()
    expect(page.locator("#answers")).to_contain_text("People meet every week.")
    page.get_by_label("Accept it").check()
    page.get_by_role("button", name="Save review").click()
    expect(banner(page)).to_contain_text("The return has been accepted.")
    expect(page.locator("#summary")).to_contain_text("Accepted")
    assert_accessible(page)


def test_an_officer_closes_an_award_after_its_report(page, ctx, assert_accessible):
    grant = accepted_grant(RoundFactory(closed=True, budget_pence=50_000_00, min_award_pence=500_00,
                                        max_award_pence=5_000_00))
    pay(grant, 1, 1_000_00)
    reported(grant, 40_00)

    sign_in_staff(page, UserFactory(roles=(Role.GRANTS_OFFICER,)))
    page.goto(f"/awards/{grant.award.id}")
    page.get_by_role("link", name="Close the award").click()
    expect(heading(page)).to_have_text(f"Close award {grant.award.reference}")
    expect(page.locator("#closure")).to_contain_text("£40.00")
    assert_accessible(page)
    page.get_by_label("Note for the closure letter (optional)").fill("Thank you.")
    group = page.get_by_role("group", name="Date the organisation repaid the unspent money")
    expect(group.get_by_label("Year")).to_have_value(str(today().year))  # today, to start
    for box in ("Day", "Month", "Year"):
        group.get_by_label(box).fill("")
    page.get_by_role("button", name="Close the award").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the date the organisation repaid the £40.00 unspent")
    expect(page.get_by_label("Note for the closure letter (optional)")).to_have_value(
        "Thank you.")
    assert_accessible(page)
    when = today()
    for box, value in (("Day", when.day), ("Month", when.month), ("Year", when.year)):
        group.get_by_label(box).fill(str(value))
    page.get_by_role("button", name="Close the award").click()
    expect(banner(page)).to_contain_text("has been closed and the organisation told")
    expect(page.locator("#award")).to_contain_text("Thank you.")
    expect(page.get_by_role("link", name="Close the award")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Grant returns").click()
    page.get_by_role("link", name="Closed awards: 1").click()
    expect(page.get_by_role("table", name="1 closed award")).to_contain_text(
        grant.award.reference)
    assert_accessible(page)
