"""Hotspots (热点)

hotspots holds the clusters the scheduler finds (at least N orders of one category within R
metres and T hours), hotspot_orders their member orders (an order in one hotspot at most);
categories gain their own thresholds (NULL: the defaults, 5 orders within 300 m in 24 h).
A run reads a window's orders from ix_work_orders_duplicates (0030) alone.

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-29

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'hotspots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('district_id', sa.Integer(), nullable=True),
        sa.Column('lon', sa.Double(), nullable=False),
        sa.Column('lat', sa.Double(), nullable=False),
        sa.Column('radius_m', sa.Double(), nullable=False),
        sa.Column('order_count', sa.Integer(), nullable=False),
        sa.Column('first_at', sa.DateTime(), nullable=False),
        sa.Column('last_at', sa.DateTime(), nullable=False),
        sa.Column('state', sa.String(length=8), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('last_growth', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['category_id'], ['categories.id'],
                                name=op.f('fk_hotspots_category_id_categories')),
        sa.ForeignKeyConstraint(['district_id'], ['districts.id'],
                                name=op.f('fk_hotspots_district_id_districts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_hotspots')),
    )
    op.create_index('ix_hotspots_state_category', 'hotspots', ['state', 'category_id'])
    op.create_index('ix_hotspots_created_at', 'hotspots', ['created_at'])
    op.create_table(
        'hotspot_orders',
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('hotspot_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'],
                                name=op.f('fk_hotspot_orders_order_id_work_orders')),
        sa.ForeignKeyConstraint(['hotspot_id'], ['hotspots.id'],
                                name=op.f('fk_hotspot_orders_hotspot_id_hotspots')),
        sa.PrimaryKeyConstraint('order_id', name=op.f('pk_hotspot_orders')),
    )
    op.create_index(op.f('ix_hotspot_orders_hotspot_id'), 'hotspot_orders', ['hotspot_id'])
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hotspot_min_orders', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('hotspot_radius_m', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('hotspot_window_hours', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_column('hotspot_window_hours')
        batch_op.drop_column('hotspot_radius_m')
        batch_op.drop_column('hotspot_min_orders')
    op.drop_index(op.f('ix_hotspot_orders_hotspot_id'), table_name='hotspot_orders')
    op.drop_table('hotspot_orders')
    op.drop_index('ix_hotspots_created_at', table_name='hotspots')
    op.drop_index('ix_hotspots_state_category', table_name='hotspots')
    op.drop_table('hotspots')
