"""The gazetteer (地名库)

places holds named places (小区, schools, hospitals, markets, bus stops, junctions, roads)
with the grid cell of reverse lookup; place_keys their search keys (name, aliases, their
suffixes, full pinyin, initials), whose primary key (match, key, place_id) is the index of
the address box's suggestions (keys in the C collation on PostgreSQL: code-point order, so a
key range is exactly a prefix); place_candidates the locations operators confirmed on
orders, for an administrator to accept or reject. Nothing existing changes.

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    key_type = sa.String(length=64)
    if op.get_context().dialect.name == 'postgresql':
        key_type = sa.String(length=64, collation='C')
    op.create_table(
        'places',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('aliases', sa.Text(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('lon', sa.Double(), nullable=False),
        sa.Column('lat', sa.Double(), nullable=False),
        sa.Column('cell_x', sa.Integer(), nullable=False),
        sa.Column('cell_y', sa.Integer(), nullable=False),
        sa.Column('district', sa.String(length=32), nullable=False),
        sa.Column('weight', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=12), nullable=False),
        sa.Column('synthetic', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_places')),
    )
    op.create_index('ix_places_cell', 'places', ['cell_y', 'cell_x'])
    op.create_index('ix_places_name_district', 'places', ['name', 'district'])
    op.create_table(
        'place_keys',
        sa.Column('match', sa.SmallInteger(), nullable=False),
        sa.Column('key', key_type, nullable=False),
        sa.Column('place_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['place_id'], ['places.id'],
                                name=op.f('fk_place_keys_place_id_places')),
        sa.PrimaryKeyConstraint('match', 'key', 'place_id', name=op.f('pk_place_keys')),
    )
    op.create_index('ix_place_keys_place', 'place_keys', ['place_id'])
    op.create_table(
        'place_candidates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=200), nullable=False),
        sa.Column('lon', sa.Double(), nullable=False),
        sa.Column('lat', sa.Double(), nullable=False),
        sa.Column('district_code', sa.String(length=12), nullable=True),
        sa.Column('order_id', sa.Integer(), nullable=True),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('place_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'],
                                name=op.f('fk_place_candidates_order_id_work_orders')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'],
                                name=op.f('fk_place_candidates_decided_by_id_users')),
        sa.ForeignKeyConstraint(['place_id'], ['places.id'],
                                name=op.f('fk_place_candidates_place_id_places')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_place_candidates')),
    )
    op.create_index('ix_place_candidates_state', 'place_candidates', ['state', 'id'])


def downgrade():
    op.drop_index('ix_place_candidates_state', table_name='place_candidates')
    op.drop_table('place_candidates')
    op.drop_index('ix_place_keys_place', table_name='place_keys')
    op.drop_table('place_keys')
    op.drop_index('ix_places_name_district', table_name='places')
    op.drop_index('ix_places_cell', table_name='places')
    op.drop_table('places')
