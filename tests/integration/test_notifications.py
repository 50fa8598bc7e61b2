"""The outbox: messages written with what caused them, delivered once, retried with backoff."""

from datetime import timedelta

from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.core.orders.workflow import Action
from hotline.models import Notification
from hotline.plugins import db
from hotline.services.deadlines import escalation
from hotline.services.notifications import outbox as notifications
from tests import factories

T0 = factories.NOW


def outbox() -> list[Notification]:
    return list(db.session.scalars(select(Notification).order_by(Notification.id)))


def test_intake_closure_and_escalation_write_to_the_outbox(any_app):
    with any_app.app_context():
        order = factories.order(caller_phone="13912345678")
        staff = factories.user(Role.DEPARTMENT, "东城区城市管理委员会")
        desk = factories.user(Role.DESK)
        late = factories.order()
        escalation.sweep(db.session, T0 + timedelta(days=12))
        factories.act(staff, order.number, Action.ACCEPT)
        factories.act(staff, order.number, Action.REPLY, "已处理")
        factories.act(desk, order.number, Action.APPROVE)
        messages = [(n.channel, notifications.recipient_of(n), n.order_id) for n in outbox()]
        department = f"department:{late.department_id}"
        assert ("sms", "13912345678", order.id) in messages  # accepted, with its number
        assert ("in_app", department, late.id) in messages  # 催办
        assert ("in_app", "role:supervisor", late.id) in messages  # 督办
        assert ("in_app", "role:official", late.id) in messages
        closing = [n for n in outbox() if n.order_id == order.id and "已办结" in n.text]
        assert len(closing) == 1 and order.number in outbox()[0].text


def test_a_sender_that_fails_twice_delivers_once(app):
    calls = []

    def flaky(message):
        calls.append(message.id)
        if len(calls) <= 2:
            raise ConnectionError("gateway down")

    with app.app_context():
        notifications.enqueue(
            db.session, channel="sms", recipient="13912345678", text="测试", now=T0
        )
        db.session.commit()
        assert notifications.deliver_due(db.session, sender=flaky, now=T0) == 0
        assert (
            notifications.deliver_due(db.session, sender=flaky, now=T0 + timedelta(seconds=30)) == 0
        )
        assert calls == [1]  # backing off: not tried again within the minute
        assert (
            notifications.deliver_due(db.session, sender=flaky, now=T0 + timedelta(minutes=1)) == 0
        )
        assert (
            notifications.deliver_due(db.session, sender=flaky, now=T0 + timedelta(minutes=3)) == 1
        )
        assert notifications.deliver_due(db.session, sender=flaky, now=T0 + timedelta(hours=5)) == 0
        assert calls == [1, 1, 1]
        note = db.session.scalar(select(Notification))
        db.session.refresh(note)
        assert (note.state, note.attempts, note.last_error) == ("delivered", 3, "gateway down")


def test_backoff_grows_and_is_capped():
    assert [notifications.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert notifications.backoff(30) == timedelta(hours=1)
