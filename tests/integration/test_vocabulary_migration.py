"""Migration 0016 renames stored values that named two things, and loses no row doing it."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from hotline import create_app
from hotline.plugins import db
from tests.conftest import config_for, postgres_url_or_skip, reset_postgres

AT = "2026-11-02 01:00:00"


def _old_rows() -> list[str]:
    """One row of each kind, written the way 0015's code wrote them."""
    return [
        "INSERT INTO users (id, username, display_name, password_hash, role, active,"
        f" failed_logins, session_version, created_at) VALUES (1, 'desk', '派单员', 'x',"
        f" 'dispatcher', true, 0, 1, '{AT}'), (2, 'caller', '回访员', 'x', 'callback', true,"
        f" 0, 1, '{AT}')",
        "INSERT INTO categories (id, code, name, keywords, active, time_limit_unit)"
        " VALUES (1, '0101', '违法建设', '', true, 'working_days')",
        "INSERT INTO work_orders (id, number, version, channel, order_type, category_id,"
        " description, caller_name, caller_address, confidential, callback_consent, address,"
        " state, routing_reason, time_limit, due_at, escalation_level, return_count,"
        " intake_answer, reply_text, created_at, updated_at, dispatched_at, reopen_count,"
        " accepted_in_time, synthetic, caller_email, media_url, attributes_json, source,"
        " time_limit_unit)"
        f" VALUES (1, '20261102-000001', 1, 'phone', 'report', 1, '有人违建', '', '', true,"
        f" true, '', 'dispatched', 'manual', 15, '{AT}', 0, 0, '', '', '{AT}', '{AT}', '{AT}',"
        " 0, false, false, '', '', '{}', 'hotline', 'working_days')",
        "INSERT INTO audit_events (order_id, actor_id, at, action, from_state, to_state, note)"
        f" VALUES (1, 1, '{AT}', 'dispatch', 'registered', 'dispatched', ''),"
        f" (1, NULL, '{AT}', 'callback_scheduled', 'dispatched', 'dispatched', '')",
        "INSERT INTO callbacks (id, version, order_id, round, state, created_at, due_at,"
        " attempts, last_attempt_day, comment, reopened)"
        f" VALUES (1, 1, 1, 1, 'due', '{AT}', '{AT}', 0, '', '', false)",
        "INSERT INTO notifications (channel, recipient, text, state, attempts,"
        f" next_attempt_at, last_error, created_at)"
        f" VALUES ('in_app', 'role:dispatcher', '请处理', 'pending', 0, '{AT}', '', '{AT}')",
    ]


def _round_trip(url: str, tmp_path) -> None:
    app = create_app(config_for(url, tmp_path / "instance"))
    with app.app_context():
        try:
            upgrade(revision="0015")
            with db.engine.begin() as conn:
                for sql in _old_rows():
                    conn.execute(text(sql))
            upgrade(revision="0016")
            with db.engine.connect() as conn:
                one = conn.execute(
                    text("SELECT state, order_type, routed_at, survey_consent FROM work_orders")
                ).one()
                assert (one.state, one.order_type, one.survey_consent) == ("routed", "tip_off", 1)
                assert one.routed_at is not None
                roles = conn.execute(text("SELECT role FROM users ORDER BY id")).scalars().all()
                assert roles == ["desk", "surveyor"]
                audit = conn.execute(
                    text("SELECT action, from_state, to_state FROM audit_events ORDER BY id")
                ).all()
                assert [tuple(a) for a in audit] == [
                    ("route", "registered", "routed"),
                    ("survey_scheduled", "routed", "routed"),
                ]
                assert conn.execute(text("SELECT count(*) FROM surveys")).scalar() == 1
                recipient = conn.execute(text("SELECT recipient FROM notifications")).scalar()
                assert recipient == "role:desk"
            # The append-only triggers are back.
            with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
                conn.execute(text("UPDATE audit_events SET note = 'x'"))
            downgrade(revision="0015")
            with db.engine.connect() as conn:
                back = conn.execute(text("SELECT state, order_type FROM work_orders")).one()
                assert tuple(back) == ("dispatched", "report")
                assert conn.execute(text("SELECT count(*) FROM callbacks")).scalar() == 1
        finally:
            db.session.remove()
            db.engine.dispose()


def test_vocabulary_migration_on_sqlite(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'old.db'}", tmp_path)


@pytest.mark.postgres
def test_vocabulary_migration_on_postgres(tmp_path):
    url = postgres_url_or_skip()
    reset_postgres(url)  # every table of ours, alembic_version too
    _round_trip(url, tmp_path)
    reset_postgres(url)
