"""Nothing a person sends causes a server error: odd numbers, dates and bytes get a page that
explains, or a 404."""

import pytest

from models.enums import Role
from tests.conftest import sign_in_as
from tests.factories import UserFactory
from tests.html import error_messages

HUGE = "9" * 25


@pytest.fixture
def admin_client(client):
    sign_in_as(client, UserFactory(roles=(Role.ADMIN,)))
    return client


@pytest.mark.parametrize(("path", "status"), [
    (f"/admin/users/{HUGE}", 404),
    (f"/organisations/{HUGE}", 404),
    (f"/admin/audit?page={HUGE}", 200),
    ("/admin/audit?page=-3", 200),
    ("/admin/audit?page=abc", 200),
    ("/admin/audit?date_from=1&date_from=2&date_from=3&date_from=4", 200),
    ("/admin/users?q=%00%ff", 200),
    (f"/verify/{'a' * 3000}", 400),
    ("/reset-password/%00", 400),
])
def test_odd_urls_get_a_proper_answer(admin_client, path, status):
    assert admin_client.get(path).status_code == status


def test_a_far_future_date_is_explained_not_a_crash(admin_client):
    response = admin_client.get("/admin/audit?date_to=31&date_to=12&date_to=9999")
    assert response.status_code == 200
    assert error_messages(response) == {"date_to": "To must be between 1900 and 2100"}


@pytest.mark.parametrize(("path", "data"), [
    ("/register", {"full_name": "\x00", "email": "a@b.c", "password": "x" * 200}),
    ("/register", {"full_name": "a" * 10_000, "email": "a" * 300 + "@example.org",
                   "password": "kettle purple harbour"}),
    ("/sign-in", {"email": "\x00", "password": "\x00"}),
    ("/forgot-password", {"email": ["a@example.org", "b@example.org"]}),
    ("/sign-in/code", {"code": "\x00"}),
])
def test_odd_form_input_gets_a_page_not_a_server_error(client, path, data):
    assert client.post(path, data=data).status_code < 500


def test_undecodable_bytes_in_a_form_are_not_a_server_error(client):
    response = client.post("/register", data=b"\xff\xfe\x00full_name=%ff",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500
