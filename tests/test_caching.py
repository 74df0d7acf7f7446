"""Nothing the portal sends about people or money is kept by browsers or proxies: every
response but the app's own static files says `Cache-Control: no-store`, downloads included."""

import pytest

from tests import test_access_matrix
from tests.test_access_matrix import ACCESS, ANONYMOUS, ROLES, request_as

people = test_access_matrix.people  # the same sample objects, one of each kind

ENDPOINTS = sorted(ACCESS.keys() - {"static"})
DOWNLOADS = {
    "applications.download": "application/pdf",
    "documents.download": "application/pdf",
    "contracts.document": "application/pdf",
    "awards.letter": "application/pdf",
    "awards.letter_batch_zip": "application/zip",
    "assessment.applications_csv": "text/csv",
    "assessment.export_download": ("application/vnd.openxmlformats-officedocument"
                                   ".spreadsheetml.sheet"),
    "funding.index_xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "partners.statement_pdf": "application/pdf",
    "partners.statement_xlsx": ("application/vnd.openxmlformats-officedocument"
                                ".spreadsheetml.sheet"),
}


def allowed_role(endpoint: str) -> str:
    """Someone signed in who may use the endpoint (anonymous only for pages nobody else may
    use, such as registering)."""
    return next((role for role in ROLES if role != ANONYMOUS and role in ACCESS[endpoint]),
                ANONYMOUS)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_response_but_static_files_is_not_stored(client, people, endpoint):
    response = request_as(client, people, allowed_role(endpoint), endpoint)
    assert response.status_code not in {403, 404, 405} and response.status_code < 500
    assert response.headers["Cache-Control"] == "no-store" or (
        response.cache_control.no_store and response.cache_control.private)


@pytest.mark.parametrize(("endpoint", "mimetype"), DOWNLOADS.items())
def test_downloads_are_not_stored(client, people, endpoint, mimetype):
    response = request_as(client, people, allowed_role(endpoint), endpoint)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.cache_control.no_store


def test_static_files_may_be_cached(client, people):
    response = request_as(client, people, allowed_role("static"), "static")
    assert response.status_code == 200
    assert not response.cache_control.no_store
