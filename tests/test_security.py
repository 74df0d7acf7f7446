"""The app's own defences: security headers, safe configuration, session cookies, CSRF on every
form, GOV.UK error pages, safe redirects and escaping."""

import os
import stat
from urllib.parse import quote, urlsplit

import pytest
import sqlalchemy as sa
from flask import jsonify, session
from hypothesis import given
from hypothesis import strategies as st

from models import Organisation, User
from models.base import db
from models.enums import OrganisationRole, Role
from portal.config import ConfigurationError, load_config
from portal.exceptions import NotFound
from portal.security import safe_next_url
from tests.conftest import sign_in_as
from tests.extra_apps import extra_app, sample_url
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.html import soup

PRODUCTION_SECRET = "a-long-production-secret-used-only-in-these-tests"


def content_security_policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def session_cookie(response) -> str:
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))


def cookie_attributes(cookie: str) -> set[str]:
    return {part.strip().lower() for part in cookie.split(";")[1:]}


def h1(response) -> str:
    return soup(response).h1.get_text(strip=True)


@pytest.fixture
def production_app(monkeypatch, tmp_path):
    """An app configured only from a production environment."""
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", PRODUCTION_SECRET)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'production.db'}")
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    with extra_app() as app:

        @app.get("/test-only/start-session")
        def start_session():
            session["seen"] = True
            return jsonify(started=True)

        yield app


# Security headers


def test_html_pages_carry_a_strict_content_security_policy(client):
    """No unsafe-inline or unsafe-eval; framing refused; the inline script carries the nonce."""
    response = client.get("/")
    policy = content_security_policy(response)
    all_sources = [source for sources in policy.values() for source in sources]
    assert "'unsafe-inline'" not in all_sources
    assert "'unsafe-eval'" not in all_sources
    assert policy["frame-ancestors"] == ["'none'"]
    nonces = [s for s in policy["script-src"] if s.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0].removeprefix("'nonce-").removesuffix("'")
    assert len(nonce) >= 16
    inline_scripts = [s for s in soup(response).find_all("script") if not s.get("src")]
    assert inline_scripts, "the GOV.UK template has an inline script"
    assert {script.get("nonce") for script in inline_scripts} == {nonce}


def test_nonce_is_new_on_every_response(client):
    """A nonce that repeats would let an injected script reuse it."""
    first = content_security_policy(client.get("/"))["script-src"]
    second = content_security_policy(client.get("/"))["script-src"]
    assert first != second


