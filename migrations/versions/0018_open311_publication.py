"""work_orders.publication_consent and public_summary: Open311 publishes only what may be

An order is published on Open311 GET only when it came in through Open311 or the caller
agreed at intake; it shows its public summary, never the description. Orders already taken
through Open311 (channel 'api') are marked published; every other order is not.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publication_consent', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('public_summary', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.create_index('ix_work_orders_published',
                              ['publication_consent', 'created_at', 'id'], unique=False)
    op.execute(
        sa.text("UPDATE work_orders SET publication_consent = :yes WHERE channel = 'api'")
        .bindparams(yes=True)
    )


def downgrade():
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_work_orders_published')
        batch_op.drop_column('public_summary')
        batch_op.drop_column('publication_consent')
