"""Steps the browser journeys share."""

from playwright.sync_api import Locator, Page, expect

from tests.factories import PASSWORD, authenticator_code


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def sign_in(page: Page, email: str, code: str | None = None) -> None:
    """Sign in with the factories' password and, for staff, an authenticator code."""
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if code:
        page.get_by_label("Code from your authenticator app").fill(code)
        page.get_by_role("button", name="Continue").click()


def sign_in_staff(page: Page, person) -> None:
    """Sign a member of staff in with their authenticator code, landing on the home page."""
    sign_in(page, person.email, authenticator_code(person))
    expect(heading(page)).to_have_text(f"Welcome, {person.full_name}")
