import pytest
from sqlalchemy import func, select

from hotline.core.accounts.roles import Role
from hotline.core.orders.workflow import Action, State
from hotline.models import AuditEvent
from hotline.plugins import db
from hotline.services.errors import Conflict, NotFound, ValidationFailed
from hotline.services.orders import queries
from tests import factories
from tests.factories import act

DONGCHENG = "东城区城市管理委员会"
CHAOYANG = "朝阳区城市管理委员会"


def audit_count(order) -> int:
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.order_id == order.id)
    )


def test_accept_reply_approve(any_app):
    with any_app.app_context():
        staff = factories.user(Role.DEPARTMENT, DONGCHENG)
        desk = factories.user(Role.DESK)
        order = factories.order()
        act(staff, order.number, Action.ACCEPT)
        act(staff, order.number, Action.REPLY, "已责令施工单位夜间停工。")
        closed = act(desk, order.number, Action.APPROVE)
        assert closed.state == State.CLOSED.value
        assert closed.reply_text == "已责令施工单位夜间停工。"
        assert closed.accepted_at and closed.replied_at and closed.closed_at
        # create, accept, reply, approve, and the survey the closure scheduled
        assert audit_count(closed) == 5


def test_return_and_redispatch_with_reasons(any_app):
    with any_app.app_context():
        staff = factories.user(Role.DEPARTMENT, DONGCHENG)
        desk = factories.user(Role.DESK)
        order = factories.order()
        returned = act(staff, order.number, Action.RETURN, "属朝阳区管辖")
        assert returned.state == State.RETURNED.value and returned.department_id is None
        assert returned.return_count == 1
        target = factories.department(CHAOYANG)
        redone = act(desk, order.number, Action.REROUTE, "改派朝阳", department_id=target.id)
        assert redone.department_id == target.id and redone.routing_reason == "manual"
        notes = [e.note for e in queries.timeline(db.session, redone)]
        assert notes[-2] == f"{DONGCHENG}: 属朝阳区管辖"
        assert notes[-1] == f"→ {CHAOYANG}: 改派朝阳"


def test_send_back_returns_the_order_to_the_department(app):
    with app.app_context():
        staff = factories.user(Role.DEPARTMENT, DONGCHENG)
        desk = factories.user(Role.DESK)
        order = factories.order()
        act(staff, order.number, Action.ACCEPT)
        act(staff, order.number, Action.REPLY, "已处理")
        back = act(desk, order.number, Action.SEND_BACK, "答复未说明处理结果")
        assert back.state == State.ACCEPTED.value


def test_manual_triage_needs_a_department(app):
    with app.app_context():
        desk = factories.user(Role.DESK)
        order = factories.order(lon="117.2", lat="39.13")
        with pytest.raises(ValidationFailed) as err:
            act(desk, order.number, Action.ROUTE)
        assert err.value.errors == {"department_id": "required"}
        dispatched = act(
            desk, order.number, Action.ROUTE, department_id=factories.department(CHAOYANG).id
        )
        assert dispatched.state == State.ROUTED.value


def test_other_departments_cannot_see_or_act(app):
    with app.app_context():
        outsider = factories.user(Role.DEPARTMENT, CHAOYANG)
        order = factories.order()
        with pytest.raises(NotFound):
            act(outsider, order.number, Action.ACCEPT)
        with pytest.raises(NotFound):
            queries.get_order(db.session, actor=outsider, number=order.number)
        assert queries.department_queue(db.session, outsider) == []
        assert audit_count(order) == 1


def test_illegal_transition_is_refused_and_not_audited(app):
    with app.app_context():
        staff = factories.user(Role.DEPARTMENT, DONGCHENG)
        order = factories.order()
        with pytest.raises(ValidationFailed) as err:
            act(staff, order.number, Action.REPLY, "跳过签收")
        assert err.value.errors == {"action": "not_allowed_in_state"}
        assert audit_count(order) == 1


def test_stale_form_version_is_a_conflict(any_app):
    with any_app.app_context():
        staff = factories.user(Role.DEPARTMENT, DONGCHENG)
        order = factories.order()
        seen = order.version
        act(staff, order.number, Action.ACCEPT, expected_version=seen)
        with pytest.raises(Conflict):
            act(staff, order.number, Action.RETURN, "不属本单位", expected_version=seen)
