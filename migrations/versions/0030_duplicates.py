"""Duplicate orders (并单)

work_orders.master_id: the order a merged order follows (NULL: not merged);
order_merges keeps each merge with what an unmerge restores (the order's state and unit);
duplicate_rules: a category's radius and time window for candidates (none: the defaults);
ix_work_orders_duplicates: a category's orders in a time window with their points, from
the index alone.

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-29

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN, not a batch copy of work_orders: on SQLite a copy drops the table,
    # which the rows referring to it (audit events, notices...) do not allow.
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite adds a column with its reference in one statement (alembic will not).
        op.execute('ALTER TABLE work_orders ADD COLUMN master_id INTEGER '
                   'CONSTRAINT fk_work_orders_master_id REFERENCES work_orders (id)')
    else:
        op.add_column('work_orders', sa.Column('master_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_work_orders_master_id', 'work_orders', 'work_orders',
                              ['master_id'], ['id'])
    op.create_index('ix_work_orders_master_id', 'work_orders', ['master_id'])
    op.create_index('ix_work_orders_duplicates', 'work_orders',
                    ['category_id', 'created_at', 'lat', 'lon', 'id'])
    op.create_table(
        'order_merges',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('master_id', sa.Integer(), nullable=False),
        sa.Column('prior_state', sa.String(length=24), nullable=False),
        sa.Column('prior_department_id', sa.Integer(), nullable=True),
        sa.Column('merged_by_id', sa.Integer(), nullable=True),
        sa.Column('merged_at', sa.DateTime(), nullable=False),
        sa.Column('undone_by_id', sa.Integer(), nullable=True),
        sa.Column('undone_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['order_id'], ['work_orders.id']),
        sa.ForeignKeyConstraint(['master_id'], ['work_orders.id']),
        sa.ForeignKeyConstraint(['prior_department_id'], ['departments.id']),
        sa.ForeignKeyConstraint(['merged_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['undone_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_order_merges_order_id', 'order_merges', ['order_id'])
    op.create_index('ix_order_merges_master_id', 'order_merges', ['master_id'])
    op.create_table(
        'duplicate_rules',
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('radius_m', sa.Integer(), nullable=False),
        sa.Column('window_hours', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['category_id'], ['categories.id']),
        sa.PrimaryKeyConstraint('category_id'),
    )


def downgrade():
    op.drop_table('duplicate_rules')
    op.drop_index('ix_order_merges_master_id', table_name='order_merges')
    op.drop_index('ix_order_merges_order_id', table_name='order_merges')
    op.drop_table('order_merges')
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_work_orders_duplicates')
        batch_op.drop_index('ix_work_orders_master_id')
        batch_op.drop_constraint('fk_work_orders_master_id', type_='foreignkey')
        batch_op.drop_column('master_id')
