"""Funding partners, pooled pots and partners' contributions

Revision ID: db2d0c74005c
Revises: b80c2aeaa4be
Create Date: 2026-12-07 17:42:49.143991

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'db2d0c74005c'
down_revision = 'b80c2aeaa4be'
branch_labels = None
depends_on = None

# SQLite's batch mode copies a table to add a foreign key; reflecting the tables it refers to,
# and theirs, would reach organisations' expression index, which SQLite cannot reflect.
NO_RESOLVE = {"resolve_fks": False}


def upgrade():
    op.create_table('funding_partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('org_id', sa.String(length=60), nullable=False),
    sa.Column('acknowledgement', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_partners')),
    sa.UniqueConstraint('org_id', name=op.f('uq_funding_partners_org_id'))
    )
    with op.batch_alter_table('funding_pots', schema=None, reflect_kwargs=NO_RESOLVE) as batch_op:
        batch_op.add_column(sa.Column('partner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('pooled', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f('ix_funding_pots_partner_id'), ['partner_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_funding_pots_partner_id_funding_partners'), 'funding_partners', ['partner_id'], ['id'])

    with op.batch_alter_table('ledger_entries', schema=None, reflect_kwargs=NO_RESOLVE) as batch_op:
        batch_op.add_column(sa.Column('partner_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_ledger_entries_partner_id'), ['partner_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_ledger_entries_partner_id_funding_partners'), 'funding_partners', ['partner_id'], ['id'])
        # Autogenerate does not see check constraints on an existing table.
        batch_op.create_check_constraint(batch_op.f('ck_ledger_entries_contribution_is_budget'),
                                         "partner_id IS NULL OR kind = 'budget'")

    with op.batch_alter_table('staff_invitations', schema=None, reflect_kwargs=NO_RESOLVE) as batch_op:
        batch_op.add_column(sa.Column('partner_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_staff_invitations_partner_id_funding_partners'), 'funding_partners', ['partner_id'], ['id'])

    with op.batch_alter_table('users', schema=None, reflect_kwargs=NO_RESOLVE) as batch_op:
        batch_op.add_column(sa.Column('partner_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_partner_id'), ['partner_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_partner_id_funding_partners'), 'funding_partners', ['partner_id'], ['id'])

    _partners_from_external_pots()


def _partners_from_external_pots():
    """Each funder org-id of an existing external pot becomes a partner (named as its latest
    pot names it), and its pots are linked to it, as saving a pot now does."""
    connection = op.get_bind()
    pots = connection.execute(sa.text(
        "SELECT id, funder_org_id, funder_name FROM funding_pots "
        "WHERE source = 'external' AND funder_org_id <> '' ORDER BY id")).all()
    names = {org_id: name for _, org_id, name in pots}
    partner_ids = {}
    for org_id, name in names.items():
        connection.execute(sa.text(
            "INSERT INTO funding_partners (name, org_id, acknowledgement, created_at) "
            "VALUES (:name, :org_id, '', CURRENT_TIMESTAMP)"), {"name": name, "org_id": org_id})
        partner_ids[org_id] = connection.execute(sa.text(
            "SELECT id FROM funding_partners WHERE org_id = :org_id"), {"org_id": org_id}).scalar()
    for pot_id, org_id, _ in pots:
        connection.execute(sa.text("UPDATE funding_pots SET partner_id = :partner WHERE id = :pot"),
                           {"partner": partner_ids[org_id], "pot": pot_id})


def downgrade():
    with op.batch_alter_table('users', schema=None, reflect_kwargs=NO_RESOLVE) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_partner_id_funding_partners'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_partner_id'))
        batch_op.drop_column('partner_id')

    with op.batch_alter_table('staff_invitations', schema=None, reflect_kwargs=NO_RESOLVE) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_staff_invitations_partner_id_funding_partners'), type_='foreignkey')
        batch_op.drop_column('partner_id')

    with op.batch_alter_table('ledger_entries', schema=None, reflect_kwargs=NO_RESOLVE) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ledger_entries_contribution_is_budget'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_ledger_entries_partner_id_funding_partners'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ledger_entries_partner_id'))
        batch_op.drop_column('partner_id')

    with op.batch_alter_table('funding_pots', schema=None, reflect_kwargs=NO_RESOLVE) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_funding_pots_partner_id_funding_partners'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_funding_pots_partner_id'))
        batch_op.drop_column('pooled')
        batch_op.drop_column('partner_id')

    op.drop_table('funding_partners')
