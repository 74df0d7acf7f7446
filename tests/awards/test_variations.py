"""Varying awards: increases that need available funds, decreases releasing money, moving
money between pots, new schedules, each a version with its reason; every bad variation refused
beside its field with nothing changed; the organisation told; who may do it."""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import Allocation, AuditEvent, Award, AwardVersion, LedgerEntry, User
from models.base import db, utcnow
from models.enums import AwardChange, AwardStatus, LedgerKind, Role
from portal.awards import payments, services, variations
from portal.awards.terms import ScheduledPayment, Terms, terms_of
from portal.exceptions import NotAllowed, RuleBroken
from portal.funding import ledger
from portal.funding.payments import PaymentDetails
from tests.awards.conftest import Offered, make, pot, today
from tests.conftest import sign_in_as
from tests.factories import SchemeFactory, UserFactory
from tests.html import error_messages, form_data, soup


def officer_of() -> User:
    return UserFactory(roles=(Role.GRANTS_OFFICER,))


@pytest.fixture
def offered(round_) -> Offered:
    """A £1,000 offer from one pot with a £5,000 budget."""
    return make(round_)


def accept(made: Offered) -> None:
    services.accept(made.admin, made.award.id, services.Acceptance(
        "Priya Shah", "Chair", True, "203.0.113.7"), utcnow())


def schedule(*amounts: int) -> tuple[ScheduledPayment, ...]:
    return tuple(ScheduledPayment(today() + timedelta(days=30 * n), pence)
                 for n, pence in enumerate(amounts))


def with_schedule(made: Offered, *amounts: int) -> Terms:
    return replace(terms_of(made.award), instalments=schedule(*amounts))


def vary(made: Offered, amount: int, allocations: dict[int, int], terms: Terms | None = None,
         reason: str = "More people came") -> Award:
    return variations.vary(officer_of(), made.award.id, variations.Variation(
        amount, allocations, terms or with_schedule(made, amount), reason), utcnow())


def committed(pot_id: int) -> int:
    return ledger.balances([pot_id])[pot_id].committed_pence


def available(pot_id: int) -> int:
    return ledger.balances([pot_id])[pot_id].available_pence


def stored() -> tuple[int, ...]:
    """What a refused variation must leave alone."""
    counts = tuple(db.session.scalar(select(func.count()).select_from(model))
                   for model in (LedgerEntry, AwardVersion, AuditEvent, Allocation))
    amounts = tuple(db.session.scalars(select(Award.amount_pence).order_by(Award.id)))
    return counts + amounts


# Varying the money ---------------------------------------------------------------------------


def test_an_increase_commits_more_from_the_pot_and_keeps_a_version(offered, outbox):
    award = vary(offered, 1_500_00, {offered.pot.id: 1_500_00})
    assert committed(offered.pot.id) == 1_500_00
    assert award.amount_pence == 1_500_00 and award.version == 2
    assert [(a.pot_id, a.amount_pence) for a in award.allocations] == [(offered.pot.id,
                                                                        1_500_00)]
    assert [i.amount_pence for i in award.instalments] == [1_500_00]
    [entry] = db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.award_id == award.id, LedgerEntry.reason.contains("varied")))
    assert (entry.kind, entry.amount_pence) == (LedgerKind.COMMITMENT, 500_00)
    version = db.session.scalar(select(AwardVersion).where(AwardVersion.number == 2))
    assert version.change is AwardChange.VARIATION and version.reason == "More people came"
    assert version.terms["amount_pence"] == 1_500_00
    assert "£1,500.00" in award.subsidy_statement
    told = [m for m in outbox.messages() if "has been varied" in m["Subject"]]
    assert sorted(m["To"] for m in told) == sorted([offered.admin.email, offered.member.email])
    text = told[0].get_body(("plain",)).get_content()
    assert "£1,500.00" in text and "variation letter" in text and "More people came" in text


def test_a_decrease_releases_money_back_to_the_pot(offered):
    before = available(offered.pot.id)
    vary(offered, 600_00, {offered.pot.id: 600_00}, reason="Smaller project")
    assert committed(offered.pot.id) == 600_00
    assert available(offered.pot.id) == before + 400_00
    [entry] = db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.kind == LedgerKind.RELEASE))
    assert entry.amount_pence == 400_00 and "Smaller project" in entry.reason


