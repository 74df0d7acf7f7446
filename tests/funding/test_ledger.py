"""The ledger service: what each kind of entry does to a pot's figures, and that every refusal
names the pot and adds nothing."""

import pytest
from sqlalchemy import func, select, update

from models import AuditEvent, FundingPot, LedgerEntry
from models.base import db
from models.enums import LedgerKind, PotStatus, Role
from portal.funding.ledger import Balance, LedgerRefused, Posting, balances, post, transfer
from tests.factories import FundingPotFactory, UserFactory
from tests.querycount import count_queries

BUDGET, TRANSFER = LedgerKind.BUDGET, LedgerKind.TRANSFER
COMMITMENT, RELEASE = LedgerKind.COMMITMENT, LedgerKind.RELEASE
PAYMENT, CLAWBACK = LedgerKind.PAYMENT, LedgerKind.CLAWBACK


@pytest.fixture
def officer(ctx):
    return UserFactory(roles=(Role.GRANTS_OFFICER,))


def posted(officer, *postings: Posting, reason: str = "Cabinet report 2024") -> None:
    post(officer, list(postings), reason)
    db.session.commit()


def funded_pot(officer, budget: int = 10_000_00, committed: int = 0, paid: int = 0, **kwargs):
    pot = FundingPotFactory(**kwargs)
    postings = [Posting(pot.id, BUDGET, budget)]
    if committed:
        postings.append(Posting(pot.id, COMMITMENT, committed))
    if paid:
        postings.append(Posting(pot.id, PAYMENT, paid))
    posted(officer, *postings)
    return pot


def close(pot: FundingPot) -> None:
    """Close the pot behind the session's back, as another officer would."""
    db.session.execute(update(FundingPot).where(FundingPot.id == pot.id)
                       .values(status=PotStatus.CLOSED))
    db.session.commit()


def counts() -> tuple[int, int]:
    """Ledger entries and ledger audit events, to show a refusal added neither."""
    return (db.session.scalar(select(func.count(LedgerEntry.id))),
            db.session.scalar(select(func.count(AuditEvent.id))
                              .where(AuditEvent.action == "ledger.posted")))


def refused(officer, postings: list[Posting], reason: str = "Because") -> LedgerRefused:
    before = counts()
    with pytest.raises(LedgerRefused) as raised:
        post(officer, postings, reason)
    db.session.rollback()
    assert counts() == before
    return raised.value


def test_a_pot_without_entries_has_nothing(officer):
    pot = FundingPotFactory()
    assert balances([pot.id]) == {pot.id: Balance(0, 0, 0)}
    assert balances([pot.id])[pot.id].available_pence == 0


@pytest.mark.parametrize(("posting", "expected"), [
    ((BUDGET, 500_00), Balance(10_500_00, 3_000_00, 1_000_00)),
    ((BUDGET, -500_00), Balance(9_500_00, 3_000_00, 1_000_00)),
    ((TRANSFER, 500_00), Balance(10_500_00, 3_000_00, 1_000_00)),
    ((TRANSFER, -500_00), Balance(9_500_00, 3_000_00, 1_000_00)),
    ((COMMITMENT, 500_00), Balance(10_000_00, 3_500_00, 1_000_00)),
    ((RELEASE, 500_00), Balance(10_000_00, 2_500_00, 1_000_00)),
    ((PAYMENT, 500_00), Balance(10_000_00, 3_000_00, 1_500_00)),
    ((CLAWBACK, 500_00), Balance(10_000_00, 3_000_00, 500_00)),
])
def test_each_kind_moves_its_figure(officer, posting, expected):
    pot = funded_pot(officer, committed=3_000_00, paid=1_000_00)
    assert balances([pot.id])[pot.id] == Balance(10_000_00, 3_000_00, 1_000_00)
    posted(officer, Posting(pot.id, *posting))
    figures = balances([pot.id])[pot.id]
    assert figures == expected
    assert figures.available_pence == expected.budget_pence - expected.committed_pence


def test_entries_are_written_with_reason_actor_and_one_batch(officer):
    pot = funded_pot(officer)
    entries = post(officer, [Posting(pot.id, COMMITMENT, 2_000_00),
                             Posting(pot.id, PAYMENT, 1_000_00)], "  Award CPG-2425-0001  ")
    db.session.commit()
    assert [(e.kind, e.amount_pence, e.reason, e.actor_id) for e in entries] == [
        (COMMITMENT, 2_000_00, "Award CPG-2425-0001", officer.id),
        (PAYMENT, 1_000_00, "Award CPG-2425-0001", officer.id)]
    assert entries[0].batch == entries[1].batch


