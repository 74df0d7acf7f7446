"""List pages run the same number of SQL statements whatever the amount of data."""

import pytest

from models.enums import OrganisationRole, Role
from portal import audit
from portal.extensions import db
from tests.conftest import sign_in_as
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.querycount import count_queries


def add_people(count: int) -> None:
    for _ in range(count):
        person = UserFactory(roles=(Role.APPLICANT, Role.ASSESSOR))
        audit.record("sign_in", actor=person, subject=person)
    db.session.commit()


def queries_for(client, path: str) -> int:
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("path", ["/admin/users", "/admin/audit", "/admin/audit?action=sign_in"])
def test_admin_lists_query_count_does_not_grow(client, path):
    """The admin's lists cost the same number of queries with 3 rows as with 60."""
    admin = UserFactory(roles=(Role.ADMIN,))
    sign_in_as(client, admin)
    add_people(3)
    few = queries_for(client, path)
    add_people(57)
    assert queries_for(client, path) == few


def test_organisation_pages_query_count_does_not_grow(client):
    """An applicant's organisations list and an organisation page do not query per row."""
    applicant = UserFactory()
    organisation = OrganisationFactory()
    MembershipFactory(user=applicant, organisation=organisation, role=OrganisationRole.ADMIN)
    sign_in_as(client, applicant)
    page = f"/organisations/{organisation.id}"
    few = (queries_for(client, "/organisations/"), queries_for(client, page))
    for _ in range(30):
        MembershipFactory(user=applicant)
        MembershipFactory(organisation=organisation)
    assert (queries_for(client, "/organisations/"), queries_for(client, page)) == few


def test_accountability_pages_query_count_does_not_grow(client, monkeypatch):
    """The trends, benchmarking over time, pathway roll-up and scrutiny pack run the same
    queries for 2 contracts with a quarter's returns as for 8 with five quarters' each."""
    from models.enums import ReturnStatus
    from tests.monitoring.accountability import LATER
    from tests.monitoring.anchors import anchor, sent_return

    monkeypatch.setattr("portal.monitoring.routes.utcnow", lambda: LATER)
    first = anchor("CA-LA-01")
    programme = first.contract.programme
    sent_return(first, 1)
    sent_return(anchor("CA-LA-02", programme=programme), 1)
    sign_in_as(client, first.commissioner)
    base = f"/monitoring/programmes/{programme.id}"
    paths = [f"/monitoring/contracts/{first.contract.id}/trends", f"{base}/trends",
             f"{base}/pathways", f"{base}/scrutiny", f"{base}/scrutiny.xlsx"]
    few = [queries_for(client, path) for path in paths]
    for number in range(3, 9):
        more = anchor(f"CA-LA-{number:02d}", programme=programme)
        for quarter in range(1, 5):
            sent_return(more, quarter, status=ReturnStatus.ACCEPTED)
        sent_return(more, 1, financial_year="2025/26")
    for quarter in range(2, 5):
        sent_return(first, quarter)
    assert [queries_for(client, path) for path in paths] == few