def test_money_moves_between_pots_in_one_posting(offered):
    other = pot(2_000_00)
    vary(offered, 1_000_00, {offered.pot.id: 300_00, other.id: 700_00},
         terms=terms_of(offered.award), reason="The partner pays more")
    assert (committed(offered.pot.id), committed(other.id)) == (300_00, 700_00)
    batches = set(db.session.scalars(select(LedgerEntry.batch).where(
        LedgerEntry.reason.contains("varied"))))
    assert len(batches) == 1
    award = db.session.get(Award, offered.award.id)
    assert {a.pot_id: a.amount_pence for a in award.allocations} == {
        offered.pot.id: 300_00, other.id: 700_00}


def test_a_pot_can_be_dropped_from_the_split(round_):
    made = make(round_, allocations=2)
    first, second = sorted(a.pot_id for a in made.award.allocations)
    vary(made, 1_000_00, {first: 1_000_00}, terms=terms_of(made.award), reason="One pot")
    assert (committed(first), committed(second)) == (1_000_00, 0)
    assert [a.pot_id for a in db.session.get(Award, made.award.id).allocations] == [first]


def test_only_the_dates_can_change(offered):
    terms = terms_of(offered.award)
    later = replace(terms, end_date=terms.end_date + timedelta(days=60))
    before = ledger.balances([offered.pot.id])
    award = vary(offered, 1_000_00, {offered.pot.id: 1_000_00}, terms=later,
                 reason="Extended")
    assert award.end_date == later.end_date and award.version == 2
    assert ledger.balances([offered.pot.id]) == before


# Refusals ------------------------------------------------------------------------------------


def test_a_pot_that_cannot_cover_an_increase_is_refused_and_nothing_changes(offered):
    before = stored()
    with pytest.raises(RuleBroken) as refused:
        vary(offered, 5_000_01 + 1_000_00, {offered.pot.id: 6_000_01})
    db.session.rollback()
    assert refused.value.field == "allocations" and "not enough" in refused.value.message
    assert stored() == before


@pytest.mark.parametrize("case, field, words", [
    ("allocations that don't add up", "allocations", "must add up to the award of £1,200.00"),
    ("a restricted pot outside its restriction", "allocations", "only for the pots listed"),
    ("no reason", "reason", "Enter the reason"),
    ("nothing changed", "amount", "Change at least one thing"),
    ("payments that don't add up", "instalments", "must add up to the award"),
])
def test_bad_variations_are_refused_and_change_nothing(offered, case, field, words):
    restricted = pot(5_000_00, schemes=[SchemeFactory()])
    own = offered.pot.id
    variation = {
        "allocations that don't add up": (1_200_00, {own: 1_100_00}, 1_200_00, "Why"),
        "a restricted pot outside its restriction": (1_200_00, {own: 1_000_00,
                                                                restricted.id: 200_00},
                                                     1_200_00, "Why"),
        "no reason": (1_200_00, {own: 1_200_00}, 1_200_00, "  "),
        "nothing changed": (1_000_00, {own: 1_000_00}, None, "Why"),
        "payments that don't add up": (1_200_00, {own: 1_200_00}, 1_000_00, "Why"),
    }[case]
    amount, allocations, scheduled, reason = variation
    terms = terms_of(offered.award) if scheduled is None else with_schedule(offered, scheduled)
    before = stored()
    with pytest.raises(RuleBroken) as refused:
        vary(offered, amount, allocations, terms=terms, reason=reason)
    db.session.rollback()
    assert refused.value.field == field and words in refused.value.message
    assert stored() == before


def test_an_increase_above_the_subsidy_limit_is_refused(ctx, offered):
    ctx.config["SUBSIDY_THRESHOLD_PENCE"] = 1_200_00
    try:
        before = stored()
        with pytest.raises(RuleBroken, match="Minimal Financial Assistance") as refused:
            vary(offered, 1_300_00, {offered.pot.id: 1_300_00})
        db.session.rollback()
        assert refused.value.field == "amount"
        assert stored() == before
        # A decrease is always allowed, and the statement follows the new amount.
        award = vary(offered, 900_00, {offered.pot.id: 900_00})
        assert "£900.00" in award.subsidy_statement
    finally:
        ctx.config["SUBSIDY_THRESHOLD_PENCE"] = 315_000_00