def test_the_audit_event_records_the_whole_posting(officer):
    pot = funded_pot(officer)
    entries = post(officer, [Posting(pot.id, COMMITMENT, 2_000_00)], "Award CPG-2425-0001")
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "ledger.posted")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.actor_id == officer.id
    assert (event.object_type, event.object_id) == ("LedgerEntry", entries[0].id)
    assert event.details == {
        "batch": str(entries[0].batch), "reason": "Award CPG-2425-0001", "award_id": None,
        "contract_id": None,
        "entries": [{"pot_id": pot.id, "kind": "commitment", "amount_pence": 2_000_00}]}


def test_nothing_is_saved_until_the_caller_commits(officer):
    pot = funded_pot(officer)
    before = counts()
    post(officer, [Posting(pot.id, COMMITMENT, 1_000_00)], "Award")
    db.session.rollback()
    assert counts() == before
    assert balances([pot.id])[pot.id] == Balance(10_000_00, 0, 0)


@pytest.mark.parametrize(("setup", "posting", "message"), [
    ({}, (COMMITMENT, 10_000_01),
     "has £10,000.00 available, which is not enough: it would be £0.01 overspent"),
    ({"committed": 2_000_00}, (RELEASE, 2_000_01),
     "cannot release more than the £2,000.00 committed from it"),
    ({"committed": 2_000_00, "paid": 1_500_00}, (RELEASE, 600_00),
     "cannot release so much: £1,500.00 of what is committed from it has been paid"),
    ({"committed": 2_000_00, "paid": 1_500_00}, (PAYMENT, 500_01),
     "cannot pay more than is committed from it: £2,000.00 committed, £1,500.00 already paid"),
    ({"committed": 2_000_00, "paid": 1_500_00}, (CLAWBACK, 1_500_01),
     "cannot claw back more than the £1,500.00 paid"),
    ({}, (BUDGET, -10_000_01),
     "cannot have a budget below £0.00: its budget is £10,000.00"),
    ({}, (TRANSFER, -10_000_01),
     "cannot have a budget below £0.00: its budget is £10,000.00"),
    ({"committed": 6_000_00}, (BUDGET, -4_000_01),
     "cannot have a budget below the £6,000.00 committed from it"),
    ({}, (COMMITMENT, 0), "A commitment for {pot} must be more than £0.00"),
    ({}, (BUDGET, 0), "A budget change for {pot} cannot be £0.00"),
    ({}, (TRANSFER, 0), "A transfer for {pot} cannot be £0.00"),
    ({"committed": 2_000_00}, (RELEASE, -1), "A release for {pot} must be more than £0.00"),
    ({"committed": 2_000_00}, (PAYMENT, -1), "A payment for {pot} must be more than £0.00"),
    ({}, (COMMITMENT, -1), "A commitment for {pot} must be more than £0.00"),
    ({"paid": 0}, (CLAWBACK, -1), "A clawback for {pot} must be more than £0.00"),
])
def test_a_refusal_names_the_pot_and_adds_nothing(officer, setup, posting, message):
    pot = funded_pot(officer, name="Better Health Fund", **setup)
    before = balances([pot.id])
    error = refused(officer, [Posting(pot.id, *posting)])
    name = "Better Health Fund (2024/25)"
    expected = message.format(pot=name) if "{pot}" in message else f"{name} {message}"
    assert error.message == expected
    assert error.field == "amount"
    assert balances([pot.id]) == before


def test_a_reason_is_required(officer):
    pot = funded_pot(officer)
    for reason in ("", "   \n"):
        error = refused(officer, [Posting(pot.id, COMMITMENT, 1_00)], reason=reason)
        assert (error.message, error.field) == ("Enter the reason for this change", "reason")


def test_an_empty_posting_is_refused(officer):
    assert refused(officer, []).message == "There is nothing to record"


def test_an_unknown_pot_is_refused(officer):
    pot = funded_pot(officer)
    error = refused(officer, [Posting(pot.id, COMMITMENT, 1_00),
                              Posting(pot.id + 1000, COMMITMENT, 1_00)])
    assert (error.message, error.field) == (f"There is no funding pot {pot.id + 1000}", "pot")


def test_a_closed_pot_takes_no_new_commitment_but_still_releases_and_pays(officer):
    pot = funded_pot(officer, committed=3_000_00, name="Old Fund")
    close(pot)
    error = refused(officer, [Posting(pot.id, COMMITMENT, 1_00)])
    assert error.message == "Old Fund (2024/25) is closed: nothing more can be committed from it"
    posted(officer, Posting(pot.id, PAYMENT, 1_000_00), Posting(pot.id, RELEASE, 500_00),
           Posting(pot.id, BUDGET, -1_000_00))
    assert balances([pot.id])[pot.id] == Balance(9_000_00, 2_500_00, 1_000_00)


def test_a_closed_pot_is_read_afresh_when_posting(officer):
    """Closing a pot in another session is seen even though this session holds the pot."""
    pot = funded_pot(officer)
    close(pot)
    refused(officer, [Posting(pot.id, COMMITMENT, 1_00)])


