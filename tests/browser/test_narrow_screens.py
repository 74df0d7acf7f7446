"""Every page with a table works on a 390 px phone: the page itself never scrolls sideways (a wide
table may scroll inside its own labelled region) and axe-core finds nothing.

Each test loads the demo world, signs in as one of its people and visits, from the home page,
every page that person can reach by following links, one page per route, so a new page with a
table is checked without being listed here."""

import re
import tomllib
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from sqlalchemy import select

from models import Contract
from models.base import db
from portal.demo import DATA_FILE, demo_code, load_demo
from tests.browser.helpers import heading

pytestmark = [pytest.mark.browser, pytest.mark.any_database]

PHONE = {"width": 390, "height": 844}
DEMO_PASSWORD = tomllib.loads(DATA_FILE.read_text())["password"]
# Links that download a file or sign out rather than show a page.
NOT_PAGES = re.compile(r"sign-out|/download|[./](csv|xlsx|pdf)\b|/letters?(/|$)|/documents/\d+$"
                       r"|/export")
MOST_PAGES = 120

SCROLLS_SIDEWAYS = "document.documentElement.scrollWidth > window.innerWidth"
# The outermost elements that stick out of the window, outside any scrolling region, and any
# absolutely positioned ones (which a region clips only when it is positioned itself): what
# makes the page too wide.
STICKING_OUT = """() => [...document.querySelectorAll('body *')]
  .filter(element => {
    const outside = node => node.getBoundingClientRect().right > window.innerWidth + 1;
    const floating = ['absolute', 'fixed'].includes(getComputedStyle(element).position);
    return outside(element) && (floating || (!outside(element.parentElement)
                                              && !element.parentElement.closest('[role=region]')));
  })
  .map(element => {
    const caption = element.querySelector('caption');
    return element.tagName.toLowerCase() + (element.id ? '#' + element.id : '')
      + (element.className ? '.' + String(element.className).trim().split(/\\s+/).join('.') : '')
      + (caption ? ' (' + caption.textContent.trim() + ')' : '');
  })
  .join(', ')"""


def _route(path: str) -> str:
    """The path with its ids and financial years taken out: one visit per route is enough."""
    return re.sub(r"/\d[\d-]*(?=/|$)", "/N", urlsplit(path).path)


def _sign_in(page: Page, email: str, staff: bool) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if staff:
        page.get_by_label("Code from your authenticator app").fill(demo_code())
        page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_contain_text("Welcome")


def _links(page: Page) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href^='/'], header a[href^='/'], nav a[href^='/']",
                                      "links => links.map(link => link.getAttribute('href'))")
    return [href.split("#")[0] for href in hrefs if not NOT_PAGES.search(href)]


def _width_problem(page: Page, path: str) -> str | None:
    if not page.evaluate(SCROLLS_SIDEWAYS):
        return None
    return (f"{path}: {page.evaluate('document.documentElement.scrollWidth')} px: "
            f"{page.evaluate(STICKING_OUT)}")


def _check_on_a_phone(page: Page, assert_accessible, email: str, staff: bool) -> None:
    """Follow links from the home page, one page per route, checking each page with a table
    as it is reached."""
    page.set_viewport_size(PHONE)
    # Going from page to page this fast, Chromium leaves the favicon's request unfinished, and
    # the live server's unclosed file is a ResourceWarning (an error); the icon is not needed.
    page.route("**/favicon.svg", lambda route: route.abort())
    _sign_in(page, email, staff)
    seen, queue, with_tables, wide, inaccessible = set(), ["/"], 0, [], []
    while queue and len(seen) < MOST_PAGES:
        path = queue.pop(0)
        if _route(path) in seen:
            continue
        seen.add(_route(path))
        try:
            response = page.goto(path)
        except PlaywrightError:  # a file to download, not a page
            continue
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        if page.locator("main table").count():
            with_tables += 1
            if problem := _width_problem(page, path):
                wide.append(problem)
            try:
                assert_accessible(page)
            except AssertionError as failure:
                inaccessible.append(str(failure))
        queue.extend(_links(page))
    assert with_tables, f"{email} reached no page with a table"
    assert not wide, "These pages scroll sideways at 390 px:\n" + "\n".join(wide)
    assert not inaccessible, "\n".join(inaccessible)


@pytest.mark.parametrize("email", [
    "commissioner@demo.example.org", "officer@demo.example.org", "assessor@demo.example.org",
    "admin@demo.example.org",
])
def test_staff_pages_with_tables_fit_a_phone(page, ctx, assert_accessible, email):
    load_demo()
    _check_on_a_phone(page, assert_accessible, email, staff=True)


def test_applicant_pages_with_tables_fit_a_phone(page, ctx, assert_accessible):
    load_demo()
    _check_on_a_phone(page, assert_accessible, "applicant@demo.example.org", staff=False)


def test_provider_pages_with_tables_fit_a_phone(page, ctx, assert_accessible):
    """A member of the organisation holding the first of the demo's contracts."""
    load_demo()
    contract = db.session.scalars(select(Contract).order_by(Contract.id)).first()
    _check_on_a_phone(page, assert_accessible, contract.provider.memberships[0].user.email,
                      staff=False)
