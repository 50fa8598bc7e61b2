"""Co-handling (协办, 吹哨), second-level dispatch (二级派单) and transfers (转办) through
the services: who sees the order and when, who may do what, and the audit trail."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.core.deadlines.notices import NoticeState
from hotline.core.orders.tasks import TaskAction, TaskState
from hotline.core.orders.workflow import Action, Arbitration, State
from hotline.models import AuditEvent, Department, Notification, WorkOrder
from hotline.plugins import db
from hotline.services.deadlines import notices
from hotline.services.errors import Conflict, NotFound, ValidationFailed
from hotline.services.orders import co_handling, pages, queries
from hotline.services.units import organisation
from tests import factories
from tests.factories import NOW, act

DONGCHENG = "东城区城市管理委员会"
DONGCHENG_HOUSING = "东城区住房和城乡建设委员会"
CHAOYANG = "朝阳区城市管理委员会"
SANLITUN = "朝阳区三里屯街道"
DUE = NOW + timedelta(days=2)


def actions(order) -> list[str]:
    query = select(AuditEvent.action).where(AuditEvent.order_id == order.id)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def sees(user, order) -> bool:
    try:
        queries.get_order(db.session, actor=user, number=order.number)
    except NotFound:
        return False
    return True


def step(user, task, action: TaskAction, note: str = "", **kwargs):
    return co_handling.act(
        db.session,
        actor_id=user.id,
        number=task.order.number,
        task_id=task.id,
        action=action,
        note=note,
        now=NOW,
        **kwargs,
    )


def ask(user, order, unit_ids, instruction="请协助", due=DUE, **kwargs):
    """The lead's request for assistance, through the service."""
    return co_handling.ask_for_help(
        db.session,
        actor_id=user.id,
        number=order.number,
        department_ids=unit_ids,
        instruction=instruction,
        due_at=due,
        now=NOW,
        **kwargs,
    )


def issue_notice(supervisor, order):
    """A supervisor's notice on the order, to answer within four hours."""
    return notices.issue(
        db.session,
        actor_id=supervisor.id,
        number=order.number,
        instruction="请说明进展",
        respond_by=NOW + timedelta(hours=4),
        now=NOW,
        timezone="Asia/Shanghai",
    )


def assign(*, lead, order, unit=None, user=None, instruction="请办理"):
    """The lead's second-level dispatch to a sub-unit (id) or a colleague (id)."""
    return co_handling.assign(
        db.session,
        actor_id=lead.id,
        number=order.number,
        sub_unit_id=unit,
        user_id=user,
        instruction=instruction,
        due_at=DUE,
        now=NOW,
    )


def street_order():
    """An order with 三里屯街道 (a 街乡镇), accepted by its staff member."""
    desk = factories.user(Role.DESK)
    street = factories.user(Role.DEPARTMENT, SANLITUN)
    order = factories.order()
    unit = factories.department(SANLITUN)
    act(desk, order.number, Action.REROUTE, "属地", department_id=unit.id)
    act(street, order.number, Action.ACCEPT)
    return order, street


def test_a_street_blows_the_whistle_and_the_body_must_answer(app):
    with app.app_context():
        order, street = street_order()
        body = factories.user(Role.DEPARTMENT, CHAOYANG)
        assert not sees(body, order)
        (task,) = ask(
            street,
            order,
            [factories.department(CHAOYANG).id],
            instruction="占道经营反复出现，请城管执法队联合整治",
        )
        assert task.whistle and task.state == TaskState.OPEN.value
        # The body sees the order while its task is open, in its own queue of tasks.
        assert sees(body, order)
        assert [t.id for t in co_handling.held_by(db.session, body)] == [task.id]
        # It may not act on the order itself: that is the lead unit's.
        with pytest.raises(NotFound):
            act(body, order.number, Action.REPLY, "已处理")
        # A whistle cannot be declined.
        with pytest.raises(ValidationFailed) as refused:
            step(body, task, TaskAction.DECLINE, "不归我们")
        assert refused.value.errors == {"action": "whistle_cannot_decline"}
        # The lead cannot reply to the desk while the task is open.
        with pytest.raises(ValidationFailed) as refused:
            act(street, order.number, Action.REPLY, "已整治")
        assert refused.value.errors == {"action": "tasks_open"}
        step(body, task, TaskAction.ACCEPT)
        step(body, task, TaskAction.REPLY, "已联合执法，清理摊位5处")
        assert not sees(body, order)  # the task is done: the order is out of sight again
        told = db.session.scalars(
            select(Notification.recipient).where(Notification.order_id == order.id)
        ).all()
        assert f"department:{factories.department(CHAOYANG).id}" in told
        assert f"department:{factories.department(SANLITUN).id}" in told
        replied = act(street, order.number, Action.REPLY, "已会同城管整治完毕")
        assert replied.state == State.REPLIED.value
        # The desk's review sees the assisting reply with the lead's.
        desk = factories.user(Role.DESK)
        page = pages.order_detail(db.session, actor=desk, number=order.number, ip="", now=NOW)
        assert [t.reply_text for t in page.work.tasks] == ["已联合执法，清理摊位5处"]
        assert actions(order)[-4:] == ["task_assist", "task_accept", "task_reply", "reply"]


