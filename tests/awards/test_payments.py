"""Paying awards and recovering money from them: the ledger figures per pot, the schedule's
statuses, every refusal changing nothing, the organisation told, and who may do it."""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import AuditEvent, Award, LedgerEntry, Payment, Recovery, User
from models.base import db, utcnow
from models.enums import AwardStatus, LedgerKind, OrganisationRole, RecoveryKind, Role
from portal.awards import payments, services, variations
from portal.awards.payments import RecoveryDetails
from portal.awards.terms import ScheduledPayment, terms_of
from portal.exceptions import NotAllowed, RuleBroken
from portal.funding import ledger
from portal.funding.payments import PaymentDetails
from tests.awards.conftest import Offered, make, today
from tests.conftest import sign_in_as
from tests.factories import MembershipFactory, UserFactory
from tests.html import error_messages, soup
from tests.querycount import count_queries


def accept(made: Offered) -> Award:
    return services.accept(made.admin, made.award.id, services.Acceptance(
        "Priya Shah", "Chair", True, "203.0.113.7"), utcnow())


@pytest.fixture
def accepted(round_) -> Offered:
    """A £1,000 award paid from two pots, £500 each, accepted, with one payment due today."""
    made = make(round_, allocations=2)
    accept(made)
    return made


def officer_of() -> User:
    return UserFactory(roles=(Role.GRANTS_OFFICER,))


def pay(made: Offered, pence: int, reference: str = "BACS-1") -> Payment:
    instalment = made.award.instalments[0]
    return payments.record_payment(officer_of(), made.award.id, PaymentDetails(
        instalment.id, today(), pence, reference), utcnow())


def recover(made: Offered, pence: int, kind: RecoveryKind = RecoveryKind.CLAWBACK) -> Recovery:
    return payments.record_recovery(officer_of(), made.award.id, RecoveryDetails(
        kind, pence, today(), "Spent on something else"), utcnow())


def pot_ids(made: Offered) -> list[int]:
    return sorted(allocation.pot_id for allocation in made.award.allocations)


def figures(made: Offered) -> dict[int, tuple[int, int, int]]:
    """Each of the award's pots: (committed, paid, available), from the ledger."""
    found = ledger.balances(pot_ids(made))
    return {pot_id: (balance.committed_pence, balance.paid_pence, balance.available_pence)
            for pot_id, balance in found.items()}


def stored() -> tuple[int, int, int, int]:
    """What a refusal must leave alone: ledger entries, payments, recoveries, audit events."""
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (LedgerEntry, Payment, Recovery, AuditEvent))


# Payments ------------------------------------------------------------------------------------


def test_a_payment_is_split_across_the_pots_in_proportion_to_what_each_has_unpaid(accepted):
    first, second = pot_ids(accepted)
    payment = pay(accepted, 333_33)
    # Equal remainders: the odd penny goes to the lower pot id.
    assert figures(accepted) == {first: (500_00, 166_67, 4_500_00),
                                 second: (500_00, 166_66, 4_500_00)}
    entries = list(db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.kind == LedgerKind.PAYMENT).order_by(LedgerEntry.pot_id)))
    assert [(entry.pot_id, entry.amount_pence, entry.award_id) for entry in entries] == [
        (first, 166_67, accepted.award.id), (second, 166_66, accepted.award.id)]
    assert {entry.batch for entry in entries} == {payment.batch}
    assert payment.instalment_id == accepted.award.instalments[0].id
    # The next payment follows what is left unpaid in each pot, not the allocations.
    pay(accepted, 100_00, "BACS-2")
    money = payments.money_by_pot(award_id=accepted.award.id)
    assert (money[first].paid_pence, money[second].paid_pence) == (216_67, 216_66)
    [event, _] = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "award.paid").order_by(AuditEvent.id))
    assert event.details["amount_pence"] == 333_33 and event.details["reference"] == "BACS-1"


def test_paying_everything_marks_the_schedule_paid(accepted):
    pay(accepted, 400_00)
    view = payments.payments_view(officer_of(), accepted.award)
    assert [(row.status, row.paid_pence, row.left_pence) for row in view.schedule] == [
        ("Part paid", 400_00, 600_00)]
    pay(accepted, 600_00, "BACS-2")
    view = payments.payments_view(officer_of(), accepted.award)
    assert [row.status for row in view.schedule] == ["Paid"]
    assert (view.paid_pence, view.left_to_pay_pence, view.can_pay) == (1_000_00, 0, False)
    assert all(paid == committed for committed, paid, _ in figures(accepted).values())


