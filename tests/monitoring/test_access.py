"""Who may use each monitoring page: a provider's members see only their own contracts and
returns; everything else is the commissioners'. Another organisation's member gets 403 for every
page of someone else's contract, and a made-up id answers the same as someone else's."""

import pytest

from models.base import db
from models.enums import ContractStatus, OrganisationRole, ReturnStatus, Role
from tests.conftest import sign_in_as
from tests.factories import MembershipFactory, UserFactory
from tests.html import soup
from tests.monitoring.anchors import (
    anchor,
    return_answers,
    sent_return,
)

pytestmark = pytest.mark.usefixtures("fixed_now")

MEMBER, ADMIN, OTHER_MEMBER = "provider member", "provider admin", "another organisation's member"
STAFF = tuple(role for role in Role if role is not Role.APPLICANT)
PEOPLE = (MEMBER, ADMIN, OTHER_MEMBER, *STAFF)
PROVIDER = {MEMBER, ADMIN}


def person(found, who):
    if who == MEMBER:
        return found.member
    if who == ADMIN:
        return found.admin
    if who == OTHER_MEMBER:
        return MembershipFactory(role=OrganisationRole.ADMIN).user
    return UserFactory(roles=(who,))


def pages(found, item) -> list[tuple[str, str, dict | None, set]]:
    """(method, url, form, who may use it) for every monitoring page of the contract."""
    contract, kpi = found.contract.id, found.kpis[0].id
    programme = found.contract.programme_id
    commissioners = {Role.COMMISSIONER}
    return [
        ("get", f"/monitoring/contracts/{contract}", None, PROVIDER | commissioners),
        ("get", f"/monitoring/returns/{item.id}", None, PROVIDER | commissioners),
        ("get", f"/monitoring/contracts/{contract}/returns/2024-25/2", None, PROVIDER),
        ("post", f"/monitoring/contracts/{contract}/returns/2024-25/2",
         {**return_answers(found), "confirm": "yes"}, PROVIDER),
        ("get", f"/monitoring/contracts/{contract}/kpis/new", None, commissioners),
        ("post", f"/monitoring/contracts/{contract}/kpis/new", {"name": "Volunteers"},
         commissioners),
        ("get", f"/monitoring/contracts/{contract}/kpis/{kpi}", None, commissioners),
        ("post", f"/monitoring/contracts/{contract}/kpis/standard", {}, commissioners),
        ("post", f"/monitoring/contracts/{contract}/kpis/{kpi}/remove", {}, commissioners),
        ("post", f"/monitoring/returns/{item.id}/review", {"outcome": "accepted"},
         commissioners),
        ("get", f"/monitoring/programmes/{programme}/returns", None, commissioners),
        ("get", f"/monitoring/programmes/{programme}/benchmark", None, commissioners),
    ]


@pytest.mark.parametrize("who", PEOPLE)
def test_each_page_answers_only_the_people_it_is_for(client, who):
    found = anchor()
    item = sent_return(found)
    sign_in_as(client, person(found, who))
    for method, url, form, allowed in pages(found, item):
        response = getattr(client, method)(url, data=form)
        if who in allowed:
            assert response.status_code in (200, 302), (method, url)
        else:
            assert response.status_code == 403, (method, url)


def test_signed_out_people_are_sent_to_sign_in(client):
    found = anchor()
    item = sent_return(found)
    for method, url, form, _ in [("get", "/monitoring/", None, None),
                                 *pages(found, item)]:
        response = getattr(client, method)(url, data=form)
        assert response.status_code == 302 and "/sign-in" in response.location, url


@pytest.mark.parametrize("url", ["/monitoring/contracts/{missing}",
                                 "/monitoring/returns/{missing}",
                                 "/monitoring/contracts/{missing}/returns/2024-25/1"])
def test_a_made_up_id_is_refused_as_anyone_elses_would_be(client, url):
    found = anchor()
    sign_in_as(client, found.member)
    assert client.get(url.format(missing=found.contract.id + 1000)).status_code == 403


def test_the_provider_lists_only_its_own_contracts_that_are_not_drafts(client):
    mine, theirs = anchor("CA-MINE"), anchor("CA-THEIRS")
    second = anchor("CA-MINE-2", provider=mine.contract.provider)
    draft = anchor("CA-MINE-DRAFT", provider=mine.contract.provider)
    draft.contract.status = ContractStatus.DRAFT
    db.session.commit()
    sign_in_as(client, mine.member)
    page = soup(client.get("/monitoring/"))
    assert [row.td.get_text(strip=True) for row in page.select("#contracts tbody tr")] == [
        "CA-MINE", "CA-MINE-2"]
    assert second.contract.id != theirs.contract.id
    assert client.get(f"/monitoring/contracts/{draft.contract.id}").status_code == 404


def test_the_provider_sees_its_returns_and_what_it_can_send(client):
    found = anchor()
    sent_return(found, quarter=1, status=ReturnStatus.QUERIED)
    sign_in_as(client, found.member)
    page = soup(client.get(f"/monitoring/contracts/{found.contract.id}"))
    rows = {" ".join(row.th.get_text(" ", strip=True).split()[:2]): row
            for row in page.select("#returns tbody tr")}
    assert " ".join(tag.get_text(strip=True) for tag in rows["Q1 2024/25"].select(
        ".govuk-tag")) == "Queried"
    assert "Change and send again" in rows["Q1 2024/25"].get_text()
    assert "Late" in rows["Q2 2024/25"].get_text()
    assert "Send the return" in rows["Q2 2024/25"].get_text()
    assert "Send" not in rows["Q3 2024/25"].get_text()
    assert page.select_one("form[action$=standard]") is None  # commissioners' buttons
