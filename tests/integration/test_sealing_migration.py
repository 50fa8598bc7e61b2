"""Migration 0021 seals the personal data already stored, and `compact` leaves no plaintext
in the SQLite file."""

from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from hotline import create_app
from hotline.core import crypto
from hotline.encryption import keyring
from hotline.models import WorkOrder
from hotline.plugins import db
from hotline.services.orders import queries
from tests.conftest import config_for, postgres_url_or_skip, reset_postgres

AT = "2026-11-02 01:00:00"
PHONE, NAME = "13955556666", "李旧数据"


def _rows_as_0020_wrote_them() -> list[str]:
    return [
        "INSERT INTO users (id, username, display_name, password_hash, role, active,"
        " failed_logins, session_version, created_at, synthetic, password_changed_at)"
        f" VALUES (1, 'ems', '调度员', 'x', 'ems_dispatcher', true, 0, 1, '{AT}', false,"
        f" '{AT}')",
        "INSERT INTO categories (id, code, name, keywords, active, time_limit_unit)"
        " VALUES (1, '0101', '违法建设', '', true, 'working_days')",
        "INSERT INTO work_orders (id, number, version, channel, order_type, category_id,"
        " description, caller_phone, caller_name, caller_address, confidential,"
        " survey_consent, address, state, routing_reason, time_limit, due_at,"
        " escalation_level, return_count, intake_answer, reply_text, created_at, updated_at,"
        " reopen_count, accepted_in_time, synthetic, caller_email, media_url,"
        " attributes_json, source, time_limit_unit, priority, warning_percent)"
        f" VALUES (1, '20261102-000001', 1, 'phone', 'complaint', 1, '噪音', '{PHONE}',"
        f" '{NAME}', '旧地址一号', false, false, '', 'registered', 'manual', 15, '{AT}', 0, 0,"
        f" '', '', '{AT}', '{AT}', 0, false, false, '', '', '{{}}', '', 'working_days',"
        " 'normal', 80)",
        "INSERT INTO incidents (id, number, caller_phone, lon, lat, address, complaint,"
        " triage_level, state, withdraw_reason, note, created_by_id, created_at, synthetic)"
        f" VALUES (1, 'E20261102-0001', '13977778888', 116.39, 39.9, '', '胸痛', 1, 'open',"
        f" '', '', 1, '{AT}', false)",
        "INSERT INTO notifications (channel, recipient, text, order_id, state, attempts,"
        " next_attempt_at, last_error, created_at)"
        f" VALUES ('sms', '{PHONE}', '已受理', 1, 'pending', 0, '{AT}', '', '{AT}')",
    ]


def _migrate(url: str, tmp_path) -> None:
    app = create_app(config_for(url, tmp_path / "instance"))
    with app.app_context():
        try:
            upgrade(revision="0020")
            with db.engine.begin() as conn:
                for sql in _rows_as_0020_wrote_them():
                    conn.execute(text(sql))
            upgrade(revision="0021")
            with db.engine.connect() as conn:
                raw = conn.execute(
                    text("SELECT caller_phone, caller_name, caller_phone_index FROM work_orders")
                ).one()
                assert crypto.is_sealed(raw[0]) and crypto.is_sealed(raw[1])
                assert raw[2] == keyring().blind_index(PHONE, "phone")
                assert crypto.is_sealed(
                    conn.execute(text("SELECT caller_phone FROM incidents")).scalar()
                )
                assert crypto.is_sealed(
                    conn.execute(text("SELECT recipient FROM notifications")).scalar()
                )
            upgrade()  # the models below are the newest revision's
            order = db.session.scalar(select(WorkOrder))
            assert (order.caller_phone, order.caller_name) == (PHONE, NAME)
            assert [o.id for o in queries.caller_history(db.session, PHONE)] == [1]
            if db.engine.dialect.name == "sqlite":
                db.session.remove()
                result = app.test_cli_runner().invoke(args=["hotline", "compact"])
                assert result.exit_code == 0, result.output
                database = Path(db.engine.url.database).read_bytes()
                for secret in (PHONE, NAME, "13977778888"):
                    assert secret.encode() not in database, secret
        finally:
            db.session.remove()
            db.engine.dispose()


def test_sealing_migration_on_sqlite(tmp_path):
    _migrate(f"sqlite:///{tmp_path / 'old.db'}", tmp_path)


@pytest.mark.postgres
def test_sealing_migration_on_postgres(tmp_path):
    url = postgres_url_or_skip()
    reset_postgres(url)
    _migrate(url, tmp_path)
    reset_postgres(url)
