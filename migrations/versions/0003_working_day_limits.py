"""working-day time limits and calendar overrides

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_overrides',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_workday', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_overrides'))
    )
    # Categories' limits are counted in working days from now on.
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.alter_column('time_limit_days', new_column_name='time_limit')
        batch_op.add_column(sa.Column('time_limit_unit', sa.String(length=16), nullable=False,
                                      server_default='working_days'))
    # Orders already taken keep the calendar-day due times they were given.
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.alter_column('time_limit_days', new_column_name='time_limit')
        batch_op.add_column(sa.Column('time_limit_unit', sa.String(length=16), nullable=False,
                                      server_default='calendar_days'))


def downgrade():
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_column('time_limit_unit')
        batch_op.alter_column('time_limit', new_column_name='time_limit_days')
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_column('time_limit_unit')
        batch_op.alter_column('time_limit', new_column_name='time_limit_days')
    op.drop_table('calendar_overrides')
