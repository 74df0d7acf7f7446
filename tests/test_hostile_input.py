"""No form of any endpoint gives a server error or keeps what it should refuse.

Every endpoint that takes a POST gets, from someone allowed to use it, each hostile value in
every field of its forms at once. The answer must never be a 500; unless it is a redirect (the
way the portal says "done"), the database must be just as it was (but for the audit of a
refused attempt); and even after a redirect no row may keep what no field should accept."""

import importlib
import inspect
import math
import pkgutil
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from wtforms import FieldList, Form, FormField
from wtforms.fields.core import UnboundField

import forms
from models import Organisation
from models.base import db
from models.enums import OrganisationRole, Role
from portal.extensions import limiter
from tests import test_access_matrix
from tests.conftest import sign_in_as
from tests.factories import MembershipFactory
from tests.html import error_messages, form_data, soup
from tests.test_access_matrix import ACCESS, ANONYMOUS, request_as

people = test_access_matrix.people  # the same sample objects, one of each kind

HOSTILE: dict[str, str | list[str]] = {
    "27 digits": "9" * 27,
    "negative": "-1",
    "NaN": "NaN",
    "overflowing float": "1e309",
    "NUL": "\x00",
    "CR/LF": "a\r\nBcc: x@example.org",
    "right-to-left override": "\u202egnp.exe",
    "1 MB": "x" * 1_000_000,
    "list": ["1", "x"],  # the field's name sent twice
}
# Rows a refused post may still write, which are searched for refused values all the same: the
# audit of a refused attempt (a wrong current password, say) is the record doing its job, and a
# signed-in session notes when it was last used (and each test post signs in afresh).
BOOKKEEPING = frozenset({"audit_events", "sign_in_sessions"})
# A number beyond any figure the portal keeps (the largest is £100 billion in pence, 10**13).
HUGE_NUMBER = 10**20


def post_endpoints(app) -> list[str]:
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods})


def _post_endpoints_of_app() -> list[str]:
    from portal import create_app

    return post_endpoints(create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}))


# Forms and the names of their fields -------------------------------------------------------


def form_classes() -> dict[str, type[Form]]:
    """Every form class defined in forms/, by class name."""
    classes = {}
    for module_info in pkgutil.iter_modules(forms.__path__):
        module = importlib.import_module(f"forms.{module_info.name}")
        for name, value in vars(module).items():
            if (isinstance(value, type) and issubclass(value, Form)
                    and value.__module__ == module.__name__):
                classes[name] = value
    return classes


def field_names(form_class: type[Form]) -> set[str]:
    """The names a browser sends for `form_class`'s fields, with the first row of a FieldList
    and the sub-fields of a FormField ("costs-0-amount")."""
    names = set()
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        if isinstance(unbound, UnboundField):
            names |= _names_of(name, unbound)
    return names


def _names_of(name: str, unbound: UnboundField) -> set[str]:
    if issubclass(unbound.field_class, FieldList):
        return _names_of(f"{name}-0", unbound.args[0])
    if issubclass(unbound.field_class, FormField):
        return {f"{name}-{sub}" for sub in field_names(unbound.args[0])}
    return {name}


def names_in_source(app, endpoint: str) -> set[str]:
    """The field names of the form classes the endpoint's view function names."""
    source = inspect.getsource(app.view_functions[endpoint])
    return {name for class_name, form_class in form_classes().items()
            if re.search(rf"\b{class_name}\b", source) for name in field_names(form_class)}


def names_on_page(response) -> set[str]:
    """The names of the fields in the page's POST forms."""
    page = soup(response)
    return {box["name"] for box in page.select(
        "main form[method=post] :is(input, textarea, select)[name]")}


