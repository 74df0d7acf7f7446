"""Whole journeys in a real browser, with axe-core's WCAG checks on every page they reach."""

import re

import pyotp
import pytest
from playwright.sync_api import Page, expect

from models.enums import Role
from tests.browser.helpers import heading
from tests.factories import PASSWORD, UserFactory, authenticator_code

pytestmark = pytest.mark.browser

GOOD_PASSWORD = "kettle purple harbour"



def nav(page: Page):
    """The service navigation, so that its links are not confused with links in the page."""
    return page.locator(".govuk-service-navigation")


def email_text(outbox, address: str) -> str:
    return outbox.to(address)[-1].get_body(("plain",)).get_content()


def test_applicant_registers_confirms_signs_in_and_creates_an_organisation(
        page, live_server, outbox, assert_accessible):
    page.goto("/")
    expect(heading(page)).to_have_text("Apply for a community grant")
    assert_accessible(page)

    page.get_by_role("button", name="Start now").click()
    expect(heading(page)).to_have_text("Create an account")
    assert_accessible(page)

    # First with mistakes: the GOV.UK error summary takes focus and links to each field.
    page.get_by_label("Email address").fill("not-an-email")
    page.get_by_label("Create a password", exact=True).fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: Create an account"))
    links = summary.get_by_role("link")
    expect(links).to_have_text([
        "Enter your full name",
        "Enter an email address in the correct format, like name@example.com",
    ])
    for href in [links.nth(i).get_attribute("href") for i in range(links.count())]:
        expect(page.locator(href)).to_have_count(1)
    expect(page.locator("#full_name-error")).to_contain_text("Enter your full name")
    assert_accessible(page)
    links.first.click()
    expect(page.get_by_label("Full name")).to_be_focused()

    page.get_by_label("Full name").fill("Sam Volunteer")
    page.get_by_label("Email address").fill("sam@example.org")
    page.get_by_label("Create a password", exact=True).fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(heading(page)).to_have_text("Check your email")
    assert_accessible(page)

    # The link is built for the host the person used, here the live server.
    assert f"{live_server}/verify/" in email_text(outbox, "sam@example.org")
    page.goto(outbox.last_link("sam@example.org"))
    expect(heading(page)).to_have_text("Sign in")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("email address is confirmed")
    assert_accessible(page)

    page.get_by_label("Email address").fill("sam@example.org")
    page.get_by_label("Password", exact=True).fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(heading(page)).to_have_text("Welcome, Sam Volunteer")
    assert_accessible(page)

    nav(page).get_by_role("link", name="Your organisations").click()
    expect(heading(page)).to_have_text("Your organisations")
    assert_accessible(page)

    page.get_by_role("link", name="Create an organisation").click()
    expect(heading(page)).to_have_text("Create an organisation")
    assert_accessible(page)

    page.get_by_label("Organisation name").fill("Dewsbury Food Bank")
    page.get_by_role("button", name="Create organisation").click()
    expect(heading(page)).to_have_text("Dewsbury Food Bank")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("organisation admin")
    expect(page.get_by_role("table").get_by_role("row").nth(1).get_by_role("cell")).to_have_text(
        ["Sam Volunteer", "sam@example.org", "Organisation admin"])
    assert_accessible(page)


def test_admin_invites_a_grants_officer_who_sets_a_password(page, outbox, assert_accessible):
    admin = UserFactory(email="admin@example.org", full_name="Alex Admin", roles=(Role.ADMIN,))

    page.goto("/sign-in")
    assert_accessible(page)
    page.get_by_label("Email address").fill("admin@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(heading(page)).to_have_text("Enter the code from your authenticator app")
    assert_accessible(page)
    page.get_by_label("Code from your authenticator app").fill(authenticator_code(admin))
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Welcome, Alex Admin")
    assert_accessible(page)

    nav(page).get_by_role("link", name="Users").click()
    expect(heading(page)).to_have_text("Users")
    assert_accessible(page)

    page.get_by_role("link", name="Invite a member of staff").click()
    expect(heading(page)).to_have_text("Invite a member of staff")
    assert_accessible(page)

    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator(".govuk-error-summary").get_by_role("link")).to_have_count(3)
    assert_accessible(page)

    page.get_by_label("Full name").fill("Priya Officer")
    page.get_by_label("Work email address").fill("priya@example.org")
    page.get_by_label("Grants officer").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(heading(page)).to_have_text("Users")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Invitation sent to priya@example.org")
    assert_accessible(page)

    nav(page).get_by_role("link", name="Audit log").click()
    expect(heading(page)).to_have_text("Audit log")
    expect(page.get_by_role("table")).to_contain_text("admin@example.org")
    assert_accessible(page)

    nav(page).get_by_role("button", name="Sign out").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")
    expect(heading(page)).to_have_text("Apply for a community grant")
    assert_accessible(page)

    page.goto(outbox.last_link("priya@example.org"))
    expect(heading(page)).to_have_text("Accept your invitation")
    expect(page.get_by_role("main")).to_contain_text("Grants officer")
    assert_accessible(page)

    page.get_by_label("Password", exact=True).fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Accept invitation").click()
    expect(heading(page)).to_have_text("Set up an authenticator app")
    expect(page.get_by_role("img", name="QR code")).to_be_visible()
    assert_accessible(page)
    secret = page.locator(".portal-setup-key").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Welcome, Priya Officer")
    roles = page.get_by_role("heading", name="Your roles").locator("xpath=following-sibling::ul[1]")
    expect(roles.get_by_role("listitem")).to_have_text(["Grants officer"])
    assert_accessible(page)


def test_content_security_policy_lets_the_portals_own_scripts_run(browser, live_server,
                                                                  real_csrf):
    """Without bypassing the CSP: nothing the portal serves is blocked, and the nonce'd inline
    script that marks the page as supported by GOV.UK Frontend has run."""
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        for path in ["/", "/register"]:
            response = page.goto(path)
            assert "'nonce-" in response.headers["content-security-policy"]
            expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
        # The error summary's focus comes from GOV.UK Frontend's module script.
        page.get_by_role("button", name="Create account").click()
        expect(page.locator(".govuk-error-summary")).to_be_focused()
    finally:
        context.close()
    assert not [text for text in errors if "Content Security Policy" in text], errors
    assert not errors
