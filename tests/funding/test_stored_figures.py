"""Each pot stores the sums of its ledger entries, and each scheme what its awards have spent
from each pot, written by the ledger in the transaction that adds the entries: `ledger_check`
and `flask funding check` prove the stored figures agree with the entries, and say which do
not when one has been changed behind the ledger's back."""

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from models import FundingPot, SchemePotSpend
from models.base import db
from models.enums import LedgerKind
from portal.funding import ledger, ledger_check
from portal.funding.ledger import Balance, LedgerRefused, Posting, Spend
from tests.factories import FundingPotFactory
from tests.funding.conftest import pot_with
from tests.funding.spending import world
from tests.querycount import count_queries


def stored(pot_id: int) -> Balance:
    db.session.expire_all()
    return ledger.balance_of(db.session.get(FundingPot, pot_id))


def corrupt(pot_id: int, **figures: int) -> None:
    """Change a pot's stored figures behind the ledger's back, as a stray UPDATE would."""
    db.session.execute(update(FundingPot).where(FundingPot.id == pot_id).values(**figures))
    db.session.commit()


def test_post_writes_the_pots_figures_in_its_own_transaction(officer):
    pot = pot_with(officer, 10_000_00, committed=4_000_00, paid=1_000_00)
    assert stored(pot.id) == Balance(10_000_00, 4_000_00, 1_000_00)
    ledger.post(officer, [Posting(pot.id, LedgerKind.RELEASE, 500_00)], "Unspent")
    db.session.rollback()
    assert stored(pot.id) == Balance(10_000_00, 4_000_00, 1_000_00)
    assert ledger_check.check().mismatches == []


def test_a_refused_post_leaves_the_figures_alone(officer):
    pot = pot_with(officer, 1_000_00)
    with pytest.raises(LedgerRefused):
        ledger.post(officer, [Posting(pot.id, LedgerKind.COMMITMENT, 1_000_01)], "Too much")
    db.session.rollback()
    assert stored(pot.id) == Balance(1_000_00, 0, 0)


def test_balances_read_the_pots_rows_not_the_entries(officer):
    """Stored figures are what pages read: a corrupted row shows, which is why the check
    exists."""
    pot_id = pot_with(officer, 1_000_00).id
    corrupt(pot_id, budget_pence=2_000_00)
    with count_queries() as statements:
        found = ledger.balances([pot_id])
    assert found == {pot_id: Balance(2_000_00, 0, 0)}
    assert len(statements) == 1 and "ledger_entries" not in statements[0]


def test_the_database_refuses_stored_figures_that_break_the_rules(officer):
    pot = pot_with(officer, 1_000_00, committed=500_00, paid=100_00)
    for figures in ({"committed_pence": 1_000_01}, {"paid_pence": 500_01},
                    {"paid_pence": -1, "committed_pence": 0, "budget_pence": 0}):
        with pytest.raises(IntegrityError):
            corrupt(pot.id, **figures)
        db.session.rollback()


def test_store_sums_sets_the_figures_of_entries_added_around_post(officer):
    pot = pot_with(officer, 1_000_00, committed=300_00)
    corrupt(pot.id, budget_pence=0, committed_pence=0, paid_pence=0)
    ledger_check.store_sums()
    db.session.commit()
    assert stored(pot.id) == Balance(1_000_00, 300_00, 0)
    assert ledger_check.check().mismatches == []


def test_the_check_command_passes_when_every_pot_agrees(ctx, officer):
    pot_with(officer, 1_000_00, committed=300_00, paid=100_00)
    pot_with(officer, 2_000_00)
    FundingPotFactory()  # no entries: zero stored, zero summed

    result = ctx.test_cli_runner().invoke(args=["funding", "check"])

    assert result.exit_code == 0, result.output
    assert result.output == ("All 3 pots agree with their ledger entries, and so do the 0 sums "
                             "of a scheme's awards from a pot.\n")


def test_the_check_command_lists_each_pot_that_disagrees_and_fails(ctx, officer):
    agrees = pot_with(officer, 1_000_00)
    wrong = pot_with(officer, 2_000_00, committed=500_00, paid=200_00)
    corrupt(wrong.id, committed_pence=600_00)

    result = ctx.test_cli_runner().invoke(args=["funding", "check"])

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"Pot {wrong.id}, {wrong.name} (2024/25): stored budget £2,000.00, committed £600.00, "
        "paid £200.00; its entries sum to budget £2,000.00, committed £500.00, paid £200.00"]
    assert f"Pot {agrees.id}," not in result.output
    assert result.stderr == \
        "1 stored figures disagree with the ledger entries (2 pots checked).\n"


def spends(scheme_id: int) -> dict[int, Spend]:
    db.session.expire_all()
    return {spend.pot_id: Spend(spend.committed_pence, spend.paid_pence)
            for spend in db.session.scalars(select(SchemePotSpend).where(
                SchemePotSpend.scheme_id == scheme_id))}


def test_posts_for_an_award_add_to_what_its_scheme_has_spent_from_each_pot(officer):
    made = world(officer)
    # Community Plus's first award: £1,000 core and £3,000 external, £500 and £1,500.50 paid;
    # its second, £2,000 external, withdrawn (released); its 2023/24 award paid in full.
    assert spends(made.plus.id) == {made.core.id: Spend(1_000_00, 500_00),
                                    made.external.id: Spend(3_000_00, 1_500_50),
                                    made.old_core.id: Spend(2_500_00, 2_500_00)}
    assert spends(made.anchors.id) == {made.core.id: Spend(4_500_00, 0)}
    result = ledger_check.check()
    assert result.agrees and result.scheme_spends == 4


def test_the_check_command_lists_a_schemes_spend_that_disagrees(ctx, officer):
    made = world(officer)
    db.session.execute(update(SchemePotSpend).where(
        SchemePotSpend.scheme_id == made.anchors.id).values(paid_pence=100_00))
    db.session.commit()

    result = ctx.test_cli_runner().invoke(args=["funding", "check"])

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"Community Anchors's awards from pot {made.core.id}, Core 24 (2024/25): stored "
        "committed £4,500.00, paid £100.00; their entries sum to committed £4,500.00, "
        "paid £0.00"]


def test_store_sums_writes_the_schemes_spends_again(officer):
    made = world(officer)
    db.session.execute(delete(SchemePotSpend))
    db.session.commit()
    assert not ledger_check.check().agrees
    ledger_check.store_sums()
    db.session.commit()
    assert ledger_check.check().agrees
    assert spends(made.anchors.id) == {made.core.id: Spend(4_500_00, 0)}


def test_the_dashboard_reads_no_ledger_entries(client, officer):
    """The funding dashboard's figures come from the pots' rows and the schemes' spends: no
    query of the page reads ledger_entries, however long the ledger is."""
    world(officer)
    with count_queries() as statements:
        response = client.get("/funding/")
    assert response.status_code == 200
    assert not [statement for statement in statements if "ledger_entries" in statement]