def test_the_organisation_is_told_of_a_payment(accepted, outbox):
    before = {m["To"] for m in outbox.messages()}
    pay(accepted, 250_00, "BACS-0042")
    told = [m for m in outbox.messages() if m["Subject"].startswith("Payment of your grant")]
    assert sorted(m["To"] for m in told) == sorted([accepted.admin.email,
                                                     accepted.member.email])
    text = told[0].get_body(("plain",)).get_content()
    assert "£250.00" in text and "BACS-0042" in text and accepted.award.reference in text
    assert before  # the offer was emailed too; the payment email is another message


@pytest.mark.parametrize("case, field", [
    ("above what is committed", "amount"),
    ("nothing", "amount"),
    ("in the future", "paid_on"),
    ("no reference", "reference"),
    ("another award's instalment", "instalment"),
])
def test_bad_payments_are_refused_and_change_nothing(round_, accepted, case, field):
    other = make(round_)
    instalment = accepted.award.instalments[0]
    details = {
        "above what is committed": PaymentDetails(instalment.id, today(), 1_000_01, "R"),
        "nothing": PaymentDetails(instalment.id, today(), 0, "R"),
        "in the future": PaymentDetails(instalment.id, today() + timedelta(days=1), 1_00, "R"),
        "no reference": PaymentDetails(instalment.id, today(), 1_00, "  "),
        "another award's instalment": PaymentDetails(other.award.instalments[0].id, today(),
                                                     1_00, "R"),
    }[case]
    before, money = stored(), figures(accepted)
    with pytest.raises(RuleBroken) as refused:
        payments.record_payment(officer_of(), accepted.award.id, details, utcnow())
    db.session.rollback()
    assert refused.value.field == field
    assert (stored(), figures(accepted)) == (before, money)


def test_a_payment_above_what_is_committed_says_so(accepted):
    pay(accepted, 900_00)
    with pytest.raises(RuleBroken) as refused:
        pay(accepted, 100_01, "BACS-2")
    assert "more than is committed" in refused.value.message
    assert "£100.00" in refused.value.message


def test_an_instalment_cannot_be_paid_beyond_what_is_left_of_it(round_):
    made = make(round_)
    accept(made)
    officer = officer_of()
    two = replace(terms_of(made.award), instalments=(ScheduledPayment(today(), 400_00),
                                                     ScheduledPayment(today(), 600_00)))
    variations.vary(officer, made.award.id, variations.Variation(
        1_000_00, {made.pot.id: 1_000_00}, two, "Two instalments"), utcnow())
    first = made.award.instalments[0]
    payments.record_payment(officer, made.award.id, PaymentDetails(
        first.id, today(), 400_00, "R1"), utcnow())
    with pytest.raises(RuleBroken) as refused:
        payments.record_payment(officer, made.award.id, PaymentDetails(
            first.id, today(), 1_00, "R2"), utcnow())
    assert refused.value.message == "Payment 1 has been paid in full"
    second = made.award.instalments[1]
    with pytest.raises(RuleBroken) as refused:
        payments.record_payment(officer, made.award.id, PaymentDetails(
            second.id, today(), 600_01, "R2"), utcnow())
    assert "more than is committed" in refused.value.message


def test_an_offer_not_yet_accepted_cannot_be_paid(round_):
    made = make(round_)
    before = stored()
    with pytest.raises(RuleBroken, match="accepted the offer"):
        pay(made, 100_00)
    db.session.rollback()
    assert stored() == before


def test_only_grants_officers_record_payments(accepted):
    for person in (UserFactory(roles=(Role.COMMISSIONER,)), UserFactory(roles=(Role.ADMIN,)),
                   accepted.admin):
        with pytest.raises(NotAllowed):
            payments.record_payment(person, accepted.award.id, PaymentDetails(
                accepted.award.instalments[0].id, today(), 1_00, "R"), utcnow())


# Recoveries ----------------------------------------------------------------------------------


