"""Fixtures for driving the portal in a real Chromium through Playwright.

The session's `app` (SQLite, and PostgreSQL when TEST_DATABASE_URL is set) is served by a real
HTTP server, so the browser exercises what unit tests cannot: CSRF tokens in real forms, the
Content Security Policy, GOV.UK Frontend's JavaScript and axe-core's accessibility rules.

Chromium is Debian's package at /usr/bin/chromium (Playwright's own download is not used). When it
is missing the tests skip, unless REQUIRE_BROWSER=1 (as in CI), where a missing browser must fail.
"""

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from portal import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Runs in the page; returns each violation with the nodes it was found on.
AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       targets: v.nodes.map(n => n.target.join(' '))}));
}"""


def closing_responses(app):
    """The app, closing every response however it ends. When the browser drops a connection
    while a file is being sent (the favicon, as a test ends), the development server stops
    without closing the response, and the file it left open would be reported as a
    ResourceWarning in whichever test comes next."""

    def wsgi(environ, start_response):
        response = app(environ, start_response)
        try:
            yield from response
        finally:
            if hasattr(response, "close"):
                response.close()

    return wsgi


class QuietRequestHandler(WSGIRequestHandler):
    """Leaves out the access log, which would bury a failing test's report."""

    def log_request(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The app on a free port; its base URL. Email links use this host, as they are built from
    the request's Host header."""
    server = make_server("127.0.0.1", 0, closing_responses(app), threaded=True,
                         request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def real_csrf(ctx) -> Iterator[None]:
    """Turn CSRF protection on for one browser test only: the session's app is shared with the
    test-client tests, which post without tokens and may run after this one."""
    before = ctx.config["WTF_CSRF_ENABLED"]
    ctx.config["WTF_CSRF_ENABLED"] = True
    yield
    ctx.config["WTF_CSRF_ENABLED"] = before


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the session; each test opens its own context in it."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found (install Debian's chromium package)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, real_csrf) -> Iterator[Page]:
    """A fresh browser context per test. bypass_csp lets axe's script be injected; the CSP
    itself is checked by a test with its own context that does not bypass it."""
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _assert_accessible(page: Page) -> None:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    violations = page.evaluate(AXE_RUN, WCAG_TAGS)
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    on: {'; '.join(v['targets'])}"
        for v in violations
    )
    assert not violations, f"axe found WCAG violations on {page.url}:\n{report}"


@pytest.fixture
def assert_accessible() -> Callable[[Page], None]:
    """Run axe-core's WCAG 2.2 A and AA rules on the page as it is now; fail on any violation."""
    return _assert_accessible
