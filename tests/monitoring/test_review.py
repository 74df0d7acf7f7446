"""The commissioner reviews returns: a programme's returns for a quarter, each with where it
stands; accepting a return, or querying it with a note (its provider's admins are emailed)."""

from datetime import UTC, date, datetime

import pytest

from models.base import db
from models.enums import ContractLot, ContractStatus, ReturnStatus
from portal.monitoring import services
from portal.monitoring.details import Review
from tests.conftest import sign_in_as
from tests.contracts.commissioning import audit_events
from tests.factories import ContractFactory, ProgrammeFactory
from tests.html import error_messages, soup
from tests.monitoring.anchors import (
    NOW,
    anchor,
    returns_of,
    sent_return,
)
from tests.querycount import count_queries

pytestmark = pytest.mark.usefixtures("fixed_now")


def test_accepting_a_return(client):
    found = anchor()
    item = sent_return(found)
    sign_in_as(client, found.commissioner)
    page = soup(client.get(f"/monitoring/returns/{item.id}"))
    assert [cell.get_text(strip=True) for cell in page.select("#values tbody td")] == [
        "90 people", "100 people", "£25", "£20"]
    response = client.post(f"/monitoring/returns/{item.id}/review", data={"outcome": "accepted"})
    assert response.status_code == 302
    (accepted,) = returns_of(found.contract)
    assert accepted.status is ReturnStatus.ACCEPTED
    assert (accepted.reviewed_by_id, accepted.reviewed_at) == (found.commissioner.id, NOW)
    assert audit_events("contract_return.accepted")[0].object_id == item.id
    # Reviewed once: the form is gone, and a second review is refused.
    assert soup(client.get(response.location)).select_one("form[action$=review]") is None
    again = client.post(f"/monitoring/returns/{item.id}/review",
                        data={"outcome": "queried", "note": "Too late"})
    banner = soup(client.get(again.location)).select_one(".govuk-notification-banner")
    assert "This return has been accepted already" in banner.get_text()
    assert returns_of(found.contract)[0].status is ReturnStatus.ACCEPTED


def test_a_query_needs_a_note_and_emails_the_providers_admins(client, outbox):
    found = anchor()
    item = sent_return(found)
    sign_in_as(client, found.commissioner)
    page = client.post(f"/monitoring/returns/{item.id}/review", data={"outcome": "queried"})
    assert error_messages(page) == {
        "note": "Enter what the provider needs to explain or correct"}
    assert returns_of(found.contract)[0].status is ReturnStatus.SUBMITTED
    assert outbox.messages() == []

    client.post(f"/monitoring/returns/{item.id}/review",
                data={"outcome": "queried", "note": "The funding figure looks too high."})
    (queried,) = returns_of(found.contract)
    assert queried.status is ReturnStatus.QUERIED
    assert queried.review_note == "The funding figure looks too high."
    # The organisation's admin and the member who sent it hear of it; no one else.
    assert sorted(message["To"] for message in outbox.messages()) == sorted(
        [found.admin.email, found.member.email])
    text = outbox.to(found.admin.email)[0].get_body(("plain",)).get_content()
    assert "The funding figure looks too high." in text and "Q1 2024/25" in text
    assert outbox.last_link(found.admin.email) == f"/monitoring/returns/{item.id}"


def test_the_programme_returns_show_where_each_contract_stands(client):
    programme = ProgrammeFactory()
    on_time = anchor("CA-01", programme=programme)
    sent_return(on_time, quarter=2, submitted_at=datetime(2024, 10, 2, tzinfo=UTC))
    late = anchor("CA-02", programme=programme)
    sent_return(late, quarter=2, submitted_at=datetime(2024, 11, 1, tzinfo=UTC),
                status=ReturnStatus.ACCEPTED)
    queried = anchor("CA-03", programme=programme)
    sent_return(queried, quarter=2, status=ReturnStatus.QUERIED,
                submitted_at=datetime(2024, 10, 2, tzinfo=UTC))
    anchor("CA-04", programme=programme)  # not sent
    anchor("CA-05", programme=programme, starts_on=date(2025, 4, 1))  # not started
    ContractFactory(programme=programme, reference="CA-06")  # a draft: not listed
    sign_in_as(client, on_time.commissioner)

    def statuses(query: str) -> dict[str, str]:
        page = soup(client.get(f"/monitoring/programmes/{programme.id}/returns{query}"))
        return {row.td.get_text(strip=True): " ".join(
                    tag.get_text(strip=True) for tag in row.select(".govuk-tag"))
                for row in page.select("#returns tbody tr")}

    # By default the last quarter to have ended: Q2 2024/25, due 31 October.
    expected = {"CA-01": "Submitted", "CA-02": "Accepted Late", "CA-03": "Queried",
                "CA-04": "Late", "CA-05": "Not due"}
    assert statuses("") == expected
    assert statuses("?year=2024-25&quarter=2") == expected
    assert statuses("?year=2024-25&quarter=3") == dict.fromkeys(expected, "Not due")
    assert statuses("?year=nonsense&quarter=9") == expected


