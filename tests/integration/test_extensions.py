"""Extensions (延期): asked before the deadline, decided by a supervisor, all audited."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.database import utcnow
from hotline.models import AuditEvent, WorkOrder
from hotline.plugins import db
from hotline.services.deadlines import extensions
from hotline.services.errors import Forbidden, NotFound, ValidationFailed
from tests import factories

DONGCHENG = "东城区城市管理委员会"
TZ = "Asia/Shanghai"


def ask(staff, number, day, now=factories.NOW, reason="需协调多个部门"):
    return extensions.request_extension(
        db.session,
        actor_id=staff.id,
        number=number,
        new_day=day,
        reason=reason,
        now=now,
        timezone=TZ,
    )


def decide(boss, request, approve, note, now=factories.NOW):
    return extensions.decide(
        db.session,
        actor_id=boss.id,
        request_id=request.id,
        approve=approve,
        note=note,
        now=now,
        timezone=TZ,
    )


def test_approval_moves_the_due_time_and_everything_is_audited(any_app):
    with any_app.app_context():
        staff = factories.user(Role.DEPARTMENT, DONGCHENG)
        boss = factories.user(Role.SUPERVISOR)
        order = factories.order()  # due Fri 27 Nov 17:30 Beijing
        request = ask(staff, order.number, date(2026, 12, 4))
        decide(boss, request, True, "同意")
        due = db.session.scalar(select(WorkOrder.due_at).where(WorkOrder.id == order.id))
        assert due == datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.order_id == order.id).order_by(AuditEvent.id)
        ).all()
        assert actions == ["create", "extension_request", "extension_approve"]
        with pytest.raises(ValidationFailed):
            decide(boss, request, False, "")


def test_refusal_keeps_the_due_time(app):
    with app.app_context():
        staff = factories.user(Role.DEPARTMENT, DONGCHENG)
        boss = factories.user(Role.SUPERVISOR)
        order = factories.order()
        before = order.due_at
        request = ask(staff, order.number, date(2026, 12, 4))
        decide(boss, request, False, "理由不足")
        assert db.session.scalar(select(WorkOrder.due_at).where(WorkOrder.id == order.id)) == before


def test_requests_after_the_deadline_or_not_later_are_refused(app):
    with app.app_context():
        staff = factories.user(Role.DEPARTMENT, DONGCHENG)
        order = factories.order()
        late = factories.NOW + timedelta(days=10)
        with pytest.raises(ValidationFailed) as err:
            ask(staff, order.number, date(2026, 12, 10), now=late)
        assert err.value.errors == {"day": "after_deadline"}
        with pytest.raises(ValidationFailed) as err:
            ask(staff, order.number, date(2026, 11, 26))
        assert err.value.errors == {"day": "not_later"}
        ask(staff, order.number, date(2026, 12, 4))
        with pytest.raises(ValidationFailed) as err:
            ask(staff, order.number, date(2026, 12, 8))
        assert err.value.errors == {"day": "already_pending"}


def test_only_the_department_asks_and_only_supervisors_decide(app):
    with app.app_context():
        outsider = factories.user(Role.DEPARTMENT, "朝阳区城市管理委员会")
        staff = factories.user(Role.DEPARTMENT, DONGCHENG)
        operator = factories.user(Role.OPERATOR)
        order = factories.order()
        with pytest.raises(NotFound):
            ask(outsider, order.number, date(2026, 12, 4))
        with pytest.raises(Forbidden):
            ask(operator, order.number, date(2026, 12, 4))
        request = ask(staff, order.number, date(2026, 12, 4))
        with pytest.raises(Forbidden):
            decide(staff, request, True, "")


def test_extension_through_the_pages(make, login):
    order = make(factories.order, now=utcnow())
    staff = login(make(factories.user, Role.DEPARTMENT, DONGCHENG))
    page = staff.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "申请延期" in page
    new_day = (utcnow() + timedelta(days=40)).date().isoformat()
    staff.post(f"/orders/{order.number}/extension", {"day": new_day, "reason": "需要施工"})
    boss = login(make(factories.user, Role.SUPERVISOR))
    listing = boss.get("/orders/extensions").get_data(as_text=True)
    assert order.number in listing and "需要施工" in listing
    request_id = make(lambda: extensions.pending(db.session)[0]).id
    boss.post(f"/orders/extensions/{request_id}/approve", {"note": "同意"})
    detail = boss.get(f"/orders/{order.number}").get_data(as_text=True)
    assert new_day in detail and "同意延期" in detail
    assert staff.post(f"/orders/{order.number}/extension", {"day": "soon"}).status_code == 303


def test_an_approval_after_the_old_deadline_takes_the_order_out_of_overdue(app):
    from hotline.services.deadlines import escalation

    with app.app_context():
        staff = factories.user(Role.DEPARTMENT, DONGCHENG)
        boss = factories.user(Role.SUPERVISOR)
        order = factories.order()  # due Fri 27 Nov 17:30 Beijing
        request = ask(staff, order.number, date(2026, 12, 11))  # asked in time
        late = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # the old deadline has passed
        escalation.sweep(db.session, late)
        level = select(WorkOrder.escalation_level).where(WorkOrder.id == order.id)
        assert db.session.scalar(level) == 2  # 催办 on the old deadline
        decide(boss, request, True, "同意", late)
        assert db.session.scalar(level) == 0  # the new deadline is far away
        escalation.sweep(db.session, datetime(2026, 12, 12, 2, 0, tzinfo=UTC))
        assert db.session.scalar(level) == 2  # and the new one escalates as usual
