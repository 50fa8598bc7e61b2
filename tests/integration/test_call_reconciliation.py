"""Call records completed from Kamailio's accounting (acc) after the app missed events:
calls it never routed, ends it never heard of, cancels, and calls Kamailio itself lost."""

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, select

from hotline.core.accounts.roles import Role
from hotline.core.telephony.line import LineSettings
from hotline.models import Agent, Call
from hotline.plugins import db
from hotline.services.telephony import agents, credentials, events, reconcile, routing
from tests import factories

SCHEMA = Path(__file__).resolve().parents[2] / "deploy" / "telephony" / "acc-sqlite.sql"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
LINE = LineSettings()


def acc_database(path: Path):
    with sqlite3.connect(path) as connection:
        connection.executescript(SCHEMA.read_text(encoding="utf-8"))
    return create_engine(f"sqlite:///{path}")


def write(path: Path, table: str, method: str, code: str, callid: str, at: datetime, ext=""):
    with sqlite3.connect(path) as connection:
        connection.execute(
            f"INSERT INTO {table} (method, from_tag, to_tag, callid, sip_code, sip_reason, "  # noqa: S608
            "time, caller, called, extension) VALUES (?, 'f', 't', ?, ?, '', ?, ?, ?, ?)",
            (method, callid, code, at.strftime("%Y-%m-%d %H:%M:%S"), "13800000002", "12345", ext),
        )


def call(sip_call_id: str) -> Call:
    db.session.expire_all()
    return db.session.scalar(select(Call).where(Call.sip_call_id == sip_call_id))


def test_the_records_are_completed_from_kamailios_accounting(app, tmp_path):
    path = tmp_path / "acc.sqlite"
    engine = acc_database(path)
    with app.app_context():
        user = factories.user(Role.OPERATOR, username="op-acc")
        ext, _ = credentials.issue_phone(db.session, user.id, realm="hotline", now=T0)
        agents.note_registration(db.session, extension=ext, expires=3600, now=T0)
        agents.choose_state(db.session, user_id=user.id, wanted="ready", now=T0)
        # 1. Answered while the app was up, ended while it was down.
        routing.route(
            db.session,
            sip_call_id="up-down",
            caller="13800000002",
            called="12345",
            now=T0,
            line=LINE,
        )
        events.note_event(
            db.session,
            sip_call_id="up-down",
            event="answered",
            extension=ext,
            now=T0 + timedelta(seconds=4),
            line=LINE,
        )
        write(path, "acc", "INVITE", "200", "up-down", T0 + timedelta(seconds=4), ext)
        write(path, "acc", "BYE", "200", "up-down", T0 + timedelta(seconds=94), ext)
        # 2. Never seen: the app was down, Kamailio rang the hunt group.
        write(path, "acc", "INVITE", "200", "down", T0 + timedelta(seconds=100), ext)
        write(path, "acc", "BYE", "200", "down", T0 + timedelta(seconds=160), ext)
        # 3. Queued, then the caller hung up while the app was down.
        routing.route(
            db.session,
            sip_call_id="gone",
            caller="13800000003",
            called="12345",
            now=T0 + timedelta(seconds=5),
            line=LINE,
        )
        write(path, "missed_calls", "INVITE", "487", "gone", T0 + timedelta(seconds=30))
        # 4. Queued, and Kamailio stopped asking (it died): lost after ten minutes.
        routing.route(
            db.session,
            sip_call_id="lost",
            caller="13800000004",
            called="12345",
            now=T0 + timedelta(seconds=6),
            line=LINE,
        )
        now = T0 + timedelta(minutes=20)
        assert reconcile.reconcile(db.session, engine=engine, now=now, line=LINE) == 4
        first = call("up-down")
        assert (first.outcome, first.ended_at) == ("answered", T0 + timedelta(seconds=94))
        assert db.session.get(Agent, user.id).state == "after_call"
        unseen = call("down")
        assert (unseen.outcome, unseen.answered_at, unseen.agent_id, unseen.reconciled) == (
            "answered",
            T0 + timedelta(seconds=100),
            user.id,
            True,
        )
        assert unseen.caller == "13800000002" and unseen.queue == "12345"
        assert call("gone").outcome == "abandoned"
        assert call("lost").outcome == "not_answered"
        # A second run reads nothing new and moves nothing.
        assert reconcile.reconcile(db.session, engine=engine, now=now, line=LINE) == 0
        write(path, "acc", "BYE", "200", "down", T0 + timedelta(seconds=999), ext)
        assert reconcile.reconcile(db.session, engine=engine, now=now, line=LINE) == 0
        assert call("down").ended_at == T0 + timedelta(seconds=160)


