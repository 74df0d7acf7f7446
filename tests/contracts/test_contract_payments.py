"""Paying a contract's quarterly instalments from its years' pots through the funding ledger,
and the contract's payments pages."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from models import AuditEvent, ContractPayment, LedgerEntry
from models.base import db
from models.enums import ContractStatus, FundingSource, LedgerKind, OrganisationRole, Role
from portal.contracts import payments, years
from portal.contracts.years import YearPlan
from portal.exceptions import NotAllowed, NotFound, RuleBroken
from portal.funding import ledger
from portal.funding.payments import PaymentDetails
from tests.conftest import sign_in_as
from tests.contracts.test_years import APRIL_2024, pot
from tests.factories import ContractFactory, MembershipFactory, UserFactory
from tests.html import error_messages, form_data, soup
from tests.querycount import count_queries

JULY_2024 = datetime(2024, 7, 15, 10, tzinfo=UTC)
QUARTER = 5_000_00  # each quarter of a £20,000 year


@pytest.fixture
def commissioner(ctx):
    return UserFactory(roles=(Role.COMMISSIONER,))


def planned(user, status: ContractStatus = ContractStatus.ACTIVE, core: int = 12_000_00,
            external: int = 8_000_00, external_budget: int = 100_000_00, **fields):
    """A 2024/25 contract with `core` and `external` planned from a new core pot and a new
    external pot of that year (its external money short by whatever the external pot's
    budget cannot cover), made `status`."""
    core_pot = pot(user, "2024/25", FundingSource.CORE, max(core, 1))
    external_pot = pot(user, "2024/25", FundingSource.EXTERNAL, external_budget)
    contract = ContractFactory(starts_on=date(2024, 4, 1), ends_on=date(2025, 3, 31), **fields)
    years.plan_years(user, contract, [YearPlan("2024/25", core, external)], "",
                     now=APRIL_2024)
    if status is not ContractStatus.DRAFT:
        years.activate(user, contract, now=APRIL_2024)
        contract.status = status
        db.session.commit()
    return contract, core_pot, external_pot


def instalment(contract, quarter: int, financial_year: str = "2024/25"):
    year = next(each for each in contract.years if each.financial_year == financial_year)
    return next(each for each in year.instalments if each.quarter == quarter)


def pay(user, contract, amount: int, quarter: int = 1, paid_on: date = date(2024, 7, 1),
        reference: str = "BACS-0001", instalment_id: int | None = None, now=JULY_2024,
        financial_year: str = "2024/25"):
    return payments.record_payment(user, contract.id, PaymentDetails(
        instalment_id or instalment(contract, quarter, financial_year).id, paid_on, amount,
        reference), now)


def balance(found) -> ledger.Balance:
    return ledger.balances([found.id])[found.id]


def payment_entries(contract) -> list[LedgerEntry]:
    return list(db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.contract_id == contract.id,
                                  LedgerEntry.kind == LedgerKind.PAYMENT)
        .order_by(LedgerEntry.pot_id)))


def stored() -> tuple:
    """Everything a payment adds: payments, ledger entries and audit events."""
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (ContractPayment, LedgerEntry, AuditEvent))


# Recording a payment ------------------------------------------------------------------------


def test_a_payment_is_shared_across_the_years_pots_as_their_commitments_are(commissioner):
    contract, core, external = planned(commissioner)
    payment = pay(commissioner, contract, QUARTER)

    assert (balance(core).paid_pence, balance(external).paid_pence) == (3_000_00, 2_000_00)
    entries = payment_entries(contract)
    assert [(entry.pot_id, entry.amount_pence) for entry in entries] == [
        (core.id, 3_000_00), (external.id, 2_000_00)]
    assert {entry.contract_id for entry in entries} == {contract.id}
    assert {entry.award_id for entry in entries} == {None}
    assert {entry.batch for entry in entries} == {payment.batch}
    assert (payment.amount_pence, payment.reference, payment.paid_on, payment.instalment_id) \
        == (QUARTER, "BACS-0001", date(2024, 7, 1), instalment(contract, 1).id)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contract.paid"))
    assert event.object_id == contract.id
    assert event.details["shares"] == {str(core.id): 3_000_00, str(external.id): 2_000_00}


def test_a_payment_is_shared_by_what_each_pot_has_unpaid_not_what_it_committed(commissioner):
    """The core pot has already paid £6,000 of its £12,000 (say, a payment recorded before
    the portal): the next £7,000 is shared 6:8, not 12:8."""
    contract, core, external = planned(commissioner)
    ledger.post(commissioner, [ledger.Posting(core.id, LedgerKind.PAYMENT, 6_000_00)],
                "Paid before", contract_id=contract.id)
    db.session.commit()
    pay(commissioner, contract, 3_000_00, quarter=1)
    pay(commissioner, contract, 4_000_00, quarter=2)
    assert (balance(core).paid_pence, balance(external).paid_pence) == (
        6_000_00 + 3_000_00, 4_000_00)


def test_the_odd_pence_go_to_the_largest_remainder(commissioner):
    contract, core, external = planned(commissioner)
    pay(commissioner, contract, 1)
    assert (balance(core).paid_pence, balance(external).paid_pence) == (1, 0)


def test_an_instalment_is_paid_from_its_own_years_pots(commissioner):
    first = pot(commissioner, "2024/25", FundingSource.CORE)
    second = pot(commissioner, "2025/26", FundingSource.CORE)
    contract = ContractFactory(starts_on=date(2024, 4, 1), ends_on=date(2026, 3, 31))
    years.plan_years(commissioner, contract, [YearPlan("2024/25", 4_000_00, 0),
                                              YearPlan("2025/26", 8_000_00, 0)], "",
                     now=APRIL_2024)
    years.activate(commissioner, contract, now=APRIL_2024)
    pay(commissioner, contract, 2_000_00, quarter=1, financial_year="2025/26",
        paid_on=date(2025, 4, 1), now=datetime(2025, 4, 2, tzinfo=UTC))
    assert (balance(first).paid_pence, balance(second).paid_pence) == (0, 2_000_00)


def test_a_payment_may_pay_part_of_an_instalment_and_the_rest_later(commissioner):
    contract, _, _ = planned(commissioner)
    pay(commissioner, contract, 2_000_00)
    pay(commissioner, contract, 3_000_00)
    assert years.paid_by_instalment(contract.id) == {instalment(contract, 1).id: QUARTER}


@pytest.mark.parametrize("status", [ContractStatus.ENDED, ContractStatus.TERMINATED])
def test_an_ended_or_terminated_contract_can_still_be_paid_what_is_committed(commissioner,
                                                                             status):
    contract, _, _ = planned(commissioner, status=status)
    pay(commissioner, contract, QUARTER, quarter=4)
    assert years.paid_by_instalment(contract.id) == {instalment(contract, 4).id: QUARTER}


def test_only_a_commissioner_records_a_payment(commissioner):
    contract, _, _ = planned(commissioner)
    before = stored()
    with pytest.raises(NotAllowed):
        pay(UserFactory(roles=(Role.GRANTS_OFFICER,)), contract, QUARTER)
    assert stored() == before


def _another_contracts_instalment(user, contract):
    other, _, _ = planned(user)
    return {"instalment_id": instalment(other, 1).id}


REFUSALS = {
    "a draft": ({"status": ContractStatus.DRAFT}, {},
                (None, "Contract CA-.* is a draft: a payment can be recorded only once it is "
                       "active")),
    "more than is left of the instalment": ({}, {"amount": QUARTER + 1}, (
        "amount", "The payment is more than the £5,000.00 left to pay of quarter 1 2024/25")),
    "more than is committed and unpaid": (
        {"core": 0, "external": 20_000_00, "external_budget": 4_000_00}, {"amount": QUARTER}, (
            "amount", "The payment is more than is committed to this contract in the pots of "
                      "2024/25 and not yet paid: at most £4,000.00")),
    "a date in the future": ({}, {"paid_on": date(2024, 7, 16)}, (
        "paid_on", "The date paid must be today or in the past, not after 15 July 2024")),
    "no reference": ({}, {"reference": "  "}, ("reference", "Enter the payment reference")),
    "nothing": ({}, {"amount": 0}, ("amount", "The amount paid must be more than £0")),
    "another contract's instalment": ({}, _another_contracts_instalment, (
        "instalment", "Select the payment in the schedule that this pays")),
}


@pytest.mark.parametrize("contract_fields, payment, expected", REFUSALS.values(),
                         ids=REFUSALS.keys())
def test_a_payment_that_breaks_a_rule_is_refused_and_changes_nothing(
        commissioner, contract_fields, payment, expected):
    contract, core, external = planned(commissioner, **contract_fields)
    if callable(payment):
        payment = payment(commissioner, contract)
    before, pots_before = stored(), (balance(core), balance(external))
    field, message = expected
    with pytest.raises(RuleBroken, match=message) as refused:
        pay(commissioner, contract, **{"amount": QUARTER, **payment})
    assert refused.value.field == field
    assert stored() == before
    assert (balance(core), balance(external)) == pots_before


def test_an_instalment_paid_in_full_is_refused_more(commissioner):
    contract, _, _ = planned(commissioner)
    pay(commissioner, contract, QUARTER)
    before = stored()
    with pytest.raises(RuleBroken, match="Quarter 1 2024/25 has been paid in full"):
        pay(commissioner, contract, 1)
    assert stored() == before


def test_an_unknown_contract_is_a_lookup_error(commissioner):
    with pytest.raises(NotFound):
        payments.record_payment(commissioner, 999_999, PaymentDetails(
            1, date(2024, 7, 1), 1_00, "B"), JULY_2024)


# What the payments page shows ----------------------------------------------------------------


@pytest.mark.parametrize("now, paid, status", [
    (datetime(2024, 6, 30, 22, 30, tzinfo=UTC), 0, "Not yet due"),  # 30 June 23:30 in the UK
    (datetime(2024, 6, 30, 23, 30, tzinfo=UTC), 0, "Due"),  # 1 July 00:30 in the UK
    (datetime(2024, 7, 31, 12, tzinfo=UTC), 0, "Due"),
    (datetime(2024, 8, 1, 12, tzinfo=UTC), 0, "Overdue"),
    (datetime(2024, 8, 1, 12, tzinfo=UTC), 1_00, "Part paid"),
    (datetime(2024, 8, 1, 12, tzinfo=UTC), QUARTER, "Paid"),
])
def test_an_instalments_status_compares_its_due_date_with_today_in_the_uk(
        commissioner, now, paid, status):
    contract, _, _ = planned(commissioner)
    if paid:
        pay(commissioner, contract, paid, quarter=2, paid_on=date(2024, 4, 1), now=APRIL_2024)
    view = payments.payments_view(commissioner, contract, now)
    row = next(row for row in view.rows if row.instalment.quarter == 2)
    assert row.status == status


def test_the_view_adds_up_planned_committed_paid_and_left(commissioner):
    contract, _, _ = planned(commissioner, external_budget=6_000_00)
    pay(commissioner, contract, QUARTER)
    view = payments.payments_view(commissioner, contract, JULY_2024)
    assert (view.planned_pence, view.committed_pence, view.paid_pence, view.left_pence,
            view.unsecured_pence) == (20_000_00, 18_000_00, QUARTER, 15_000_00, 2_000_00)
    # What can be paid now is what is left, at most what the year's pots hold unpaid.
    assert [row.payable_pence for row in view.rows] == [0, QUARTER, QUARTER, QUARTER]
    assert view.can_pay


# The pages -----------------------------------------------------------------------------------


@pytest.fixture
def signed_in(client, commissioner):
    sign_in_as(client, commissioner)
    return client


def test_the_contract_page_links_to_its_payments(signed_in, commissioner):
    contract, _, _ = planned(commissioner)
    page = soup(signed_in.get(f"/contracts/{contract.id}"))
    assert page.select_one("#payments-link")["href"] == f"/contracts/{contract.id}/payments"


def test_the_payments_page_shows_the_schedule_the_payments_and_their_pots(signed_in,
                                                                         commissioner):
    contract, core, external = planned(commissioner)
    pay(commissioner, contract, QUARTER, reference="BACS-77")
    pay(commissioner, contract, 1_000_00, quarter=2, reference="BACS-78")
    response = signed_in.get(f"/contracts/{contract.id}/payments")
    assert response.status_code == 200
    page = soup(response)
    totals = {row.dt.get_text(strip=True): row.dd.get_text(strip=True)
              for row in page.select("#payment-totals .govuk-summary-list__row")}
    assert totals == {"Planned": "£20,000.00", "Committed in funding pots": "£20,000.00",
                      "Paid": "£6,000.00", "Left to pay": "£14,000.00"}
    schedule = [[cell.get_text(" ", strip=True) for cell in row.select("th, td")]
                for row in page.select("#schedule-2024-25 tbody tr")]
    assert [row[:6] for row in schedule] == [
        ["Quarter 1", "1 April 2024", "Paid", "£5,000.00", "£5,000.00", "£0.00"],
        ["Quarter 2", "1 July 2024", "Part paid", "£5,000.00", "£1,000.00", "£4,000.00"],
        ["Quarter 3", "1 October 2024", "Overdue", "£5,000.00", "£0.00", "£5,000.00"],
        ["Quarter 4", "1 January 2025", "Overdue", "£5,000.00", "£0.00", "£5,000.00"],
        ["Total", "", "", "£20,000.00", "£6,000.00", "£14,000.00"]]
    assert schedule[0][6] == ""
    assert schedule[1][6] == "Record a payment for quarter 2 2024/25"
    history = [[cell.get_text(" ", strip=True) for cell in row.select("th, td")]
               for row in page.select("#payments tbody tr")]
    assert history == [
        ["1 July 2024", "Quarter 1 2024/25", "BACS-77", commissioner.full_name,
         f"{core.name}: £3,000.00 {external.name}: £2,000.00", "£5,000.00"],
        ["1 July 2024", "Quarter 2 2024/25", "BACS-78", commissioner.full_name,
         f"{core.name}: £600.00 {external.name}: £400.00", "£1,000.00"]]


def test_a_draft_has_no_way_to_record_a_payment(signed_in, commissioner):
    contract, _, _ = planned(commissioner, status=ContractStatus.DRAFT)
    page = soup(signed_in.get(f"/contracts/{contract.id}/payments"))
    assert page.select_one("#record-payment") is None
    assert "once the contract is active" in page.select_one("#why-not").get_text()
    response = signed_in.post(f"/contracts/{contract.id}/payments/new", data={
        "instalment": str(instalment(contract, 1).id), "paid_on": ["1", "7", "2024"],
        "amount": "5000", "reference": "B-1"})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(ContractPayment)) == 0


def test_the_form_offers_the_instalments_with_money_left_and_fills_in_the_first(
        signed_in, commissioner):
    contract, _, _ = planned(commissioner)
    pay(commissioner, contract, QUARTER)
    pay(commissioner, contract, 1_500_00, quarter=2)
    response = signed_in.get(f"/contracts/{contract.id}/payments/new")
    page = soup(response)
    offered = [radio["value"] for radio in page.select("input[name=instalment]")]
    assert offered == [str(instalment(contract, quarter).id) for quarter in (2, 3, 4)]
    label = page.select_one(f"label[for={page.select_one('input[name=instalment]')['id']}]")
    assert label.get_text(strip=True) == ("Quarter 2 2024/25, due 1 July 2024: £3,500.00 left "
                                          "to pay")
    sent = form_data(response)
    assert (sent["instalment"], sent["amount"], sent["reference"]) == (
        str(instalment(contract, 2).id), "3,500", "")


def test_the_schedules_link_chooses_the_instalment(signed_in, commissioner):
    contract, _, _ = planned(commissioner)
    chosen = instalment(contract, 3)
    response = signed_in.get(f"/contracts/{contract.id}/payments/new?instalment={chosen.id}")
    sent = form_data(response)
    assert (sent["instalment"], sent["amount"]) == (str(chosen.id), "5,000")


def test_recording_a_payment_from_the_form(signed_in, commissioner):
    contract, _, _ = planned(commissioner)
    response = signed_in.get(f"/contracts/{contract.id}/payments/new")
    answers = {**form_data(response), "paid_on": ["1", "7", "2024"], "amount": "£4,000",
               "reference": "BACS-9"}
    response = signed_in.post(f"/contracts/{contract.id}/payments/new", data=answers)
    assert response.status_code == 302
    assert response.location == f"/contracts/{contract.id}/payments"
    payment = db.session.scalar(select(ContractPayment))
    assert (payment.instalment_id, payment.amount_pence, payment.paid_on, payment.reference,
            payment.recorded_by_id) == (instalment(contract, 1).id, 4_000_00, date(2024, 7, 1),
                                        "BACS-9", commissioner.id)
    page = soup(signed_in.get(response.location))
    assert "The payment of £4,000.00 has been recorded." in page.get_text(" ", strip=True)


def test_a_refused_payment_shows_why_beside_the_field_and_keeps_the_answers(signed_in,
                                                                           commissioner):
    contract, _, _ = planned(commissioner)
    chosen = instalment(contract, 2)
    answers = {"instalment": str(chosen.id), "paid_on": ["1", "7", "2024"],
               "amount": "£5,000.01", "reference": "BACS-9"}
    response = signed_in.post(f"/contracts/{contract.id}/payments/new", data=answers)
    assert response.status_code == 200
    assert error_messages(response) == {
        "amount": "The payment is more than the £5,000.00 left to pay of quarter 2 2024/25"}
    sent = form_data(response)
    assert (sent["instalment"], sent["amount"], sent["reference"]) == (
        str(chosen.id), "£5,000.01", "BACS-9")
    assert db.session.scalar(select(func.count()).select_from(ContractPayment)) == 0


def test_the_forms_own_checks_name_each_missing_answer(signed_in, commissioner):
    contract, _, _ = planned(commissioner)
    response = signed_in.post(f"/contracts/{contract.id}/payments/new", data={
        "paid_on": ["", "", ""], "amount": "", "reference": ""})
    assert set(error_messages(response)) == {"instalment", "paid_on", "amount", "reference"}


def test_only_commissioners_reach_the_payments_pages(client, commissioner):
    contract, _, _ = planned(commissioner)
    member = MembershipFactory(organisation=contract.provider,
                               role=OrganisationRole.ADMIN).user
    sign_in_as(client, member)
    assert client.get(f"/contracts/{contract.id}/payments").status_code == 403
    assert client.get(f"/contracts/{contract.id}/payments/new").status_code == 403


def test_an_unknown_contract_is_not_found(signed_in):
    assert signed_in.get("/contracts/999999/payments").status_code == 404
    assert signed_in.get("/contracts/999999/payments/new").status_code == 404


def test_the_payments_page_runs_the_same_queries_for_2_and_12_payments(signed_in,
                                                                       commissioner):
    counts = []
    for made in (2, 12):
        contract, _, _ = planned(commissioner)
        for number in range(made):
            pay(commissioner, contract, 1_00, quarter=number % 4 + 1,
                reference=f"B-{number}")
        signed_in.get(f"/contracts/{contract.id}/payments")  # warm any first-use caches
        with count_queries() as statements:
            assert signed_in.get(f"/contracts/{contract.id}/payments").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_the_providers_admins_are_told_of_a_payment(commissioner, outbox):
    contract, _, _ = planned(commissioner)
    admin = MembershipFactory(organisation=contract.provider, role=OrganisationRole.ADMIN).user
    member = MembershipFactory(organisation=contract.provider,
                               role=OrganisationRole.MEMBER).user
    pay(commissioner, contract, 5_000_00, reference="BACS-7781")
    (message,) = outbox.to(admin.email)
    assert message["Subject"] == f"Payment under contract {contract.reference}"
    text = message.get_body(("plain",)).get_content()
    assert "£5,000.00" in text and "BACS-7781" in text and "Quarter 1 2024/25" in text
    assert outbox.to(member.email) == []