def test_an_ordinary_assist_can_be_declined_and_withdrawn(app):
    with app.app_context():
        lead = factories.user(Role.DEPARTMENT, DONGCHENG)
        helper = factories.user(Role.DEPARTMENT, DONGCHENG_HOUSING)
        order = factories.order()
        with pytest.raises(ValidationFailed) as refused:  # the lead signs first
            ask(lead, order, [helper.department_id])
        assert refused.value.errors == {"action": "accept_first"}
        act(lead, order.number, Action.ACCEPT)
        housing, chaoyang = helper.department_id, factories.department(CHAOYANG).id
        first, second = ask(lead, order, [housing, chaoyang], instruction="请协助核查违建")
        assert not first.whistle  # a body asking a body: 协办, not 吹哨
        with pytest.raises(ValidationFailed) as refused:  # one open task per unit
            ask(lead, order, [housing], instruction="再请协助")
        assert refused.value.errors == {"department_ids": "task_open_already"}
        step(helper, first, TaskAction.DECLINE, "不属于住建职责")
        assert first.reply_text == "不属于住建职责" and not sees(helper, order)
        # Only the lead withdraws, with a reason; the other unit gets 404 for the task.
        with pytest.raises(NotFound):
            step(helper, second, TaskAction.WITHDRAW, "撤回")
        step(lead, second, TaskAction.WITHDRAW, "已自行处理")
        assert second.state == TaskState.WITHDRAWN.value
        assert actions(order).count("task_withdraw") == 1


def test_a_stale_task_is_a_conflict(app):
    with app.app_context():
        order, street = street_order()
        body = factories.user(Role.DEPARTMENT, CHAOYANG)
        (task,) = ask(street, order, [body.department_id])
        seen = task.version
        step(body, task, TaskAction.ACCEPT, expected_version=seen)
        # The lead's page still shows the old version: its withdrawal is refused.
        with pytest.raises(Conflict):
            step(street, task, TaskAction.WITHDRAW, "撤回", expected_version=seen)
        # The order's version moved on with the request: an old page's request is stale too.
        with pytest.raises(Conflict):
            ask(
                street,
                order,
                [factories.department(DONGCHENG).id],
                expected_version=order.version - 1,
            )


