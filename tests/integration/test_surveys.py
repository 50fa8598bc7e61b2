"""Surveys: scheduling at closure, retries, reopen (重办) and the second round."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.core.orders.workflow import Action, State
from hotline.core.surveys.rules import CallResult, Outcome, SurveyState, parse_call
from hotline.models import AuditEvent, Notification, Survey
from hotline.plugins import db
from hotline.services.errors import Conflict, Forbidden, ValidationFailed
from hotline.services.reports import kpis
from hotline.services.reports.scope import Window
from hotline.services.surveys import tasks as surveys
from tests import factories
from tests.factories import NOW, act

TZ = ZoneInfo("Asia/Shanghai")
DONGCHENG = "东城区城市管理委员会"
ANSWER = {**factories.SURVEY_ANSWER, "score": "10"}


def closed_order(**overrides):
    """An order taken through accept, reply and approval by the desk at NOW."""
    staff = factories.user(Role.DEPARTMENT, DONGCHENG)
    desk = factories.user(Role.DESK)
    order = factories.order(**overrides)
    act(staff, order.number, Action.ACCEPT)
    act(staff, order.number, Action.REPLY, "已处理")
    act(desk, order.number, Action.APPROVE)
    return order, staff, desk


def record(actor, task, form, now):
    return surveys.record_call(
        db.session,
        actor_id=actor.id,
        survey_id=task.id,
        result=parse_call(form, TZ),
        now=now,
        timezone="Asia/Shanghai",
    )


def test_closing_schedules_a_survey_for_the_next_working_day(any_app):
    with any_app.app_context():
        order, _, _ = closed_order()  # closed Friday 20 Nov 2026, 10:00
        [task] = surveys.for_order(db.session, order.id)
        assert task.round == 1 and task.state == "due"
        # It counts for the department that handled the order, wherever the order goes next.
        assert (task.department_id, task.district_id) == (order.department_id, order.district_id)
        assert task.department_id is not None and task.district_id is not None
        assert task.due_at == datetime(2026, 11, 23, 9, 0, tzinfo=TZ)  # Monday
        assert surveys.due(db.session, task.due_at - timedelta(seconds=1)) == []
        assert [t.id for t in surveys.due(db.session, task.due_at)] == [task.id]
        texts = db.session.scalars(select(Notification.text).where(Notification.channel == "sms"))
        assert any("回访" in t for t in texts)


def test_missed_calls_later_and_unreachable(any_app):
    with any_app.app_context():
        order, _, _ = closed_order()
        caller = factories.user(Role.SURVEYOR)
        [task] = surveys.for_order(db.session, order.id)
        monday = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
        record(caller, task, {"outcome": "not_reached"}, monday)
        assert task.attempts == 1 and task.due_at == datetime(2026, 11, 24, 9, tzinfo=TZ)
        with pytest.raises(ValidationFailed) as err:
            record(caller, task, {"outcome": "not_reached"}, monday + timedelta(hours=2))
        assert err.value.errors == {"outcome": "already_tried_today"}
        db.session.rollback()
        later = {"outcome": "later", "call_again_at": "2026-11-24T16:00"}
        record(caller, task, later, datetime(2026, 11, 24, 10, tzinfo=TZ))
        assert task.due_at == datetime(2026, 11, 24, 16, tzinfo=TZ) and task.attempts == 1
        record(caller, task, {"outcome": "not_reached"}, datetime(2026, 11, 24, 16, tzinfo=TZ))
        record(caller, task, {"outcome": "not_reached"}, datetime(2026, 11, 25, 9, tzinfo=TZ))
        assert task.state == SurveyState.UNREACHABLE.value and task.attempts == 3
        with pytest.raises(ValidationFailed):
            record(caller, task, ANSWER, datetime(2026, 11, 26, 9, tzinfo=TZ))
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.order_id == order.id)
        ).all()
        assert actions.count("survey_not_reached") == 3 and "survey_later" in actions


def test_dissatisfied_reopens_to_the_same_department_then_a_second_round(any_app):
    with any_app.app_context():
        order, staff, desk = closed_order()
        caller = factories.user(Role.SURVEYOR)
        [first] = surveys.for_order(db.session, order.id)
        monday = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
        form = {**ANSWER, "satisfaction": "dissatisfied", "comment": "噪音依旧"}
        record(caller, first, form, monday)
        db.session.refresh(order)
        assert first.state == "done" and first.reopened
        assert order.state == State.ROUTED.value and order.department.name == DONGCHENG
        assert order.reopen_count == 1 and order.escalation_level == 0
        assert order.closed_at is None and order.due_at > monday
        note = db.session.scalar(
            select(AuditEvent.note).where(
                AuditEvent.order_id == order.id, AuditEvent.action == "reopen"
            )
        )
        assert "噪音依旧" in note
        inbox = db.session.scalars(
            select(Notification.recipient).where(Notification.channel == "in_app")
        ).all()
        assert f"department:{order.department_id}" in inbox
        act(staff, order.number, Action.ACCEPT)
        act(staff, order.number, Action.REPLY, "再次整改")
        act(desk, order.number, Action.APPROVE)
        rounds = surveys.for_order(db.session, order.id)
        assert [(t.round, t.state) for t in rounds] == [(1, "done"), (2, "due")]
        record(caller, rounds[1], ANSWER, datetime(2026, 11, 24, 10, tzinfo=TZ))
        db.session.refresh(order)
        assert order.state == State.CLOSED.value and order.reopen_count == 1


def test_declined_and_unresolved(any_app):
    with any_app.app_context():
        order, _, _ = closed_order()
        caller = factories.user(Role.SURVEYOR)
        [task] = surveys.for_order(db.session, order.id)
        record(caller, task, {"outcome": "declined", "comment": "不需要"}, NOW + timedelta(days=3))
        assert task.state == "declined" and task.resolved is None
        db.session.refresh(order)
        assert order.state == State.CLOSED.value
        other, _, _ = closed_order()
        [task] = surveys.for_order(db.session, other.id)
        record(caller, task, {**ANSWER, "resolved": "no"}, NOW + timedelta(days=3))
        db.session.refresh(other)
        assert other.state == State.ROUTED.value


def test_confidential_reporters_are_called_only_with_consent(any_app):
    with any_app.app_context():
        report = {"order_type": "tip_off", "confidential": "on", "category_code": "0401"}
        silent, _, _ = closed_order(**report)
        assert surveys.for_order(db.session, silent.id) == []
        agreed, _, _ = closed_order(**report, survey_consent="on")
        assert [t.round for t in surveys.for_order(db.session, agreed.id)] == [1]


def test_only_survey_operators_and_supervisors_and_one_writer_wins(any_app):
    with any_app.app_context():
        order, staff, _ = closed_order()
        [task] = surveys.for_order(db.session, order.id)
        with pytest.raises(Forbidden):
            surveys.get(db.session, actor_id=staff.id, survey_id=task.id)
        caller = factories.user(Role.SURVEYOR)
        stale = task.version
        record(caller, task, {"outcome": "not_reached"}, NOW + timedelta(days=3))
        with pytest.raises(Conflict):
            surveys.record_call(
                db.session,
                actor_id=caller.id,
                survey_id=task.id,
                result=CallResult(Outcome.DECLINED),
                now=NOW + timedelta(days=4),
                timezone="Asia/Shanghai",
                expected_version=stale,
            )


def test_kpi_counts_on_a_hand_worked_fixture(any_app):
    with any_app.app_context():
        caller = factories.user(Role.SURVEYOR)
        later = NOW + timedelta(days=3)
        orders = [closed_order()[0] for _ in range(4)]
        factories.order()  # received, dispatched, never accepted
        tasks = [surveys.for_order(db.session, o.id)[0] for o in orders]
        record(caller, tasks[0], ANSWER, later)
        record(caller, tasks[1], {**ANSWER, "satisfaction": "basic"}, later)
        record(caller, tasks[2], {**ANSWER, "satisfaction": "dissatisfied"}, later)
        record(caller, tasks[3], {"outcome": "declined"}, later)
        start, end = NOW - timedelta(days=1), NOW + timedelta(days=30)
        counts = kpis.counts_by_department(db.session, Window(start, end))
        dept = factories.department(DONGCHENG).id
        c = counts[dept]
        # The reopened order was dispatched again and not yet accepted; the fifth never was.
        assert (c.received, c.closed, c.routed, c.accepted_in_time) == (5, 3, 5, 3)
        assert (c.surveys_planned, c.surveys_made, c.valid_answers) == (4, 4, 3)
        assert (c.satisfied, c.basically_satisfied, c.dissatisfied, c.resolved) == (1, 1, 1, 3)
        assert c.reopened == 1
        overall, rows = kpis.report(db.session, Window(start, end))
        assert overall.satisfaction.percent() == "66.7%" and overall.reopen.percent() == "33.3%"
        assert overall.survey.value == 1.0 and overall.response.value == 0.6
        empty, _ = kpis.report(db.session, Window(end, end + timedelta(days=1)))
        assert empty.satisfaction.percent() == "n/a"
        assert db.session.scalar(select(Survey.id).where(Survey.round == 2)) is None