def test_a_recovery_claws_back_and_releases_each_pots_share(accepted):
    first, second = pot_ids(accepted)
    pay(accepted, 600_00)
    recovery = recover(accepted, 100_01)
    # In proportion to what each paid (£300 each): the odd penny to the lower id.
    assert figures(accepted) == {first: (449_99, 249_99, 4_550_01),
                                 second: (450_00, 250_00, 4_550_00)}
    entries = list(db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.batch == recovery.batch).order_by(LedgerEntry.pot_id, LedgerEntry.kind)))
    assert [(e.pot_id, e.kind, e.amount_pence) for e in entries] == [
        (first, LedgerKind.CLAWBACK, 50_01), (first, LedgerKind.RELEASE, 50_01),
        (second, LedgerKind.CLAWBACK, 50_00), (second, LedgerKind.RELEASE, 50_00)]
    award = db.session.get(Award, accepted.award.id)
    assert award.amount_pence == 1_000_00  # the amount awarded stays
    view = payments.payments_view(officer_of(), award)
    assert (view.paid_pence, view.recovered_pence, view.net_grant_pence,
            view.left_to_pay_pence) == (600_00, 100_01, 899_99, 400_00)


def test_a_repayment_is_recorded_the_same_way(accepted):
    pay(accepted, 200_00)
    recovery = recover(accepted, 200_00, RecoveryKind.REPAYMENT)
    assert recovery.kind is RecoveryKind.REPAYMENT
    assert {paid for _, paid, _ in figures(accepted).values()} == {0}
    assert sum(committed for committed, _, _ in figures(accepted).values()) == 800_00


@pytest.mark.parametrize("case, field", [
    ("more than paid", "amount"), ("nothing", "amount"), ("no reason", "reason"),
    ("in the future", "received_on")])
def test_bad_recoveries_are_refused_and_change_nothing(accepted, case, field):
    pay(accepted, 300_00)
    details = {
        "more than paid": RecoveryDetails(RecoveryKind.CLAWBACK, 300_01, today(), "Why"),
        "nothing": RecoveryDetails(RecoveryKind.CLAWBACK, 0, today(), "Why"),
        "no reason": RecoveryDetails(RecoveryKind.CLAWBACK, 1_00, today(), " "),
        "in the future": RecoveryDetails(RecoveryKind.CLAWBACK, 1_00,
                                         today() + timedelta(days=1), "Why"),
    }[case]
    before, money = stored(), figures(accepted)
    with pytest.raises(RuleBroken) as refused:
        payments.record_recovery(officer_of(), accepted.award.id, details, utcnow())
    db.session.rollback()
    assert refused.value.field == field
    assert (stored(), figures(accepted)) == (before, money)


def test_nothing_can_be_recovered_before_anything_is_paid(accepted):
    with pytest.raises(RuleBroken, match="Nothing has been paid"):
        recover(accepted, 1_00)


# Pages ---------------------------------------------------------------------------------------


def test_an_officer_records_a_payment_through_the_form(client, officer, accepted, outbox):
    url = f"/awards/{accepted.award.id}/payments/new"
    page = soup(client.get(url))
    [choice] = page.select("input[name=instalment]")
    assert "£1,000.00 left to pay" in page.select_one(f"label[for={choice['id']}]").get_text()
    day = today()
    response = client.post(url, data={
        "instalment": choice["value"], "paid_on": [str(day.day), str(day.month), str(day.year)],
        "amount": "£250.50", "reference": "BACS-77"})
    assert response.status_code == 302
    page = soup(client.get(f"/awards/{accepted.award.id}"))
    schedule = page.select_one("#schedule").get_text(" ", strip=True)
    assert "Part paid" in schedule and "£749.50" in schedule
    assert "BACS-77" in page.select_one("#payments").get_text()
    assert "£250.50" in page.select_one("#payment-totals").get_text()
    assert outbox.to(accepted.admin.email)[-1]["Subject"].startswith("Payment of your grant")


def test_a_payment_above_what_is_committed_is_shown_beside_the_amount_and_kept(
        client, officer, accepted):
    url = f"/awards/{accepted.award.id}/payments/new"
    choice = soup(client.get(url)).select_one("input[name=instalment]")["value"]
    day = today()
    before = stored()
    response = client.post(url, data={
        "instalment": choice, "paid_on": [str(day.day), str(day.month), str(day.year)],
        "amount": "1,000.01", "reference": "BACS-77"})
    assert response.status_code == 200
    assert "more than is committed" in error_messages(response)["amount"]
    page = soup(response)
    assert page.select_one("#amount")["value"] == "1,000.01"
    assert page.select_one("#reference")["value"] == "BACS-77"
    assert stored() == before