def test_what_has_been_paid_stays_paid(offered):
    accept(offered)
    award = vary(offered, 1_000_00, {offered.pot.id: 1_000_00},
                 terms=with_schedule(offered, 400_00, 600_00), reason="Two payments")
    payments.record_payment(officer_of(), award.id, PaymentDetails(
        award.instalments[0].id, today(), 400_00, "BACS-1"), utcnow())
    other = pot(2_000_00)
    before = stored()
    cases = [
        # below what has been paid
        (300_00, {offered.pot.id: 300_00}, with_schedule(offered, 300_00), "amount"),
        # the pot that paid £400 giving less than that
        (1_000_00, {offered.pot.id: 399_99, other.id: 600_01},
         with_schedule(offered, 400_00, 600_00), "allocations"),
        # the paid payment cut below what was paid of it
        (1_000_00, {offered.pot.id: 1_000_00}, with_schedule(offered, 300_00, 700_00),
         "instalments"),
        # the paid payment moved to another date
        (1_000_00, {offered.pot.id: 1_000_00}, replace(terms_of(award), instalments=(
            ScheduledPayment(today() + timedelta(days=1), 400_00),
            ScheduledPayment(today() + timedelta(days=30), 600_00))), "instalments"),
    ]
    for amount, allocations, terms, field in cases:
        with pytest.raises(RuleBroken) as refused:
            vary(offered, amount, allocations, terms=terms)
        db.session.rollback()
        assert refused.value.field == field
        assert stored() == before
    # Keeping the paid payment, the rest may change; the payment still points at its row.
    award = vary(offered, 700_00, {offered.pot.id: 700_00},
                 terms=with_schedule(offered, 400_00, 300_00))
    assert [i.amount_pence for i in award.instalments] == [400_00, 300_00]
    view = payments.payments_view(officer_of(), award)
    assert [row.status for row in view.schedule] == ["Paid", "Not paid"]


def test_after_a_recovery_the_ledger_still_matches_the_award(offered):
    accept(offered)
    officer = officer_of()
    due_on = offered.award.instalments[0].due_on
    payments.record_payment(officer, offered.award.id, PaymentDetails(
        offered.award.instalments[0].id, today(), 600_00, "BACS-1"), utcnow())
    payments.record_recovery(officer, offered.award.id, payments.RecoveryDetails(
        payments.RecoveryKind.CLAWBACK, 100_00, today(), "Not spent"), utcnow())
    assert committed(offered.pot.id) == 900_00
    only = replace(terms_of(offered.award), instalments=(ScheduledPayment(due_on, 500_00),))
    # £600 was paid before the recovery: the award cannot go below that.
    with pytest.raises(RuleBroken, match=r"£600\.00 already paid"):
        vary(offered, 500_00, {offered.pot.id: 500_00}, terms=only)
    db.session.rollback()
    # The part-paid payment may be cut to what was paid of it: the award is then paid in full.
    award = vary(offered, 600_00, {offered.pot.id: 600_00},
                 terms=replace(only, instalments=(ScheduledPayment(due_on, 600_00),)))
    assert committed(offered.pot.id) == 500_00  # £600 less the £100 recovered
    view = payments.payments_view(officer, award)
    assert (view.net_grant_pence, view.left_to_pay_pence) == (500_00, 0)
    assert [row.status for row in view.schedule] == ["Paid"]


def test_a_withdrawn_award_cannot_be_varied(offered):
    services.withdraw(officer_of(), offered.award.id, "Project cancelled", utcnow())
    with pytest.raises(RuleBroken, match="offered or accepted"):
        vary(offered, 900_00, {offered.pot.id: 900_00})


def test_only_grants_officers_vary(offered):
    for person in (UserFactory(roles=(Role.ADMIN,)), offered.admin):
        with pytest.raises(NotAllowed):
            variations.vary(person, offered.award.id, variations.Variation(
                900_00, {offered.pot.id: 900_00}, with_schedule(offered, 900_00), "Why"),
                utcnow())


# Pages ---------------------------------------------------------------------------------------


def test_the_variation_form_starts_with_the_current_terms(client, officer, offered):
    response = client.get(f"/awards/{offered.award.id}/vary")
    data = form_data(response)
    assert data["amount"] == "1,000"
    assert data[f"pot_{offered.pot.id}"] == "1,000"
    assert data["payment_1_amount"] == "1,000"
    assert data["return_1_title"] == "End of grant report"


