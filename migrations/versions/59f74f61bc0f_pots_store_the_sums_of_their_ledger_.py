"""Pots store the sums of their ledger entries (budget, committed, paid), kept by the ledger

Revision ID: 59f74f61bc0f
Revises: b71c4bb74fa6
Create Date: 2026-12-07 12:23:38.290057

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '59f74f61bc0f'
down_revision = 'b71c4bb74fa6'
branch_labels = None
depends_on = None


def _sum(plus: str, minus: str = "") -> str:
    """A correlated sum of the pot's entries: the kinds in `plus` add, those in `minus`
    take away (the same figures as portal.funding.ledger's sums)."""
    less = f"WHEN kind IN ({minus}) THEN -amount_pence " if minus else ""
    return (f"(SELECT COALESCE(SUM(CASE WHEN kind IN ({plus}) THEN amount_pence {less}"
            "ELSE 0 END), 0) FROM ledger_entries WHERE ledger_entries.pot_id = funding_pots.id)")


def upgrade():
    with op.batch_alter_table('funding_pots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('budget_pence', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('committed_pence', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('paid_pence', sa.BigInteger(), server_default='0', nullable=False))

    # Back-fill from the entries, before the checks: the ledger has kept these rules all along.
    budget = _sum("'budget', 'transfer'")
    committed = _sum("'commitment'", "'release'")
    paid = _sum("'payment'", "'clawback'")
    op.execute(f"UPDATE funding_pots SET budget_pence = {budget}, "
               f"committed_pence = {committed}, paid_pence = {paid}")

    with op.batch_alter_table('funding_pots', schema=None) as batch_op:
        batch_op.create_check_constraint('not_overspent', 'budget_pence >= committed_pence')
        batch_op.create_check_constraint('paid_within_committed', 'committed_pence >= paid_pence')
        batch_op.create_check_constraint('paid_not_negative', 'paid_pence >= 0')


def downgrade():
    with op.batch_alter_table('funding_pots', schema=None) as batch_op:
        batch_op.drop_constraint('paid_not_negative', type_='check')
        batch_op.drop_constraint('paid_within_committed', type_='check')
        batch_op.drop_constraint('not_overspent', type_='check')
        batch_op.drop_column('paid_pence')
        batch_op.drop_column('committed_pence')
        batch_op.drop_column('budget_pence')
