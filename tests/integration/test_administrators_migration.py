"""Migration 0020 turns the one administrator into the system administrator and gives every
account a password date, and goes back again."""

from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from hotline import create_app
from hotline.plugins import db
from tests.conftest import config_for, postgres_url_or_skip, reset_postgres

AT = "2026-11-02 01:00:00"
USERS = (
    "INSERT INTO users (id, username, display_name, password_hash, role, active,"
    " failed_logins, session_version, created_at, synthetic) VALUES"
    f" (1, 'admin', '管理员', 'x', 'admin', true, 0, 1, '{AT}', false),"
    f" (2, 'desk', '派单员', 'x', 'desk', true, 0, 1, '{AT}', false)"
)
TOKEN = "UPDATE users SET api_token_hash = 'ab12' WHERE id = 2"


def _round_trip(url: str, tmp_path) -> None:
    app = create_app(config_for(url, tmp_path / "instance"))
    with app.app_context():
        try:
            upgrade(revision="0019")
            with db.engine.begin() as conn:
                conn.execute(text(USERS))
                conn.execute(text(TOKEN))
            upgrade(revision="0020")
            with db.engine.connect() as conn:
                rows = conn.execute(
                    text(
                        "SELECT role, password_changed_at, must_change_password,"
                        " previous_password_hashes, api_token_expires_at FROM users ORDER BY id"
                    )
                ).all()
            assert [r.role for r in rows] == ["system_admin", "desk"]
            assert all(str(r.password_changed_at).startswith("2026-11-02 01:00") for r in rows)
            assert [(bool(r[2]), r[3]) for r in rows] == [(False, "[]")] * 2
            # The token issued before expiry existed gets one; no token, no expiry.
            assert rows[0].api_token_expires_at is None
            expires = rows[1].api_token_expires_at
            if isinstance(expires, str):  # SQLite hands back the stored text
                expires = datetime.fromisoformat(expires)
            left = expires - datetime.now(UTC).replace(tzinfo=None)
            assert timedelta(days=89) < left <= timedelta(days=90)
            downgrade(revision="0019")
            with db.engine.connect() as conn:
                roles = conn.execute(text("SELECT role FROM users ORDER BY id")).scalars().all()
            assert roles == ["admin", "desk"]
        finally:
            db.session.remove()
            db.engine.dispose()


def test_three_administrators_migration_on_sqlite(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'old.db'}", tmp_path)


@pytest.mark.postgres
def test_three_administrators_migration_on_postgres(tmp_path):
    url = postgres_url_or_skip()
    reset_postgres(url)
    _round_trip(url, tmp_path)
    reset_postgres(url)