def test_an_officer_varies_the_award_through_the_form(client, officer, offered):
    url = f"/awards/{offered.award.id}/vary"
    data = form_data(client.get(url))
    response = client.post(url, data={**data, "amount": "1,250", f"pot_{offered.pot.id}":
                                      "1,250", "payment_1_amount": "1,250",
                                      "reason": "Room hire went up"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Award, offered.award.id).amount_pence == 1_250_00
    page = soup(client.get(f"/awards/{offered.award.id}/versions"))
    second = page.select_one("#version-2").get_text(" ", strip=True)
    assert "Room hire went up" in second and "£1,250.00" in second
    assert officer.full_name in second
    assert "£1,000.00" in page.select_one("#version-1").get_text()


def test_a_pot_that_cannot_cover_the_increase_is_shown_beside_its_box(client, officer,
                                                                      offered):
    url = f"/awards/{offered.award.id}/vary"
    data = form_data(client.get(url))
    before = stored()
    response = client.post(url, data={**data, "amount": "6,000.01", f"pot_{offered.pot.id}":
                                      "6,000.01", "payment_1_amount": "6,000.01",
                                      "reason": "Much bigger"})
    assert response.status_code == 200
    assert "not enough" in error_messages(response)[f"pot_{offered.pot.id}"]
    assert soup(response).select_one("#amount")["value"] == "6,000.01"
    assert stored() == before


def test_a_restricted_pot_sent_anyway_is_refused_beside_the_pots(client, officer, offered):
    restricted = pot(5_000_00, schemes=[SchemeFactory()])
    url = f"/awards/{offered.award.id}/vary"
    data = form_data(client.get(url))
    assert f"pot_{restricted.id}" not in data
    before = stored()
    response = client.post(url, data={**data, "amount": "1,200", f"pot_{restricted.id}": "200",
                                      "payment_1_amount": "1,200", "reason": "More"})
    assert response.status_code == 200
    assert "only for the pots listed" in error_messages(response)[f"pot_{offered.pot.id}"]
    assert stored() == before


def test_allocations_that_do_not_add_up_are_shown_and_kept(client, officer, offered):
    url = f"/awards/{offered.award.id}/vary"
    data = form_data(client.get(url))
    response = client.post(url, data={**data, "amount": "1,200", "payment_1_amount": "1,200",
                                      "reason": "More"})
    assert response.status_code == 200
    message = error_messages(response)[f"pot_{offered.pot.id}"]
    assert "add up to £1,000.00" in message and "£1,200.00" in message
    assert soup(response).select_one("#reason").get_text() == "More"


@pytest.mark.parametrize("who", ["applicant", "organisation admin", "assessor",
                                 "commissioner", "admin"])
def test_only_grants_officers_reach_the_variation_pages(client, offered, who):
    people = {
        "applicant": lambda: UserFactory(roles=(Role.APPLICANT,)),
        "organisation admin": lambda: offered.admin,
        "assessor": lambda: UserFactory(roles=(Role.ASSESSOR,)),
        "commissioner": lambda: UserFactory(roles=(Role.COMMISSIONER,)),
        "admin": lambda: UserFactory(roles=(Role.ADMIN,)),
    }
    sign_in_as(client, people[who]())
    before = stored()
    for url in (f"/awards/{offered.award.id}/vary", f"/awards/{offered.award.id}/versions"):
        assert client.get(url).status_code == 403
    assert client.post(f"/awards/{offered.award.id}/vary",
                       data={"amount": "1", "reason": "x"}).status_code == 403
    assert stored() == before


def test_an_unknown_award_is_not_found(client, officer, offered):
    for action in ("vary", "versions"):
        assert client.get(f"/awards/{offered.award.id + 1000}/{action}").status_code == 404


def test_a_withdrawn_award_says_why_it_cannot_be_varied(client, officer, offered):
    services.withdraw(officer_of(), offered.award.id, "Cancelled", utcnow())
    page = soup(client.get(f"/awards/{offered.award.id}/vary"))
    assert "offered or accepted" in page.select_one("#why-not").get_text()
    assert db.session.get(Award, offered.award.id).status is AwardStatus.WITHDRAWN