def test_an_officer_records_a_recovery_and_the_page_gives_the_net_grant(client, officer,
                                                                         accepted):
    pay(accepted, 500_00)
    url = f"/awards/{accepted.award.id}/recoveries/new"
    day = today()
    empty = client.post(url, data={})
    assert set(error_messages(empty)) >= {"kind", "amount", "reason"}
    response = client.post(url, data={
        "kind": "clawback", "amount": "120", "received_on": [str(day.day), str(day.month),
                                                             str(day.year)],
        "reason": "Equipment not bought"})
    assert response.status_code == 302
    page = soup(client.get(f"/awards/{accepted.award.id}"))
    assert "Equipment not bought" in page.select_one("#recoveries").get_text()
    assert "£880.00" in page.select_one("#net-grant").get_text()
    assert "£1,000.00" in page.select_one("#award").get_text()


def test_a_recovery_above_what_was_paid_is_shown_beside_the_amount(client, officer, accepted):
    pay(accepted, 100_00)
    day = today()
    before = stored()
    response = client.post(f"/awards/{accepted.award.id}/recoveries/new", data={
        "kind": "repayment", "amount": "100.01", "received_on": [str(day.day), str(day.month),
                                                                 str(day.year)],
        "reason": "Underspend"})
    assert response.status_code == 200
    assert "cannot be more than the £100.00 paid" in error_messages(response)["amount"]
    assert stored() == before


def test_the_payment_page_says_why_an_offer_cannot_be_paid(client, officer, round_):
    made = make(round_)
    page = soup(client.get(f"/awards/{made.award.id}/payments/new"))
    assert "accepted the offer" in page.select_one("#why-not").get_text()
    assert page.select_one("main form[method=post]") is None


def test_the_organisation_sees_its_schedule_and_payments(client, accepted):
    pay(accepted, 300_00, "BACS-9")
    sign_in_as(client, accepted.member)
    page = soup(client.get(f"/awards/offers/{accepted.award.id}"))
    assert "Part paid" in page.select_one("#schedule").get_text()
    assert "BACS-9" in page.select_one("#payments").get_text()


def test_the_award_page_takes_the_same_queries_however_many_payments(client, officer,
                                                                       round_):
    small, large = make(round_, allocations=2), make(round_, allocations=2)
    for made in (small, large):
        accept(made)
    pay(small, 100_00)
    recover(small, 10_00)
    for number in range(4):
        pay(large, 100_00, f"BACS-{number}")
    for _ in range(3):
        recover(large, 10_00)
    found = []
    for made in (small, large):
        with count_queries() as statements:
            assert client.get(f"/awards/{made.award.id}").status_code == 200
        found.append(len(statements))
    assert found[0] == found[1]


@pytest.mark.parametrize("who", ["applicant", "organisation admin", "assessor",
                                 "commissioner", "admin"])
def test_only_grants_officers_reach_the_payment_pages(client, accepted, who):
    people = {
        "applicant": lambda: UserFactory(roles=(Role.APPLICANT,)),
        "organisation admin": lambda: accepted.admin,
        "assessor": lambda: UserFactory(roles=(Role.ASSESSOR,)),
        "commissioner": lambda: UserFactory(roles=(Role.COMMISSIONER,)),
        "admin": lambda: UserFactory(roles=(Role.ADMIN,)),
    }
    sign_in_as(client, people[who]())
    before = stored()
    for action in ("payments/new", "recoveries/new"):
        url = f"/awards/{accepted.award.id}/{action}"
        assert client.get(url).status_code == 403
        assert client.post(url, data={"amount": "1", "reason": "x"}).status_code == 403
    assert stored() == before


def test_an_unknown_award_is_not_found(client, officer, accepted):
    for action in ("payments/new", "recoveries/new"):
        assert client.get(f"/awards/{accepted.award.id + 1000}/{action}").status_code == 404


def test_a_member_of_another_organisation_sees_nothing_of_the_payments(client, accepted):
    sign_in_as(client, MembershipFactory(role=OrganisationRole.ADMIN).user)
    assert client.get(f"/awards/offers/{accepted.award.id}").status_code == 403
    assert db.session.get(Award, accepted.award.id).status is AwardStatus.ACCEPTED
