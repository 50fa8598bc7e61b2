"""Three administrators (三员分立), the password policy and expiring API tokens

The one administrator role 'admin' becomes the system administrator ('system_admin'):
users, organisation and configuration. Nobody holds the new security administrator
('security_admin': roles, password policy, keys and tokens) or audit administrator
('audit_admin': the security log and the audit trail) roles after the upgrade: create them
at the server's console (`flask --app wsgi hotline create-user --role security_admin`, and
`--role audit_admin`).

users gains password_changed_at (the account's creation time for existing accounts),
must_change_password, previous_password_hashes (the password history, JSON) and
api_token_expires_at: tokens issued before this revision expire 90 days after the upgrade
(the default API_TOKEN_DAYS), like a token issued at that moment.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-28

"""
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_changed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('previous_password_hashes', sa.Text(), nullable=False,
                                      server_default='[]'))
        batch_op.add_column(sa.Column('api_token_expires_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE users SET password_changed_at = created_at")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('password_changed_at', existing_type=sa.DateTime(),
                              nullable=False)
    op.execute("UPDATE users SET role = 'system_admin' WHERE role = 'admin'")
    users = sa.table(
        'users',
        sa.column('api_token_hash', sa.String),
        sa.column('api_token_expires_at', sa.DateTime),
    )
    expires = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=90)  # naive UTC
    op.execute(
        users.update()
        .where(users.c.api_token_hash.is_not(None))
        .values(api_token_expires_at=expires)
    )


def downgrade():
    # The three administrators fold back into one; unassigned accounts stay without power
    # under a role the old code does not know.
    op.execute(
        "UPDATE users SET role = 'admin' "
        "WHERE role IN ('system_admin', 'security_admin', 'audit_admin')"
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('api_token_expires_at')
        batch_op.drop_column('previous_password_hashes')
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('password_changed_at')
