"""街乡镇 as handling units: the unit tree, official codes, and where an order's matter is

departments gains level ('body' for every existing unit: district and city bodies; 'street'
for a 街乡镇; 'sub_unit' for a 科室 or 社区/村 under a unit), code (the official statistical
division code of a 街乡镇 or 社区/村, unique), parent_id (a sub-unit's unit) and
geometry_geojson (a 街乡镇's boundary, once `hotline import-gis FILE --level street` loaded it).
work_orders gains street_code: the 街乡镇 where the matter is (None for every existing order:
their figures are unchanged). The 街乡镇 themselves are reference data: `flask --app wsgi
hotline seed-streets` adds Beijing's 343 from gis_data/beijing_streets.csv.

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.String(length=16), nullable=False,
                                      server_default='body'))
        batch_op.add_column(sa.Column('code', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('geometry_geojson', sa.Text(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_departments_code'), ['code'])
        batch_op.create_foreign_key(batch_op.f('fk_departments_parent_id_departments'),
                                    'departments', ['parent_id'], ['id'])
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('street_code', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_column('street_code')
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_departments_parent_id_departments'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_departments_code'), type_='unique')
        batch_op.drop_column('geometry_geojson')
        batch_op.drop_column('parent_id')
        batch_op.drop_column('code')
        batch_op.drop_column('level')
