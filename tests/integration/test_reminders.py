"""Timed reminders (定时催办): the setter's list and the department's queue, at the set time."""

from datetime import timedelta

import pytest

from hotline.core.accounts.roles import Role
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.deadlines import reminders
from hotline.services.errors import Forbidden, ValidationFailed
from tests import factories

DONGCHENG = "东城区城市管理委员会"


def remind(user, number, at, note, now):
    return reminders.set_reminder(
        db.session, actor_id=user.id, number=number, remind_at=at, note=note, now=now
    )


def test_a_reminder_shows_up_only_once_its_time_has_come(app):
    with app.app_context():
        operator = factories.user(Role.OPERATOR)
        order = factories.order()
        at = factories.NOW + timedelta(hours=3)
        remind(operator, order.number, at, "回电市民", factories.NOW)
        assert (
            reminders.due_for(db.session, user_id=operator.id, now=at - timedelta(minutes=1)) == []
        )
        due = reminders.due_for(db.session, user_id=operator.id, now=at)
        assert [r.order.number for r in due] == [order.number]
        assert reminders.due_orders(db.session, [order.id], at)[order.id].note == "回电市民"
        with pytest.raises(ValidationFailed):
            remind(operator, order.number, at, "", at)
        staff = factories.user(Role.DEPARTMENT, DONGCHENG)
        with pytest.raises(Forbidden):
            remind(staff, order.number, at, "", factories.NOW)


def test_reminders_through_the_pages(make, login):
    order = make(factories.order, now=utcnow())
    setter = make(factories.user, Role.OPERATOR)
    operator = login(setter)
    soon = (utcnow() + timedelta(hours=9, seconds=5)).strftime("%Y-%m-%dT%H:%M:%S")
    response = operator.post(
        f"/orders/{order.number}/reminder", {"remind_at": soon, "note": "复核"}
    )
    assert response.status_code == 303
    assert order.number not in operator.get("/orders/reminders").get_data(as_text=True)
    past = (utcnow() + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M")  # Beijing is UTC+8
    refused = operator.post(
        f"/orders/{order.number}/reminder", {"remind_at": past}, follow_redirects=True
    )
    assert "请选择将来的时间" in refused.get_data(as_text=True)
    make(lambda: remind(setter, order.number, utcnow() + timedelta(seconds=1), "到点", utcnow()))
    import time

    time.sleep(1.2)
    assert order.number in operator.get("/orders/reminders").get_data(as_text=True)
    staff = login(make(factories.user, Role.DEPARTMENT, DONGCHENG))
    assert "到点" in staff.get("/orders/queue").get_data(as_text=True)
