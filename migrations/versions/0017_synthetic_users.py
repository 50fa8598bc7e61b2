"""users.synthetic: the demo's synthetic staff are flagged, not recognised by their names

Existing synthetic demo staff (username staff-<department id>, display name ending in
（合成）) are flagged by this migration.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('synthetic', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.execute(
        sa.text("UPDATE users SET synthetic = :yes WHERE username LIKE 'staff-%' "
                "AND display_name LIKE :suffix").bindparams(yes=True, suffix='%（合成）')
    )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('synthetic')
