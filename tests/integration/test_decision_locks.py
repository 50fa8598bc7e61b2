"""Two people deciding the same incident or extension at once are decided one by one on
PostgreSQL: the second waits for the first and sees its decision (no lost update)."""

import threading
import time
from datetime import date

import pytest
from sqlalchemy import create_engine, text

from hotline.core.accounts.roles import Role
from hotline.plugins import db
from hotline.services.deadlines import extensions
from hotline.services.ems import incidents
from hotline.services.errors import ValidationFailed
from tests import factories
from tests.conftest import make_app, postgres_url_or_skip, reset_postgres

TZ = "Asia/Shanghai"


@pytest.fixture
def pg_app(tmp_path):
    url = postgres_url_or_skip()
    reset_postgres(url)
    application = make_app(url, tmp_path / "instance")
    yield application, url
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _decide_while_someone_else_holds(url, app, table, row_id, change_sql, decide):
    """Someone else locks the row, `decide` starts in a thread, the other commits a
    decision; what `decide` raised (or None)."""
    other = create_engine(url)
    outcome = {}
    with other.connect() as conn:
        conn.execute(text(f"SELECT id FROM {table} WHERE id = :id FOR UPDATE"), {"id": row_id})

        def run():
            with app.app_context():
                try:
                    decide()
                    outcome["error"] = None
                except ValidationFailed as exc:
                    outcome["error"] = exc.errors
                finally:
                    db.session.remove()

        thread = threading.Thread(target=run)
        thread.start()
        time.sleep(0.5)  # the decision is waiting for the row
        assert thread.is_alive()
        conn.execute(text(change_sql), {"id": row_id})
        conn.commit()
        thread.join(10)
    other.dispose()
    return outcome["error"]


def test_a_second_decision_on_an_incident_sees_the_first(pg_app):
    app, url = pg_app
    with app.app_context():
        dispatcher = factories.user(Role.EMS_DISPATCHER)
        call = incidents.Call("", *factories.TIANANMEN, "胸痛", 1)
        incident = incidents.create_incident(
            db.session, actor_id=dispatcher.id, call=call, now=factories.NOW, timezone=TZ
        )
        ids = (dispatcher.id, incident.id)

    def withdraw():
        incidents.withdraw(
            db.session,
            actor_id=ids[0],
            incident_id=ids[1],
            reason="false_alarm",
            note="",
            now=factories.NOW,
        )

    closing = "UPDATE incidents SET state = 'closed' WHERE id = :id"
    error = _decide_while_someone_else_holds(url, app, "incidents", ids[1], closing, withdraw)
    assert error == {"incident": "incident_not_open"}


def test_a_second_decision_on_an_extension_sees_the_first(pg_app):
    app, url = pg_app
    with app.app_context():
        staff = factories.user(Role.DEPARTMENT, "东城区城市管理委员会")
        boss = factories.user(Role.SUPERVISOR)
        order = factories.order()
        request = extensions.request_extension(
            db.session,
            actor_id=staff.id,
            number=order.number,
            new_day=date(2026, 12, 4),
            reason="需协调",
            now=factories.NOW,
            timezone=TZ,
        )
        ids = (boss.id, request.id)

    def approve():
        extensions.decide(
            db.session,
            actor_id=ids[0],
            request_id=ids[1],
            approve=True,
            note="同意",
            now=factories.NOW,
            timezone=TZ,
        )

    refusing = "UPDATE extension_requests SET status = 'refused' WHERE id = :id"
    table = "extension_requests"
    error = _decide_while_someone_else_holds(url, app, table, ids[1], refusing, approve)
    assert error == {"action": "already_decided"}