def test_a_failed_branch_is_not_the_calls_end(app, tmp_path):
    """An agent's phone refusing (486) or the hunt group's other phones cancelled (487)
    leave missed_calls rows; the call went on and was answered: it is answered."""
    path = tmp_path / "acc.sqlite"
    engine = acc_database(path)
    with app.app_context():
        user = factories.user(Role.OPERATOR, username="op-branch")
        ext, _ = credentials.issue_phone(db.session, user.id, realm="hotline", now=T0)
        # Routed by the app: one phone refused, the call waited on (asked about again).
        routing.route(
            db.session,
            sip_call_id="went-on",
            caller="13800000002",
            called="12345",
            now=T0,
            line=LINE,
        )
        write(path, "missed_calls", "INVITE", "486", "went-on", T0 + timedelta(seconds=2), "8999")
        routing.route(
            db.session,
            sip_call_id="went-on",
            caller="13800000002",
            called="12345",
            now=T0 + timedelta(seconds=5),
            line=LINE,
        )
        # Never seen (the app was down): two phones of the hunt group, one answered.
        write(path, "missed_calls", "INVITE", "487", "hunt", T0 + timedelta(seconds=9), "8998")
        write(path, "acc", "INVITE", "200", "hunt", T0 + timedelta(seconds=9), ext)
        # Rows younger than SETTLE wait for a later run.
        write(path, "acc", "BYE", "200", "hunt", T0 + timedelta(seconds=60), ext)
        now = T0 + timedelta(seconds=60) + reconcile.SETTLE - timedelta(seconds=1)
        reconcile.reconcile(db.session, engine=engine, now=now, line=LINE)
        assert call("went-on").state == "queued" and call("went-on").outcome is None
        hunt = call("hunt")
        assert (hunt.outcome, hunt.answered_at, hunt.agent_id) == (
            None,
            T0 + timedelta(seconds=9),
            user.id,
        )
        reconcile.reconcile(db.session, engine=engine, now=now + timedelta(seconds=2), line=LINE)
        assert call("hunt").outcome == "answered"
        assert call("hunt").ended_at == T0 + timedelta(seconds=60)


def test_a_call_answered_while_the_app_was_down_and_ended_after(app, tmp_path):
    """Queued when the app died, answered by the hunt group, ended once the app was back:
    the end is an answered call's, and the answer's time comes from the accounting."""
    path = tmp_path / "acc.sqlite"
    engine = acc_database(path)
    with app.app_context():
        user = factories.user(Role.OPERATOR, username="op-after")
        ext, _ = credentials.issue_phone(db.session, user.id, realm="hotline", now=T0)
        routing.route(
            db.session,
            sip_call_id="across",
            caller="13800000002",
            called="12345",
            now=T0,
            line=LINE,
        )
        write(path, "acc", "INVITE", "200", "across", T0 + timedelta(seconds=8), ext)
        events.note_event(
            db.session,
            sip_call_id="across",
            event="ended",
            extension=ext,
            now=T0 + timedelta(seconds=70),
            line=LINE,
        )
        assert call("across").outcome == "answered"
        write(path, "acc", "BYE", "200", "across", T0 + timedelta(seconds=70), ext)
        reconcile.reconcile(db.session, engine=engine, now=T0 + timedelta(minutes=2), line=LINE)
        done = call("across")
        assert (done.outcome, done.answered_at, done.agent_id) == (
            "answered",
            T0 + timedelta(seconds=8),
            user.id,
        )
        assert done.ended_at == T0 + timedelta(seconds=70)