def test_other_security_headers(client):
    """nosniff, a referrer policy, no framing, and no caching of pages about people."""
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_no_hsts_outside_production(client):
    """Strict-Transport-Security is not sent by the testing app, even over HTTPS."""
    response = client.get("/", base_url="https://localhost")
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_in_production(production_app):
    """In production, HTTPS responses tell browsers to use HTTPS for a year."""
    response = production_app.test_client().get("/", base_url="https://localhost")
    assert response.status_code == 200
    hsts = response.headers["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts
    assert "includeSubDomains" in hsts


def test_production_app_does_not_change_other_apps(production_app, client):
    """Building a production app leaves the testing app's headers as they were."""
    assert "Strict-Transport-Security" in production_app.test_client().get(
        "/", base_url="https://localhost").headers
    response = client.get("/", base_url="https://localhost")
    assert "Strict-Transport-Security" not in response.headers
    assert client.application.config["SESSION_COOKIE_SECURE"] is False


# Configuration


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        load_config(tmp_path)


def test_development_generates_a_private_and_stable_secret_key(monkeypatch, tmp_path):
    """The generated key is kept in the instance folder, readable by its owner only."""
    monkeypatch.setenv("PORTAL_ENV", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    first = load_config(instance)["SECRET_KEY"]
    key_file = instance / "secret_key"
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert len(first) >= 64
    assert load_config(instance)["SECRET_KEY"] == first


def test_unknown_environment_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_ENV", "staging")
    with pytest.raises(ConfigurationError, match="PORTAL_ENV"):
        load_config(tmp_path)


# Session cookies


def test_session_cookie_is_http_only_and_same_site_lax(client):
    """Signing in sets a session cookie scripts cannot read and other sites do not send."""
    user = UserFactory()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    attributes = cookie_attributes(session_cookie(response))
    assert {"httponly", "samesite=lax"} <= attributes
    assert "secure" not in attributes  # the test app runs over plain HTTP


def test_production_cookies_are_secure(monkeypatch, tmp_path, production_app):
    """Production sends session and remember-me cookies over HTTPS only."""
    config = load_config(tmp_path)
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    response = production_app.test_client().get("/test-only/start-session",
                                                base_url="https://localhost")
    assert {"secure", "httponly", "samesite=lax"} <= cookie_attributes(session_cookie(response))


# CSRF


@pytest.fixture
def csrf_app(ctx):
    """The test app's database, with CSRF protection switched on as in production."""
    with extra_app({
        "SQLALCHEMY_DATABASE_URI": ctx.config["SQLALCHEMY_DATABASE_URI"],
        "MAIL_OUTBOX": ctx.config["MAIL_OUTBOX"],
        "PASSWORD_HASH_TIME_COST": 1,
        "WTF_CSRF_ENABLED": True,
    }) as app:
        yield app


def database_snapshot() -> dict[str, list[str]]:
    """Every row of every table, to prove that nothing changed."""
    with db.engine.connect() as connection:
        return {table.name: sorted(repr(tuple(row)) for row in connection.execute(table.select()))
                for table in db.metadata.sorted_tables}


# Data that would change something if a form accepted it.
TEMPTING_FORM = {
    "email": "newcomer@example.org", "full_name": "New Comer", "name": "New Community Group",
    "password": "kettle purple harbour", "role": "admin", "roles": "assessor",
}


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "admin-and-applicant"])
def test_every_post_without_a_csrf_token_is_refused(csrf_app, signed_in):
    """Every POST route answers 400 with the friendly "timed out" page and changes nothing."""
    user = UserFactory(email="newcomer@example.org", roles=(Role.APPLICANT, Role.ADMIN))
    organisation = MembershipFactory(user=user, role=OrganisationRole.ADMIN).organisation
    # The token check comes before the view, so ids only need to build the URL.
    samples = {"organisation_id": organisation.id, "user_id": user.id,
               "token": "not-a-real-token", "application_id": 1, "submitted_application_id": 1,
               "document_id": 1, "round_id": 1, "scheme_id": 1, "assignment_id": 1,
               "pot_id": 1, "partner_id": 1, "award_id": 1, "programme_id": 1, "contract_id": 1,
               "scenario_id": 1, "kpi_id": 1, "return_id": 1, "contract_document_id": 1,
               "grant_return_id": 1, "evidence_id": 1,
               "year": "2024-25", "quarter": 1, "number": 1, "batch_id": 1, "export_id": 1,
               "format": "csv"}
    client = csrf_app.test_client()
    if signed_in:
        sign_in_as(client, user)
    post_rules = [rule for rule in csrf_app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(post_rules) >= 10
    before = database_snapshot()

    answers = {}
    for rule in post_rules:
        response = client.post(sample_url(csrf_app, rule, samples), data=TEMPTING_FORM)
        answers[rule.endpoint] = (response.status_code, h1(response))

    assert answers == {rule.endpoint: (400, "Your page timed out") for rule in post_rules}
    assert database_snapshot() == before


# Error pages


def test_unknown_page_is_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert h1(response) == "Page not found"


def test_too_large_a_request_is_413(client, monkeypatch):
    monkeypatch.setitem(client.application.config, "MAX_CONTENT_LENGTH", 1024)
    response = client.post("/sign-in", data={"email": "a" * 5000, "password": "x"})
    assert response.status_code == 413
    assert h1(response) == "The file or form you sent is too large"


def test_wrong_method_is_405(client):
    response = client.get("/sign-out")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert h1(response) == "There is a problem with your request"


def test_too_many_sign_in_attempts_is_429(client):
    """The sign-in limit (10 a minute) stops password guessing with a GOV.UK page."""
    form = {"email": "someone@example.org", "password": "wrong password guess"}
    answers = [client.post("/sign-in", data=form).status_code for _ in range(10)]
    assert answers == [200] * 10
    response = client.post("/sign-in", data=form)
    assert response.status_code == 429
    assert h1(response) == "You have tried too many times"


@pytest.mark.parametrize(("raised", "status", "heading"), [
    (NotFound(7), 404, "Page not found"),
    (KeyError("a bug"), 500, "Sorry, there is a problem with the service"),
])
def test_only_not_found_from_a_service_is_the_404_page(ctx, raised, status, heading):
    """Views do not catch lookups: a service's NotFound is the 404 page, and any other error,
    a KeyError included, is the 500 page rather than a quiet 404."""
    with extra_app({"SQLALCHEMY_DATABASE_URI": ctx.config["SQLALCHEMY_DATABASE_URI"]}) as app:

        @app.get("/test-only/lookup")
        def lookup():
            raise raised

        response = app.test_client().get("/test-only/lookup")
    assert response.status_code == status
    assert h1(response) == heading


def test_unexpected_error_is_500_and_rolls_back(ctx):
    """A crash shows the GOV.UK 500 page, and the half-done change is not saved."""
    with extra_app({"SQLALCHEMY_DATABASE_URI": ctx.config["SQLALCHEMY_DATABASE_URI"]}) as app:

        @app.get("/test-only/crash")
        def crash():
            db.session.add(Organisation(name="Half Done Group"))
            db.session.flush()
            raise RuntimeError("something went wrong after a change")

        response = app.test_client().get("/test-only/crash")
    assert response.status_code == 500
    assert h1(response) == "Sorry, there is a problem with the service"
    assert "something went wrong" not in response.get_data(as_text=True)
    saved = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Half Done Group"))
    assert saved is None


# Safe redirects after signing in


@pytest.mark.parametrize("target", [
    "//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)",
    "///evil.example", "/\t/evil.example",
])
def test_sign_in_never_redirects_off_site(client, target):
    user = UserFactory()
    response = client.post(f"/sign-in?next={quote(target, safe='')}",
                           data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_sign_in_keeps_a_next_page_on_this_site(client):
    user = UserFactory()
    response = client.post("/sign-in?next=/organisations/",
                           data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/organisations/"


AWKWARD_STARTS = st.sampled_from(["/", "//", "/\\", "\\", "\\\\", "/\t", " /", "http:",
                                  "https://", "javascript:", "/%2F", "/:", "//:"])


@given(st.one_of(st.text(), st.builds(str.__add__, AWKWARD_STARTS, st.text())))
def test_safe_next_url_only_returns_local_paths(target):
    """Whatever the input, the answer is nothing or a path on this site."""
    result = safe_next_url(target)
    if result is not None:
        assert result == target
        assert result.startswith("/")
        assert not result.startswith("//")
        parts = urlsplit(result)
        assert parts.scheme == ""
        assert parts.netloc == ""


# Escaping


def test_names_are_escaped_on_the_page(client, outbox):
    """A name that looks like a script is shown as text, never run."""
    name = "<script>alert(1)</script>"
    client.post("/register", data={"full_name": name, "email": "sam@example.org",
                                   "password": "kettle purple harbour"})
    assert client.get(outbox.last_link("sam@example.org")).status_code == 302
    assert db.session.scalar(sa.select(User.full_name).where(User.email == "sam@example.org")) \
        == name
    signed_in = client.post("/sign-in", data={"email": "sam@example.org",
                                              "password": "kettle purple harbour"})
    assert signed_in.status_code == 302
    home = client.get("/")
    page = soup(home)
    assert page.h1.get_text() == f"Welcome, {name}"
    assert not [s for s in page.find_all("script") if "alert(1)" in s.get_text()]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in home.get_data(as_text=True)
