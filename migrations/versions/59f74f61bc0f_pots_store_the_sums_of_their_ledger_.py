"""Pots store the sums of their ledger entries (budget, committed, paid), and what each
scheme's awards have committed and been paid from each pot, kept by the ledger

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
    """The sum of the entries selected: the kinds in `plus` add, those in `minus` take away
    (the same figures as portal.funding.ledger's sums)."""
    entry = "ledger_entries"
    less = f"WHEN {entry}.kind IN ({minus}) THEN -{entry}.amount_pence " if minus else ""
    return (f"COALESCE(SUM(CASE WHEN {entry}.kind IN ({plus}) THEN {entry}.amount_pence "
            f"{less}ELSE 0 END), 0)")


def _of_pot(total: str) -> str:
    return f"(SELECT {total} FROM ledger_entries WHERE ledger_entries.pot_id = funding_pots.id)"


def upgrade():
    with op.batch_alter_table('funding_pots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('budget_pence', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('committed_pence', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('paid_pence', sa.BigInteger(), server_default='0', nullable=False))

    # Back-fill from the entries, before the checks: the ledger has kept these rules all along.
    budget = _sum("'budget', 'transfer'")
    committed = _sum("'commitment'", "'release'")
    paid = _sum("'payment'", "'clawback'")
    op.execute(f"UPDATE funding_pots SET budget_pence = {_of_pot(budget)}, "
               f"committed_pence = {_of_pot(committed)}, paid_pence = {_of_pot(paid)}")

    with op.batch_alter_table('funding_pots', schema=None) as batch_op:
        batch_op.create_check_constraint('not_overspent', 'budget_pence >= committed_pence')
        batch_op.create_check_constraint('paid_within_committed', 'committed_pence >= paid_pence')
        batch_op.create_check_constraint('paid_not_negative', 'paid_pence >= 0')

    op.create_table('scheme_pot_spends',
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('pot_id', sa.Integer(), nullable=False),
    sa.Column('committed_pence', sa.BigInteger(), nullable=False),
    sa.Column('paid_pence', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['pot_id'], ['funding_pots.id'], name=op.f('fk_scheme_pot_spends_pot_id_funding_pots')),
    sa.ForeignKeyConstraint(['scheme_id'], ['schemes.id'], name=op.f('fk_scheme_pot_spends_scheme_id_schemes')),
    sa.PrimaryKeyConstraint('scheme_id', 'pot_id', name=op.f('pk_scheme_pot_spends'))
    )
    with op.batch_alter_table('scheme_pot_spends', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scheme_pot_spends_pot_id'), ['pot_id'], unique=False)

    # What each scheme's awards have spent from each pot, from the entries that carry an award.
    op.execute("INSERT INTO scheme_pot_spends (scheme_id, pot_id, committed_pence, paid_pence) "
               f"SELECT rounds.scheme_id, ledger_entries.pot_id, {committed}, {paid} "
               "FROM ledger_entries JOIN awards ON awards.id = ledger_entries.award_id "
               "JOIN applications ON applications.id = awards.application_id "
               "JOIN rounds ON rounds.id = applications.round_id "
               "GROUP BY rounds.scheme_id, ledger_entries.pot_id")


def downgrade():
    with op.batch_alter_table('scheme_pot_spends', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scheme_pot_spends_pot_id'))

    op.drop_table('scheme_pot_spends')
    with op.batch_alter_table('funding_pots', schema=None) as batch_op:
        batch_op.drop_constraint('paid_not_negative', type_='check')
        batch_op.drop_constraint('paid_within_committed', type_='check')
        batch_op.drop_constraint('not_overspent', type_='check')
        batch_op.drop_column('paid_pence')
        batch_op.drop_column('committed_pence')
        batch_op.drop_column('budget_pence')