def test_a_posting_over_several_pots_is_all_or_nothing(officer):
    healthy = funded_pot(officer, name="Healthy", budget=5_000_00)
    short = funded_pot(officer, name="Short", budget=1_000_00)
    before = balances([healthy.id, short.id])
    error = refused(officer, [Posting(healthy.id, COMMITMENT, 3_000_00),
                              Posting(short.id, COMMITMENT, 3_000_00)])
    assert error.message.startswith("Short (2024/25) has £1,000.00 available")
    assert balances([healthy.id, short.id]) == before
    posted(officer, Posting(healthy.id, COMMITMENT, 3_000_00),
           Posting(short.id, COMMITMENT, 1_000_00))
    assert balances([healthy.id, short.id]) == {
        healthy.id: Balance(5_000_00, 3_000_00, 0), short.id: Balance(1_000_00, 1_000_00, 0)}


def test_entries_for_one_pot_are_judged_together(officer):
    """A variation: releasing £2,000 and committing £3,000 in one posting needs only the
    £1,000 difference to be available."""
    pot = funded_pot(officer, budget=5_000_00, committed=4_000_00)
    posted(officer, Posting(pot.id, RELEASE, 2_000_00), Posting(pot.id, COMMITMENT, 3_000_00))
    assert balances([pot.id])[pot.id] == Balance(5_000_00, 5_000_00, 0)
    refused(officer, [Posting(pot.id, RELEASE, 1_000_00), Posting(pot.id, COMMITMENT, 1_000_01)])


def test_transfer_moves_budget_in_one_batch(officer):
    core = funded_pot(officer, name="Core")
    external = funded_pot(officer, name="External", budget=1_000_00)
    entries = transfer(officer, core.id, external.id, 2_500_00, "Rebalancing at Q2")
    db.session.commit()
    assert [(e.pot_id, e.kind, e.amount_pence) for e in entries] == [
        (core.id, TRANSFER, -2_500_00), (external.id, TRANSFER, 2_500_00)]
    assert entries[0].batch == entries[1].batch
    assert balances([core.id, external.id]) == {
        core.id: Balance(7_500_00, 0, 0), external.id: Balance(3_500_00, 0, 0)}


def test_transfer_cannot_take_committed_money(officer):
    core = funded_pot(officer, name="Core", committed=8_000_00)
    external = funded_pot(officer, name="External")
    before = counts()
    with pytest.raises(LedgerRefused) as raised:
        transfer(officer, core.id, external.id, 2_000_01, "Rebalancing")
    db.session.rollback()
    assert raised.value.message == \
        "Core (2024/25) cannot have a budget below the £8,000.00 committed from it"
    assert counts() == before


@pytest.mark.parametrize(("to_self", "amount", "message", "field"), [
    (True, 1_00, "Choose a different pot to transfer to", "to_pot"),
    (False, 0, "The amount to transfer must be more than £0.00", "amount"),
    (False, -1_00, "The amount to transfer must be more than £0.00", "amount"),
])
def test_transfer_refuses_nonsense(officer, to_self, amount, message, field):
    core = funded_pot(officer, name="Core")
    external = funded_pot(officer, name="External")
    before = counts()
    with pytest.raises(LedgerRefused) as raised:
        transfer(officer, core.id, core.id if to_self else external.id, amount, "Because")
    assert (raised.value.message, raised.value.field) == (message, field)
    assert counts() == before


def test_balances_is_one_query_however_many_pots(officer):
    ids = [funded_pot(officer, committed=1_00 * n, paid=n).id for n in range(1, 31)]
    with count_queries() as few:
        some = balances(ids[:3])
    with count_queries() as many:
        every = balances(ids)
    with count_queries() as all_pots:
        unfiltered = balances()
    assert len(few) == len(many) == len(all_pots) == 1
    assert some[ids[2]] == Balance(10_000_00, 3_00, 3)
    assert every[ids[29]] == unfiltered[ids[29]] == Balance(10_000_00, 30_00, 30)
    assert set(unfiltered) == set(ids)


def test_balances_equal_the_sums_of_the_entries(officer):
    pot = funded_pot(officer, committed=4_000_00, paid=1_000_00)
    posted(officer, Posting(pot.id, RELEASE, 500_00), Posting(pot.id, CLAWBACK, 250_00),
           Posting(pot.id, BUDGET, -1_000_00))
    rows = db.session.execute(select(LedgerEntry.kind, LedgerEntry.amount_pence)
                              .where(LedgerEntry.pot_id == pot.id)).all()
    sums = {kind: sum(amount for k, amount in rows if k is kind) for kind in LedgerKind}
    assert balances([pot.id])[pot.id] == Balance(
        sums[BUDGET] + sums[TRANSFER], sums[COMMITMENT] - sums[RELEASE],
        sums[PAYMENT] - sums[CLAWBACK])
