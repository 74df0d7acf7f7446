"""Only grants officers use the decisions area; an unknown id is not found."""

import pytest

from models.enums import Role
from tests.conftest import sign_in_as
from tests.decisions.conftest import ALL_2, scored
from tests.factories import UserFactory

PAGES = [("get", "/decisions/rounds/{round}"), ("post", "/decisions/rounds/{round}/recommend"),
         ("get", "/decisions/rounds/{round}/decide"), ("post", "/decisions/rounds/{round}/decide"),
         ("get", "/decisions/applications/{application}"),
         ("post", "/decisions/applications/{application}"),
         ("get", "/decisions/applications/{application}/moderate"),
         ("post", "/decisions/applications/{application}/moderate"),
         ("get", "/decisions/applications/{application}/recommendation"),
         ("post", "/decisions/applications/{application}/recommendation"),
         ("post", "/decisions/applications/{application}/feedback")]


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.ASSESSOR, Role.COMMISSIONER,
                                  Role.ADMIN])
@pytest.mark.parametrize(("method", "path"), PAGES)
def test_only_grants_officers(client, round_, role, method, path):
    application = scored(round_, ALL_2)
    sign_in_as(client, UserFactory(roles=(role,)))
    url = path.format(round=round_.id, application=application.id)
    response = getattr(client, method)(url, data={"total": "50", "reason": "x",
                                                  "amount": "1", "note": "x"})
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_signed_out_people_are_sent_to_sign_in(client, round_, method, path):
    application = scored(round_, ALL_2)
    response = getattr(client, method)(path.format(round=round_.id,
                                                   application=application.id))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_unknown_ids_are_not_found_for_officers(client, officer, method, path):
    response = getattr(client, method)(path.format(round=987654, application=987654))
    assert response.status_code == 404