# The database, before and after ------------------------------------------------------------


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, read afresh (not through the test's session)."""
    with db.engine.connect() as connection:
        return {table.name: [tuple(row) for row in connection.execute(
            sa.select(table).order_by(*table.primary_key.columns))]
            for table in db.metadata.sorted_tables}


def new_values(before: dict, after: dict) -> list:
    """The values in rows that are new or changed."""
    return [value for name, rows in after.items()
            for row in rows if row not in before[name] for value in row]


def refused_everywhere(value) -> bool:
    """What no field may keep: a NUL, a 1 MB string, a number beyond any real figure, NaN or
    infinity."""
    if isinstance(value, str):
        return "\x00" in value or len(value) > 100_000
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return not math.isfinite(value) or abs(value) >= HUGE_NUMBER
    return False


# The test ----------------------------------------------------------------------------------


class UrlRecorder:
    """Stands in for the client in request_as: signs the real client in and notes the sample
    URL it would open, without opening it."""

    def __init__(self, client):
        self.client, self.application, self.url = client, client.application, None

    def session_transaction(self):
        return self.client.session_transaction()

    def open(self, url: str, method: str):
        self.url = url
        return self

    def get_data(self) -> bytes:
        return b""

    def close(self) -> None:
        pass


def role_for(endpoint: str) -> str:
    """Someone allowed to use the endpoint: anonymous for public pages."""
    assert endpoint in ACCESS, f"{endpoint} has no access rule in tests/test_access_matrix.py"
    roles = ACCESS[endpoint]
    return ANONYMOUS if ANONYMOUS in roles else sorted(roles)[0]


def sample_url_of(client, people, endpoint: str) -> str:
    recorder = UrlRecorder(client)
    request_as(recorder, people, ANONYMOUS, endpoint)
    return recorder.url


def sign_in(client, people, endpoint: str) -> None:
    """As someone allowed to use the endpoint, again before each post (one may sign out)."""
    role = role_for(endpoint)
    if role != ANONYMOUS:
        sign_in_as(client, people[role])


@pytest.fixture
def without_rate_limits(monkeypatch):
    """Rate limits would answer 429 before the forms see the values."""
    monkeypatch.setattr(limiter, "enabled", False)


@pytest.mark.parametrize("endpoint", _post_endpoints_of_app())
def test_hostile_values_in_every_field_are_refused_without_a_server_error(
        client, people, without_rate_limits, endpoint):
    app = client.application
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    # A name no form has stands in for buttons with no boxes.
    names = names_in_source(app, endpoint) | {"unexpected"}
    url = sample_url_of(client, people, endpoint)  # before any post can remove its objects
    if "GET" in rule.methods:
        sign_in(client, people, endpoint)
        names |= names_on_page(client.get(url))
    problems = []
    before = snapshot()  # each post's "after" is the next one's "before"
    for value in HOSTILE.values():
        sign_in(client, people, endpoint)
        try:
            response = client.post(url, data={name: value for name in names})
        except AssertionError as error:  # the page is not well-formed HTML
            problems.append(f"{value!r:.30}: {error}")
            continue
        after = snapshot()
        problems.append(judge(value, response.status_code, before, after))
        before = after
    problems = [problem for problem in problems if problem]
    assert not problems, "\n".join(problems)


def judge(value, status: int, before: dict, after: dict) -> str | None:
    """What went wrong when `value` was posted in every field, if anything."""
    if status >= 500:
        return f"{value!r:.30}: {status}"
    changed = sorted(name for name in after if after[name] != before[name])
    if status not in {302, 303} and set(changed) - BOOKKEEPING:
        return f"{value!r:.30}: {status}, yet {changed} changed"
    kept = [value for value in new_values(before, after) if refused_everywhere(value)]
    if kept:
        return f"{value!r:.30}: kept {kept!s:.200}"
    return None


# The defects found by hand -------------------------------------------------------------------


def test_a_27_digit_kpi_target_is_explained_beside_its_box(client, people):
    contract = people["contract"]
    sign_in_as(client, people[Role.COMMISSIONER.value])
    url = f"/monitoring/contracts/{contract.id}/kpis/new"
    data = form_data(client.get(url))
    target = next(name for name in data if name.startswith("target"))
    response = client.post(url, data={**data, "name": "People helped", target: "9" * 27})
    assert response.status_code == 200
    assert error_messages(response)[target].endswith("must be less than 1,000,000,000,000")


def test_an_organisation_name_keeps_no_line_break(client, people):
    sign_in_as(client, people[Role.APPLICANT.value])
    response = client.post("/organisations/new", data={"name": "Friends\r\nBcc: x@example.org"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Organisation.name).order_by(Organisation.id.desc())) \
        == "Friends Bcc: x@example.org"


def test_an_invitation_from_an_organisation_with_a_line_break_in_its_name_is_sent(
        client, outbox):
    # Stored before names were kept on one line.
    membership = MembershipFactory(role=OrganisationRole.ADMIN,
                                   organisation__name="Friends\r\nBcc: x@example.org")
    sign_in_as(client, membership.user)
    response = client.post(f"/organisations/{membership.organisation_id}/invite",
                           data={"email": "friend@example.org", "role": "member"})
    assert response.status_code == 302
    message = outbox.to("friend@example.org")[-1]
    assert message["Subject"].startswith("Join Friends Bcc: x@example.org on ")
    assert message["Bcc"] is None
