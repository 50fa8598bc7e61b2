"""A trip's metres

assignments.track_m: the metres driven from dispatch to clearing, measured once from the GPS
track when the trip has settled (the measure_trips job); the director's statistics read it
instead of every fix of the period.

Revision ID: 0033
Revises: 0032
Create Date: 2026-11-29

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('track_m', sa.Double(), nullable=True))


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('track_m')
