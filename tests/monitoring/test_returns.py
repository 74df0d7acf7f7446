"""A provider sends a quarter's return: the form, the check of the answers, sending it; the
returns that cannot be sent, each refused with a message and nothing changed; a queried return
changed and sent again."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from models import AuditEvent, ContractReturn, ReturnValue
from models.base import db
from models.enums import ContractStatus, Rag, ReturnStatus
from portal.exceptions import RuleBroken
from portal.monitoring import services
from portal.monitoring.details import ReturnAnswers
from portal.monitoring.quarters import Quarter
from tests.conftest import sign_in_as
from tests.html import error_messages, form_data, soup
from tests.monitoring.anchors import (
    NOW,
    anchor,
    count,
    return_answers,
    return_url,
    returns_of,
    sent_return,
)

pytestmark = pytest.mark.usefixtures("fixed_now")


def test_the_provider_checks_its_answers_then_sends_the_return(client, outbox):
    found = anchor()
    sign_in_as(client, found.member)

    page = client.get(return_url(found))
    assert page.status_code == 200
    assert soup(page).h1.get_text(strip=True) == "Monitoring return for Q1 2024/25"
    hints = soup(page).select(".govuk-hint")
    assert "Target: 100 people" in [hint.get_text(strip=True) for hint in hints]

    check = client.post(return_url(found), data=return_answers(found))
    assert soup(check).h1.get_text(strip=True) == "Check your return before sending it"
    answers = soup(check).select_one("#answers").get_text(" ", strip=True)
    assert "90 people" in answers and "£1,250.5" in answers and "Amber" in answers
    assert count(ContractReturn) == 0  # nothing is sent before the check

    sent = client.post(return_url(found), data={**form_data(check), "confirm": "yes"})
    assert sent.status_code == 302
    (item,) = returns_of(found.contract)
    assert (item.status, item.rag, item.narrative) == (
        ReturnStatus.SUBMITTED, Rag.AMBER, "We ran twelve drop-in sessions.")
    assert {value.kpi_id: value.value for value in item.values} == {
        found.kpis[0].id: Decimal("90"), found.kpis[1].id: Decimal("1250.50")}
    assert item.submitted_by_id == found.member.id and item.submitted_at == NOW
    event = db.session.query(AuditEvent).filter_by(action="contract_return.submitted").one()
    assert event.object_id == item.id and event.details["quarter"] == "Q1 2024/25"

    shown = client.get(sent.location)
    assert "Late" in soup(shown).select_one("#summary").get_text()  # due 31 July, sent 10 Nov


def test_changing_the_answers_from_the_check_page_keeps_them(client):
    found = anchor()
    sign_in_as(client, found.member)
    check = client.post(return_url(found), data=return_answers(found))
    back = client.post(return_url(found), data={**form_data(check), "change": "yes"})
    assert soup(back).h1.get_text(strip=True) == "Monitoring return for Q1 2024/25"
    assert form_data(back)[f"kpi_{found.kpis[1].id}"] == "1,250.50"
    assert count(ContractReturn) == 0


@pytest.mark.parametrize(("field", "value", "message"), [
    ("people", "lots", "Enter the number of people supported as a number"),
    ("people", "-3", "The number of people supported must be 0 or more"),
    ("people", "", "Enter the number of people supported"),
    ("people", "1.255", "The number of people supported must have no more than 2 decimal "
                        "places"),
    ("money", "£-20", "The external funding levered in must be 0 or more"),
    ("money", "1e5", "Enter the external funding levered in as a number"),
    ("rag", "", "Select a red, amber or green self-assessment"),
    ("rag", "purple", "Select a red, amber or green self-assessment"),
    ("narrative", "  ", "Enter how the quarter went"),
])
def test_bad_answers_are_refused_beside_the_box_and_nothing_is_sent(client, field, value,
                                                                     message):
    found = anchor()
    boxes = {"people": f"kpi_{found.kpis[0].id}", "money": f"kpi_{found.kpis[1].id}",
             "rag": "rag", "narrative": "narrative"}
    sign_in_as(client, found.member)
    answers = return_answers(found, **{boxes[field]: value})
    if field == "rag" and not value:
        del answers["rag"]
    page = client.post(return_url(found), data={**answers, "confirm": "yes"})
    assert page.status_code == 200
    errors = error_messages(page)
    assert list(errors.values()) == [message]
    assert next(iter(errors)).startswith(boxes[field])
    assert count(ContractReturn) == 0 and count(ReturnValue) == 0
    # What was typed is kept to correct.
    kept = form_data(page)
    typed = [boxes["people"], boxes["money"], "narrative"]
    assert {name: kept[name] for name in typed} == {name: answers[name].strip()
                                                    for name in typed}


@pytest.mark.parametrize(("year", "quarter", "message"), [
    ("2024-25", 3, "There is no return due for Q3 2024/25: the quarter ends on 31 December "
                   "2024"),
    ("2023-24", 4, "There is no return due for Q4 2023/24: the contract does not run in that "
                   "quarter"),
    ("2027-28", 1, "There is no return due for Q1 2027/28: the contract does not run in that "
                   "quarter"),
])
def test_a_return_for_a_quarter_that_is_not_due_is_refused(client, year, quarter, message):
    found = anchor()
    sign_in_as(client, found.member)
    for method in (client.get, client.post):
        response = method(return_url(found, year, quarter),
                          data={**return_answers(found), "confirm": "yes"})
        assert response.status_code == 302
        assert response.location.endswith(f"/monitoring/contracts/{found.contract.id}")
        banner = soup(client.get(response.location)).select_one(".govuk-notification-banner")
        assert message in banner.get_text(" ", strip=True)
    assert count(ContractReturn) == 0


@pytest.mark.parametrize("path", ["2024-25/0", "2024-25/5", "2024/1", "twenty/1"])
def test_a_quarter_that_does_not_exist_is_not_found(client, path):
    found = anchor()
    sign_in_as(client, found.member)
    assert client.get(f"/monitoring/contracts/{found.contract.id}/returns/{path}"
                      ).status_code == 404


def test_no_return_is_due_from_a_terminated_contract_after_it_ended(ctx):
    found = anchor(terminated_on=datetime(2024, 7, 1).date())
    found.contract.status = ContractStatus.TERMINATED
    db.session.commit()
    page = services.contract_page(found.member, found.contract.id, NOW)
    assert [row.quarter.label for row in page.rows] == ["Q1 2024/25"]
    with pytest.raises(RuleBroken, match="does not run in that quarter"):
        services.return_form(found.member, found.contract.id, Quarter.of("2024/25", 2), NOW)


@pytest.mark.parametrize(("status", "message"), [
    (ReturnStatus.SUBMITTED, "The return for Q1 2024/25 has been sent already; it can be "
                             "changed only if the commissioner queries it"),
    (ReturnStatus.ACCEPTED, "The return for Q1 2024/25 has been accepted and cannot be changed"),
])
def test_a_sent_or_accepted_return_cannot_be_sent_again(client, status, message):
    found = anchor()
    item = sent_return(found, status=status)
    sign_in_as(client, found.member)
    response = client.post(return_url(found), data={**return_answers(found), "confirm": "yes"})
    assert response.status_code == 302
    banner = soup(client.get(response.location)).select_one(".govuk-notification-banner")
    assert message in banner.get_text(" ", strip=True)
    db.session.expire_all()
    assert [value.value for value in item.values] == [Decimal("90"), Decimal("25")]
    assert item.status is status


def test_a_queried_return_is_changed_and_sent_again(client):
    found = anchor()
    item = sent_return(found)
    services.review_return(found.commissioner, item.id,
                           services.Review(ReturnStatus.QUERIED, "Check the funding figure."),
                           datetime(2024, 8, 5, tzinfo=UTC))
    sign_in_as(client, found.admin)

    page = client.get(return_url(found))
    assert "Check the funding figure." in soup(page).select_one("#query").get_text()
    assert form_data(page)[f"kpi_{found.kpis[1].id}"] == "25"  # the answers as they were

    answers = return_answers(found, values=("90", "2,500"), rag="green")
    response = client.post(return_url(found), data={**answers, "confirm": "yes"})
    assert response.status_code == 302
    (again,) = returns_of(found.contract)
    assert again.id == item.id
    assert again.status is ReturnStatus.SUBMITTED and again.rag is Rag.GREEN
    assert [value.value for value in again.values] == [Decimal("90"), Decimal("2500")]
    assert (again.reviewed_by_id, again.reviewed_at, again.review_note) == (None, None, "")
    # First sent on time: answering the query later does not make it late.
    assert again.submitted_at == datetime(2024, 7, 20, 9, tzinfo=UTC)
    assert again.submitted_by_id == found.member.id

    shown = soup(client.get(f"/monitoring/returns/{item.id}"))
    history = shown.select_one("#history").get_text(" ", strip=True)
    assert "Queried" in history and "Check the funding figure." in history
    assert "Sent again" in history
    assert "Late" not in shown.select_one("#summary").get_text()


def test_the_service_refuses_a_negative_value_or_a_missing_one(ctx):
    found = anchor()
    form = services.return_form(found.member, found.contract.id, Quarter.of("2024/25", 1), NOW)
    people, money = found.kpis
    for values, field in (({people.id: Decimal(-1), money.id: Decimal(1)}, f"kpi_{people.id}"),
                          ({people.id: Decimal(1)}, f"kpi_{money.id}")):
        with pytest.raises(RuleBroken) as refused:
            services.submit_return(found.member, form, ReturnAnswers(values, "x", Rag.RED), NOW)
        assert refused.value.field == field
    assert count(ContractReturn) == 0
