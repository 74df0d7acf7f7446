"""Each pot stores the sums of its ledger entries, written by the ledger in the transaction that
adds them: `ledger.check` and `flask funding check` prove the stored figures agree with the
entries, and say which pot does not when one has been changed behind the ledger's back."""

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from models import FundingPot
from models.base import db
from models.enums import LedgerKind, Role
from portal.funding import ledger
from portal.funding.ledger import Balance, LedgerRefused, Posting
from tests.factories import FundingPotFactory, UserFactory
from tests.querycount import count_queries


@pytest.fixture
def officer(ctx):
    return UserFactory(roles=(Role.GRANTS_OFFICER,))


def funded(officer, budget: int, committed: int = 0, paid: int = 0) -> FundingPot:
    pot = FundingPotFactory()
    postings = [Posting(pot.id, LedgerKind.BUDGET, budget)]
    postings += [Posting(pot.id, LedgerKind.COMMITMENT, committed)] if committed else []
    postings += [Posting(pot.id, LedgerKind.PAYMENT, paid)] if paid else []
    ledger.post(officer, postings, "Opening")
    db.session.commit()
    return pot


def stored(pot_id: int) -> Balance:
    db.session.expire_all()
    return ledger.balance_of(db.session.get(FundingPot, pot_id))


def corrupt(pot_id: int, **figures: int) -> None:
    """Change a pot's stored figures behind the ledger's back, as a stray UPDATE would."""
    db.session.execute(update(FundingPot).where(FundingPot.id == pot_id).values(**figures))
    db.session.commit()


def test_post_writes_the_pots_figures_in_its_own_transaction(officer):
    pot = funded(officer, 10_000_00, committed=4_000_00, paid=1_000_00)
    assert stored(pot.id) == Balance(10_000_00, 4_000_00, 1_000_00)
    ledger.post(officer, [Posting(pot.id, LedgerKind.RELEASE, 500_00)], "Unspent")
    db.session.rollback()
    assert stored(pot.id) == Balance(10_000_00, 4_000_00, 1_000_00)
    assert ledger.check().mismatches == []


def test_a_refused_post_leaves_the_figures_alone(officer):
    pot = funded(officer, 1_000_00)
    with pytest.raises(LedgerRefused):
        ledger.post(officer, [Posting(pot.id, LedgerKind.COMMITMENT, 1_000_01)], "Too much")
    db.session.rollback()
    assert stored(pot.id) == Balance(1_000_00, 0, 0)


def test_balances_read_the_pots_rows_not_the_entries(officer):
    """Stored figures are what pages read: a corrupted row shows, which is why the check
    exists."""
    pot_id = funded(officer, 1_000_00).id
    corrupt(pot_id, budget_pence=2_000_00)
    with count_queries() as statements:
        found = ledger.balances([pot_id])
    assert found == {pot_id: Balance(2_000_00, 0, 0)}
    assert len(statements) == 1 and "ledger_entries" not in statements[0]


def test_the_database_refuses_stored_figures_that_break_the_rules(officer):
    pot = funded(officer, 1_000_00, committed=500_00, paid=100_00)
    for figures in ({"committed_pence": 1_000_01}, {"paid_pence": 500_01},
                    {"paid_pence": -1, "committed_pence": 0, "budget_pence": 0}):
        with pytest.raises(IntegrityError):
            corrupt(pot.id, **figures)
        db.session.rollback()


def test_store_sums_sets_the_figures_of_entries_added_around_post(officer):
    pot = funded(officer, 1_000_00, committed=300_00)
    corrupt(pot.id, budget_pence=0, committed_pence=0, paid_pence=0)
    ledger.store_sums()
    db.session.commit()
    assert stored(pot.id) == Balance(1_000_00, 300_00, 0)
    assert ledger.check().mismatches == []


def test_the_check_command_passes_when_every_pot_agrees(ctx, officer):
    funded(officer, 1_000_00, committed=300_00, paid=100_00)
    funded(officer, 2_000_00)
    FundingPotFactory()  # no entries: zero stored, zero summed

    result = ctx.test_cli_runner().invoke(args=["funding", "check"])

    assert result.exit_code == 0, result.output
    assert result.output == "All 3 pots agree with their ledger entries.\n"


def test_the_check_command_lists_each_pot_that_disagrees_and_fails(ctx, officer):
    agrees = funded(officer, 1_000_00)
    wrong = funded(officer, 2_000_00, committed=500_00, paid=200_00)
    corrupt(wrong.id, committed_pence=600_00)

    result = ctx.test_cli_runner().invoke(args=["funding", "check"])

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"Pot {wrong.id}, {wrong.name} (2024/25): stored budget £2,000.00, committed £600.00, "
        "paid £200.00; its entries sum to budget £2,000.00, committed £500.00, paid £200.00"]
    assert f"Pot {agrees.id}," not in result.output
    assert "1 of 2 pots disagree with their ledger entries." in result.stderr