def test_second_level_dispatch_to_a_sub_unit_and_to_staff(app):
    with app.app_context():
        lead = factories.user(Role.DEPARTMENT, DONGCHENG)
        unit = factories.department(DONGCHENG)
        squad = organisation.save_department(
            db.session,
            department_id=None,
            name="东城区城市管理委员会执法一队",
            kind=unit.kind,
            district_id=None,
            active=True,
            parent_id=unit.id,
        )
        assert squad.level == "sub_unit" and squad.district_id == unit.district_id
        member = factories.user(Role.DEPARTMENT, "东城区城市管理委员会执法一队")
        colleague = factories.user(Role.DEPARTMENT, DONGCHENG)
        order = factories.order()
        act(lead, order.number, Action.ACCEPT)
        assert not sees(member, order)
        task = assign(lead=lead, order=order, unit=squad.id, instruction="请现场核实噪音来源")
        assert sees(member, order)
        # The unit's queue shows who holds what.
        queue = pages.department_queue(db.session, actor=lead, now=NOW)
        assert [t.department_id for t in queue.holders[order.id]] == [squad.id]
        with pytest.raises(ValidationFailed) as refused:  # one holder at a time
            assign(lead=lead, order=order, user=colleague.id, instruction="也请看看")
        assert refused.value.errors == {"target": "already_assigned"}
        step(member, task, TaskAction.REPLY, "系夜间施工，已告知停工")
        assert not sees(member, order)
        # Then to a named colleague: only that person may answer it.
        named = assign(lead=lead, order=order, user=colleague.id, instruction="请电话回复市民")
        with pytest.raises(NotFound):
            step(lead, named, TaskAction.REPLY, "代答")
        step(colleague, named, TaskAction.REPLY, "已电话告知")
        # A unit of another tree is not a sub-unit.
        with pytest.raises(ValidationFailed) as refused:
            assign(
                lead=lead, order=order, unit=factories.department(CHAOYANG).id, instruction="请办理"
            )
        assert refused.value.errors == {"target": "not_a_sub_unit"}
        act(lead, order.number, Action.REPLY, "已核实并处理")
        assert actions(order).count("task_assign") == 2


def test_returning_the_order_withdraws_its_open_tasks(app):
    with app.app_context():
        order, street = street_order()
        body = factories.user(Role.DEPARTMENT, CHAOYANG)
        (task,) = ask(street, order, [body.department_id])
        act(street, order.number, Action.RETURN, "不属本街道")
        db.session.refresh(task)
        assert task.state == TaskState.WITHDRAWN.value and not sees(body, order)


def test_transfers_follow_admin_rules_and_the_third_hop_goes_to_a_supervisor(app):
    with app.app_context():
        dongcheng = factories.user(Role.DEPARTMENT, DONGCHENG)
        housing = factories.user(Role.DEPARTMENT, DONGCHENG_HOUSING)
        desk = factories.user(Role.DESK)
        supervisor = factories.user(Role.SUPERVISOR)
        order = factories.order()
        with pytest.raises(ValidationFailed) as refused:
            act(
                dongcheng,
                order.number,
                Action.TRANSFER,
                "属住建",
                department_id=housing.department_id,
            )
        assert refused.value.errors == {"department_id": "transfer_not_allowed"}
        organisation.add_transfer_rule(
            db.session,
            from_department_id=dongcheng.department_id,
            to_department_id=housing.department_id,
        )
        moved = act(
            dongcheng, order.number, Action.TRANSFER, "属住建", department_id=housing.department_id
        )
        assert moved.state == State.ROUTED.value and moved.department_id == housing.department_id
        assert moved.transfer_count == 1 and moved.routing_reason == "transfer"
        back = act(housing, order.number, Action.RETURN, "不属住建")  # hop 2
        assert queries.timeline(db.session, back)[-1].note == f"{DONGCHENG_HOUSING}: 不属住建"
        act(desk, order.number, Action.REROUTE, "改派", department_id=dongcheng.department_id)
        third = act(dongcheng, order.number, Action.RETURN, "仍不属城管")  # hop 3
        assert third.state == State.RETURNED.value
        assert third.arbitration == Arbitration.PENDING.value
        assert actions(order)[-1] == "refer_to_supervisor"
        queues = queries.desk_queues(db.session, desk)
        assert order.id in [o.id for o in queues["arbitration"]]
        assert order.id not in [o.id for o in queues["returned"]]
        with pytest.raises(ValidationFailed) as refused:
            act(desk, order.number, Action.REROUTE, "改派", department_id=housing.department_id)
        assert refused.value.errors == {"action": "supervisor_decides"}
        decided = act(
            supervisor,
            order.number,
            Action.REROUTE,
            "裁定由住建办理",
            department_id=housing.department_id,
        )
        assert decided.arbitration == Arbitration.DECIDED.value
        with pytest.raises(ValidationFailed) as refused:
            act(housing, order.number, Action.RETURN, "仍不属住建")
        assert refused.value.errors == {"action": "decided_by_supervisor"}
        told = db.session.scalars(
            select(Notification.recipient).where(Notification.order_id == order.id)
        ).all()
        assert "role:supervisor" in told


