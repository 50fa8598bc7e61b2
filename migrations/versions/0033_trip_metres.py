"""A trip's metres

assignments.track_m: the metres driven from dispatch to clearing, measured once from the GPS
track when the trip has settled (the measure_trips job); the director's statistics read it
instead of every fix of the period; ix_assignments_unmeasured: the trips still to measure.

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
        batch_op.create_index('ix_assignments_unmeasured', ['cleared_at'], unique=False, sqlite_where=sa.text('track_m IS NULL'), postgresql_where=sa.text('track_m IS NULL'))


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_assignments_unmeasured', sqlite_where=sa.text('track_m IS NULL'), postgresql_where=sa.text('track_m IS NULL'))
        batch_op.drop_column('track_m')
