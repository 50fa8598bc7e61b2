"""The phone line's distribution, events and records, on SQLite and PostgreSQL: who gets
each call, first in first out, no agent rung twice, and every call's outcome."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.core.telephony.line import LineSettings, digest_ha1
from hotline.models import Agent, Call, MaliciousNumber, User
from hotline.plugins import db
from hotline.services.telephony import agents, credentials, events, records, routing
from tests import factories

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
LINE = LineSettings(ring_seconds=15, after_call_seconds=30, queue_max=3, retry_ms=500)


def phone_for(role: Role, name: str) -> tuple[int, str]:
    """A user of `role` with a phone: their id and extension."""
    user = factories.user(role, username=name)
    extension, _password = credentials.issue_phone(db.session, user.id, realm=LINE.realm, now=T0)
    return user.id, extension


def ready(user_id: int, extension: str, at: datetime) -> None:
    """Registered and ready from `at`."""
    agents.note_registration(db.session, extension=extension, expires=3600, now=at)
    agents.choose_state(db.session, user_id=user_id, wanted="ready", now=at)


def route(call_id: str, at: datetime, caller: str = "13800000001", called: str = "12345"):
    return routing.route(
        db.session, sip_call_id=call_id, caller=caller, called=called, now=at, line=LINE
    )


def event(call_id: str, kind: str, at: datetime, extension: str = "") -> bool:
    return events.note_event(
        db.session, sip_call_id=call_id, event=kind, extension=extension, now=at, line=LINE
    )


def call(call_id: str) -> Call:
    db.session.expire_all()
    return db.session.scalar(select(Call).where(Call.sip_call_id == call_id))


def agent(user_id: int) -> Agent:
    db.session.expire_all()
    return db.session.get(Agent, user_id)


def test_the_phone_credential_is_kept_as_its_digest(app):
    with app.app_context():
        user = factories.user(Role.OPERATOR, username="op-ha1")
        extension, password = credentials.issue_phone(db.session, user.id, realm="hotline", now=T0)
        assert extension == "8001" and len(password) >= 16
        assert credentials.ha1_of(db.session, extension) == digest_ha1(
            extension, "hotline", password
        )
        raw = db.session.execute(db.text("SELECT ha1 FROM agents")).scalar()
        assert password not in raw and digest_ha1(extension, "hotline", password) not in raw
        # A role that answers no calls gets no phone.
        official = factories.user(Role.OFFICIAL, username="official-ha1")
        with pytest.raises(Exception, match="role_answers_no_calls"):
            credentials.issue_phone(db.session, official.id, realm="hotline", now=T0)


def test_the_longest_waiting_ready_agent_gets_the_call(any_app):
    with any_app.app_context():
        first, ext1 = phone_for(Role.OPERATOR, "op-a")
        second, ext2 = phone_for(Role.OPERATOR, "op-b")
        ems, ext3 = phone_for(Role.EMS_DISPATCHER, "ems-a")
        ready(second, ext2, T0)  # waits longest
        ready(first, ext1, T0 + timedelta(seconds=5))
        ready(ems, ext3, T0 - timedelta(minutes=5))  # longer still, but answers 120 only
        decision = route("c1", T0 + timedelta(seconds=10))
        assert decision.as_json() == {"action": "ring", "extension": ext2, "ring_seconds": 15}
        assert agent(second).state == "ringing" and call("c1").agent_id == second
        assert route("c2", T0 + timedelta(seconds=11)).extension == ext1
        # Nobody else answers 12345: the third call waits first in line.
        assert route("c3", T0 + timedelta(seconds=12)).as_json() == {
            "action": "wait",
            "retry_ms": 500,
            "position": 1,
        }
        assert route("e1", T0 + timedelta(seconds=12), called="120").extension == ext3


def test_first_in_first_out_and_the_queue_limit(any_app):
    with any_app.app_context():
        user_id, ext = phone_for(Role.OPERATOR, "op-fifo")
        agents.note_registration(db.session, extension=ext, expires=3600, now=T0)
        at = T0
        for n in range(1, 4):
            assert route(f"q{n}", at + timedelta(seconds=n / 2)).position == n
        # The fourth is over the limit of three: refused, and on record as rejected.
        refused = route("q4", at + timedelta(seconds=2))
        assert (refused.action, refused.code) == ("reject", 486)
        assert call("q4").outcome == "rejected"
        agents.choose_state(
            db.session, user_id=user_id, wanted="ready", now=at + timedelta(seconds=2)
        )
        # The second asks first, yet the first gets the agent.
        later = at + timedelta(seconds=2.5)
        assert route("q2", later).action == "wait"
        assert route("q1", later).extension == ext
        # A call Kamailio stopped asking about holds no place.
        assert route("q3", later + timedelta(seconds=10)).position == 1


def test_no_answer_makes_the_agent_busy_and_the_call_goes_to_the_next(any_app):
    with any_app.app_context():
        a, ext_a = phone_for(Role.OPERATOR, "op-na")
        b, ext_b = phone_for(Role.OPERATOR, "op-nb")
        ready(a, ext_a, T0)
        ready(b, ext_b, T0 + timedelta(seconds=1))
        assert route("n1", T0 + timedelta(seconds=2)).extension == ext_a
        assert event("n1", "no_answer", T0 + timedelta(seconds=17), ext_a)
        assert agent(a).state == "busy" and call("n1").state == "queued"
        assert route("n1", T0 + timedelta(seconds=17)).extension == ext_b
        assert event("n1", "answered", T0 + timedelta(seconds=20), ext_b)
        assert event("n1", "ended", T0 + timedelta(seconds=80), ext_b)
        done = call("n1")
        assert (done.outcome, done.agent_id, done.offers) == ("answered", b, 2)
        assert done.offered_at == T0 + timedelta(seconds=2)
        assert done.answered_at == T0 + timedelta(seconds=20)
        # After-call work, then ready again by itself, behind nobody who came later.
        assert agent(b).state == "after_call"
        assert route("n2", T0 + timedelta(seconds=90)).action == "wait"
        assert route("n2", T0 + timedelta(seconds=111)).extension == ext_b
        # A report repeated changes nothing.
        assert event("n1", "ended", T0 + timedelta(seconds=200), ext_b)
        assert call("n1").ended_at == T0 + timedelta(seconds=80)


def test_a_caller_who_hangs_up_is_an_abandoned_call(any_app):
    with any_app.app_context():
        a, ext = phone_for(Role.OPERATOR, "op-ab")
        assert route("w1", T0).action == "wait"
        assert event("w1", "abandoned", T0 + timedelta(seconds=30))
        assert (call("w1").outcome, call("w1").ended_at) == (
            "abandoned",
            T0 + timedelta(seconds=30),
        )
        # Abandoned while ringing: the agent is ready again, in the place they had.
        ready(a, ext, T0 + timedelta(seconds=40))
        assert route("w2", T0 + timedelta(seconds=50)).extension == ext
        assert event("w2", "abandoned", T0 + timedelta(seconds=52), ext)
        assert agent(a).state == "ready" and agent(a).ready_since == T0 + timedelta(seconds=40)
        assert route("w1", T0 + timedelta(seconds=60)).code == 487  # ended: never again


def test_a_locked_number_is_flagged_and_can_go_to_a_supervisor(any_app):
    with any_app.app_context():
        op, ext_op = phone_for(Role.OPERATOR, "op-lock")
        boss, ext_boss = phone_for(Role.SUPERVISOR, "sup-lock")
        ready(op, ext_op, T0)
        ready(boss, ext_boss, T0 + timedelta(seconds=1))
        db.session.add(
            MaliciousNumber(
                phone="13900000009",
                until=T0 + timedelta(days=1),
                reason="骚扰（合成）",
                set_by_id=boss,
                set_at=T0,
                to_supervisor=True,
            )
        )
        db.session.commit()
        assert route("m1", T0 + timedelta(seconds=2), caller="13900000009").extension == ext_boss
        assert call("m1").flagged and call("m1").queue == "supervisor"
        assert route("m2", T0 + timedelta(seconds=3)).extension == ext_op


def test_two_calls_at_once_never_ring_one_agent(any_app):
    """Forty calls routed from eight threads against five agents: each agent rings once."""
    with any_app.app_context():
        extensions = []
        for n in range(5):
            user_id, ext = phone_for(Role.OPERATOR, f"op-race-{n}")
            ready(user_id, ext, T0 + timedelta(seconds=n))
            extensions.append(ext)
    rung: list[str] = []
    errors: list[Exception] = []

    def caller(worker: int) -> None:
        with any_app.app_context():
            for n in range(5):
                try:
                    decision = route(f"race-{worker}-{n}", T0 + timedelta(minutes=1))
                except Exception as exc:  # noqa: BLE001 - reported below
                    errors.append(exc)
                    continue
                if decision.action == "ring":
                    rung.append(decision.extension)
            db.session.remove()

    threads = [threading.Thread(target=caller, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(rung) == sorted(extensions)  # every agent once, none twice
    with any_app.app_context():
        ringing = db.session.scalars(select(Call).where(Call.state == "ringing")).all()
        assert sorted(c.agent_id for c in ringing) == sorted(
            a.user_id for a in db.session.scalars(select(Agent))
        )


def test_the_order_records_the_call_it_came_from(app):
    with app.app_context():
        user_id, ext = phone_for(Role.OPERATOR, "op-link")
        ready(user_id, ext, T0)
        route("l1", T0, caller="13700000007")
        event("l1", "answered", T0 + timedelta(seconds=3), ext)
        call_id = call("l1").id
        assert records.taken_by(db.session, call_id=call_id, user_id=user_id) is not None
        order = factories.order(caller_phone="13700000007")
        records.link_hook(db.session, call_id=call_id, user_id=user_id)(order.id)
        db.session.commit()
        assert call("l1").order_id == order.id
        later = T0 + timedelta(seconds=4)
        _agent, pop = records.screen_pop(db.session, user_id=user_id, role=Role.OPERATOR, now=later)
        assert pop.call.caller == "13700000007"
        assert [o.number for o in pop.history] == [order.number]
        # 120 reads no 12345 orders: its pop shows the caller, not their history.
        _agent, pop = records.screen_pop(
            db.session, user_id=user_id, role=Role.EMS_DISPATCHER, now=later
        )
        assert pop.call.caller == "13700000007" and pop.history == []


def test_a_queue_never_waits_behind_what_is_not_its_caller(app):
    """An unused click-to-call is no caller in the queue (and ends when its token expires);
    ready agents of another queue waiting longer hide nobody (the skill is in the SQL)."""
    from hotline.services.telephony import dialing, reconcile

    with app.app_context():
        desk, ext_desk = phone_for(Role.DESK, "desk-click")
        ems, ext_ems = phone_for(Role.EMS_DISPATCHER, "ems-longest")
        op, ext_op = phone_for(Role.OPERATOR, "op-later")
        order = factories.order(caller_phone="13800000123")
        dialing.request_dial(
            db.session, user=db.session.get(User, desk), order_number=order.number, now=T0
        )
        ready(ems, ext_ems, T0)
        ready(op, ext_op, T0 + timedelta(seconds=1))
        assert route("after-click", T0 + timedelta(seconds=2)).extension == ext_op
        reconcile.end_lost(db.session, now=T0 + timedelta(minutes=3))
        unused = db.session.scalar(select(Call).where(Call.direction == "out"))
        assert (unused.outcome, unused.dial_token) == ("not_answered", None)
        assert ext_desk


def test_a_busy_agent_calling_out_stays_busy(app):
    from hotline.services.telephony import dialing

    with app.app_context():
        desk, ext = phone_for(Role.DESK, "desk-busy")
        agents.note_registration(db.session, extension=ext, expires=3600, now=T0)
        agents.choose_state(db.session, user_id=desk, wanted="busy", now=T0)
        order = factories.order(caller_phone="13800000124")
        token, _shown = dialing.request_dial(
            db.session, user=db.session.get(User, desk), order_number=order.number, now=T0
        )
        assert (
            dialing.resolve_dial(
                db.session, dialled=token, extension=ext, sip_call_id="out-busy", now=T0
            )
            == "13800000124"
        )
        event("out-busy", "answered", T0 + timedelta(seconds=5), ext)
        event("out-busy", "ended", T0 + timedelta(seconds=60), ext)
        assert agent(desk).state == "busy"
        assert call("out-busy").outcome == "answered"
        # A Call-ID already on record is no token's call (no 500).
        token, _shown = dialing.request_dial(
            db.session, user=db.session.get(User, desk), order_number=order.number, now=T0
        )
        assert (
            dialing.resolve_dial(
                db.session, dialled=token, extension=ext, sip_call_id="out-busy", now=T0
            )
            is None
        )
