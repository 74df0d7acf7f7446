"""Nobody reaches an application by guessing its id: another organisation's members, staff and
unknown ids all get the same 403 on every applicant page, for reading and for writing."""

import pytest

from models.enums import ApplicationStatus, Role
from tests.applications.helpers import complete, fresh
from tests.conftest import sign_in_as
from tests.factories import MembershipFactory, UserFactory
from tests.html import soup

PAGES = ["", "/organisation", "/project", "/beneficiaries", "/budget",
         "/budget/other-funding", "/budget/amount", "/declarations/public-funding",
         "/declarations", "/check-answers", "/submitted", "/withdraw"]
POSTS = {
    "/organisation": {"completed": "no"},
    "/project": {"title": "Hijacked", "completed": "no"},
    "/beneficiaries": {"beneficiaries": "5", "completed": "no"},
    "/budget": {"description": "Hijacked", "amount": "5"},
    "/budget/other-funding": {"source": "Hijacked", "amount": "5", "status": "secured"},
    "/budget/amount": {"amount_requested": "5", "completed": "no"},
    "/declarations/public-funding": {"funder": "Hijacked", "purpose": "x",
                                     "financial_year": "2024/25", "amount": "5"},
    "/declarations": {"has_conflict": "no", "completed": "no"},
    "/remove": {"kind": "costs", "row_id": "1"},
    "/check-answers": {"declaration": "y"},
    "/withdraw": {"reason": "Hijacked"},
}


@pytest.fixture(params=["other organisation", "grants officer", "admin"])
def outsider(request, world):
    if request.param == "other organisation":
        return MembershipFactory().user
    role = Role.GRANTS_OFFICER if request.param == "grants officer" else Role.ADMIN
    return UserFactory(roles=(role,))


def test_outsiders_are_refused_every_page(client, world, outsider):
    application = complete(world.application())
    sign_in_as(client, outsider)
    for page in PAGES:
        response = client.get(f"/applications/{application.id}{page}")
        assert response.status_code == 403, page
        assert soup(response).h1.text == "You do not have permission to see this page"
    for page, data in POSTS.items():
        assert client.post(f"/applications/{application.id}{page}",
                           data=data).status_code == 403, page
    saved = fresh(application)
    assert saved.title == "Warm welcome lunch club"
    assert saved.status is ApplicationStatus.DRAFT
    assert [line.description for line in saved.cost_lines] == ["Hall hire", "Food"]


def test_unknown_ids_look_the_same_as_forbidden_ones(applicant_client):
    for page in PAGES:
        assert applicant_client.get(f"/applications/987654{page}").status_code == 403, page


def test_a_member_of_the_organisation_who_did_not_start_it_may_work_on_it(client, world):
    application = world.application()
    colleague = MembershipFactory(organisation=world.organisation).user
    sign_in_as(client, colleague)
    assert client.get(f"/applications/{application.id}").status_code == 200
    client.post(f"/applications/{application.id}/project",
                data={"title": "Shared work", "completed": "no"})
    assert fresh(application).title == "Shared work"


def test_outsiders_cannot_download_the_pdf(client, world, outsider):
    application = complete(world.application())
    sign_in_as(client, outsider)
    assert client.get(f"/applications/{application.id}/pdf").status_code == 403