def test_a_notice_to_a_unit_the_order_left_is_withdrawn_not_escalated(app):
    with app.app_context():
        staff = factories.user(Role.DEPARTMENT, DONGCHENG)
        supervisor = factories.user(Role.SUPERVISOR)
        order = factories.order()
        notice = issue_notice(supervisor, order)
        act(staff, order.number, Action.RETURN, "不属城管")
        db.session.refresh(notice)
        assert notice.state == NoticeState.WITHDRAWN.value
        assert notices.escalate_due(db.session, NOW + timedelta(days=1)) == 0
        assert actions(order)[-1] == "notice_withdrawn"


def test_a_named_holder_moved_to_another_unit_keeps_nothing(app):
    with app.app_context():
        lead = factories.user(Role.DEPARTMENT, DONGCHENG)
        colleague = factories.user(Role.DEPARTMENT, DONGCHENG)
        order = factories.order()
        act(lead, order.number, Action.ACCEPT)
        task = assign(lead=lead, order=order, user=colleague.id, instruction="请回复市民")
        assert sees(colleague, order)
        colleague.department_id = factories.department(CHAOYANG).id  # moved by an admin
        db.session.commit()
        assert not sees(colleague, order)
        with pytest.raises(NotFound):
            step(colleague, task, TaskAction.REPLY, "已回复")


def test_assistance_is_asked_of_units_only_a_few_at_a_time_and_within_the_order_due(app):
    with app.app_context():
        lead = factories.user(Role.DEPARTMENT, DONGCHENG)
        unit = factories.department(DONGCHENG)
        squad = organisation.save_department(
            db.session,
            department_id=None,
            name="朝阳区城市管理委员会执法一队",
            kind="urban_management",
            district_id=None,
            active=True,
            parent_id=factories.department(CHAOYANG).id,
        )
        order = factories.order()
        act(lead, order.number, Action.ACCEPT)

        def refused(ids, due=DUE):
            with pytest.raises(ValidationFailed) as refusal:
                ask(lead, order, ids, due=due)
            return refusal.value.errors

        # Another unit's 科室 is reached through that unit, not around it.
        assert refused([squad.id]) == {"department_ids": "unknown_department"}
        others = db.session.scalars(
            select(Department.id).where(Department.id != unit.id).limit(11)
        ).all()
        assert refused(list(others)) == {"department_ids": "too_many_units"}
        late = order.due_at + timedelta(days=1)
        assert refused([factories.department(CHAOYANG).id], late) == {"due_at": "after_order_due"}


def test_the_desk_cannot_overrule_a_supervisors_decision(app):
    with app.app_context():
        desk = factories.user(Role.DESK)
        supervisor = factories.user(Role.SUPERVISOR)
        housing = factories.department(DONGCHENG_HOUSING)
        order = factories.order()
        for _ in range(3):
            staff = factories.user(Role.DEPARTMENT, DONGCHENG)
            act(staff, order.number, Action.RETURN, "不属城管")
            if db.session.get(WorkOrder, order.id).arbitration:
                break
            act(desk, order.number, Action.REROUTE, "改派", department_id=staff.department_id)
        act(supervisor, order.number, Action.REROUTE, "裁定", department_id=housing.id)
        with pytest.raises(ValidationFailed) as refused:
            act(desk, order.number, Action.REROUTE, "再改派", department_id=staff.department_id)
        assert refused.value.errors == {"action": "supervisor_decides"}


def test_a_third_hop_by_transfer_says_where_it_was_asked_to_go_and_goes_to_a_supervisor(app):
    with app.app_context():
        dongcheng = factories.user(Role.DEPARTMENT, DONGCHENG)
        housing = factories.department(DONGCHENG_HOUSING)
        desk = factories.user(Role.DESK)
        organisation.add_transfer_rule(
            db.session, from_department_id=dongcheng.department_id, to_department_id=housing.id
        )
        order = factories.order()
        for _ in range(2):
            act(dongcheng, order.number, Action.RETURN, "不属城管")
            act(desk, order.number, Action.REROUTE, "改派", department_id=dongcheng.department_id)
        third = act(dongcheng, order.number, Action.TRANSFER, "属住建", department_id=housing.id)
        assert third.state == State.RETURNED.value and third.department_id is None
        assert third.routing_reason == "manual"  # it never went to 住建
        events = queries.timeline(db.session, third)
        assert events[-2].action == "transfer" and "改交督办员裁定" in events[-2].note
        assert events[-1].action == "refer_to_supervisor"