def test_the_programme_returns_are_paginated_25_a_page_in_constant_queries(client):
    programme = ProgrammeFactory()
    first = anchor("CA-000", programme=programme)
    sign_in_as(client, first.commissioner)
    url = f"/monitoring/programmes/{programme.id}/returns?year=2024-25&quarter=1"

    def queries() -> int:
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    for number in range(1, 3):
        sent_return(anchor(f"CA-{number:03d}", programme=programme), quarter=1)
    with_three = queries()
    for number in range(3, 30):
        sent_return(anchor(f"CA-{number:03d}", programme=programme), quarter=1)
    assert queries() == with_three
    page = soup(client.get(url))
    assert len(page.select("#returns tbody tr")) == 25
    assert soup(client.get(f"{url}&page=2")).select("#returns tbody tr")[-1].td.get_text(
        strip=True) == "CA-029"


def test_the_benchmark_compares_the_lots_contracts_on_each_kpi(client):
    programme = ProgrammeFactory()
    first = anchor("CA-01", programme=programme)
    sent_return(first, quarter=2, values=("90", "25"))
    second = anchor("CA-02", programme=programme, targets=("50", "0"))
    sent_return(second, quarter=2, values=("120", "10"))
    anchor("CA-03", programme=programme)  # sent nothing
    queried = anchor("CA-04", programme=programme)
    sent_return(queried, quarter=2, values=("500", "500"), status=ReturnStatus.QUERIED)
    lead = anchor("CA-05", programme=programme, lot=ContractLot.LEAD_LOCALITY_ANCHOR)
    sent_return(lead, quarter=2, values=("900", "900"))
    sign_in_as(client, first.commissioner)
    url = f"/monitoring/programmes/{programme.id}/benchmark?lot=local_anchor&year=2024-25&quarter=2"

    page = soup(client.get(url))
    people = page.select_one("#kpi-1")
    assert people.caption.get_text(strip=True) == "People supported"
    rows = [[cell.get_text(strip=True) for cell in row.select("th, td")]
            for row in people.select("tbody tr")]
    assert rows == [
        ["CA-02", "Anchor Trust CA-02", "120 people", "50 people", "240%", "1"],
        ["CA-01", "Anchor Trust CA-01", "90 people", "100 people", "90%", "2"],
        ["CA-03", "Anchor Trust CA-03", "No return", "100 people", "", ""],
        ["CA-04", "Anchor Trust CA-04", "No return", "100 people", "", ""]]
    totals = [row.get_text(" ", strip=True) for row in people.select("tfoot tr")]
    assert totals == ["Lot total 2 of 4 reported 210 people", "Lot median 105 people"]
    money = page.select_one("#kpi-2")
    assert money.caption.get_text(strip=True) == "External funding levered in"
    assert [cell.get_text(strip=True) for cell in money.select("tbody tr")[0].select("td")] == [
        "Anchor Trust CA-01", "£25", "£20", "125%", "1"]

    with count_queries() as statements:
        client.get(url)
    for number in range(6, 12):
        sent_return(anchor(f"CA-{number:02d}", programme=programme), quarter=2)
    with count_queries() as more:
        client.get(url)
    assert len(more) == len(statements)


def test_a_terminated_contract_is_not_due_after_it_ended(ctx):
    found = anchor(terminated_on=date(2024, 7, 1))
    found.contract.status = ContractStatus.TERMINATED
    db.session.commit()
    page = services.programme_returns(found.commissioner, found.contract.programme_id, None, 1,
                                      NOW)
    assert [row.state.value for row in page.rows] == ["not_due"]


def test_reviewing_needs_a_sent_return(ctx):
    found = anchor()
    item = sent_return(found, status=ReturnStatus.QUERIED)
    with pytest.raises(services.RuleBroken, match="has been queried already"):
        services.review_return(found.commissioner, item.id,
                               Review(ReturnStatus.ACCEPTED, ""), NOW)


def test_a_query_stands_when_the_mail_server_fails(ctx, monkeypatch):
    found = anchor()
    item = sent_return(found)

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("portal.mail.send_email", broken)
    services.review_return(found.commissioner, item.id,
                           Review(ReturnStatus.QUERIED, "Check the figures."), NOW)
    assert returns_of(found.contract)[0].status is ReturnStatus.QUERIED