def test_a_withdrawn_notice_cannot_be_answered_later(app):
    with app.app_context():
        staff = factories.user(Role.DEPARTMENT, DONGCHENG)
        desk = factories.user(Role.DESK)
        supervisor = factories.user(Role.SUPERVISOR)
        order = factories.order()
        notice = issue_notice(supervisor, order)
        act(staff, order.number, Action.RETURN, "不属城管")
        act(desk, order.number, Action.REROUTE, "改派回城管", department_id=staff.department_id)
        with pytest.raises(ValidationFailed) as refused:
            notices.answer(
                db.session,
                actor_id=staff.id,
                number=order.number,
                notice_id=notice.id,
                text="迟到的回复",
                now=NOW,
            )
        assert refused.value.errors == {"action": "notice_withdrawn"}


def test_bad_input_on_the_task_forms_is_refused_cleanly_and_callers_are_masked(app, login):
    with app.app_context():
        order, street = street_order()
        number = order.number
        body = factories.user(Role.DEPARTMENT, CHAOYANG)
        body_id = body.department_id
    lead, helper = login(street), login(body)
    url = f"/orders/{number}"
    lead.get(url)
    bad = [
        ("/assist", {"department_ids": "²", "instruction": "请协助", "due_at": "2030-01-01T10:00"}),
        (
            "/assist",
            {"department_ids": "999999999999", "instruction": "x", "due_at": "2030-01-01T10:00"},
        ),
        (
            "/assign",
            {
                "target": "user:99999999999999999999",
                "instruction": "x",
                "due_at": "2030-01-01T10:00",
            },
        ),
        ("/assign", {"target": "unit:²", "instruction": "x", "due_at": "2030-01-01T10:00"}),
        ("/assist", {"department_ids": str(body_id), "instruction": "x", "due_at": "not a time"}),
    ]
    for path, data in bad:
        response = lead.post(url + path, data=data)
        assert response.status_code in (303, 302, 422), (path, data, response.status_code)
    assert lead.post(f"{url}/tasks/99999999999999999999/accept", data={}).status_code == 404
    with app.app_context():
        assert co_handling.for_order(db.session, order.id) == []
    # The order (made on the factories' day) is overdue now: a task may be due within days.
    tomorrow = datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=1)
    due = tomorrow.strftime("%Y-%m-%dT%H:%M")
    asked = lead.post(
        url + "/assist",
        data={"department_ids": str(body_id), "instruction": "请协助", "due_at": due},
    )
    assert asked.status_code in (302, 303)
    # The assisting unit sees the caller masked: the lead unit calls the citizen back.
    page = helper.get(url).get_data(as_text=True)
    assert "138****8000" in page and "13800138000" not in page
    assert "13800138000" in lead.get(url).get_data(as_text=True)


def test_an_overdue_task_is_reminded_once_to_its_holder_and_the_lead(app):
    with app.app_context():
        order, street = street_order()
        body = factories.user(Role.DEPARTMENT, CHAOYANG)
        (task,) = ask(street, order, [body.department_id])
        assert co_handling.remind_overdue(db.session, DUE - timedelta(minutes=1)) == 0
        assert co_handling.remind_overdue(db.session, DUE + timedelta(minutes=1)) == 1
        assert co_handling.remind_overdue(db.session, DUE + timedelta(hours=1)) == 0  # once
        assert actions(order)[-1] == "task_overdue"
        told = db.session.scalars(
            select(Notification.recipient).where(
                Notification.order_id == order.id, Notification.text.contains("超过答复时限")
            )
        ).all()
        assert sorted(told) == sorted(
            [f"department:{body.department_id}", f"department:{street.department_id}"]
        )
        db.session.refresh(task)
        assert task.overdue_told_at is not None
