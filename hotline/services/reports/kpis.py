"""The counts behind the KPIs of a period, by SQL aggregation, per department."""

from collections import defaultdict
from dataclasses import fields
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session

from hotline.core.orders.audit_actions import AuditAction
from hotline.core.orders.workflow import Action, State
from hotline.core.reports import kpi
from hotline.core.surveys.rules import Satisfaction, SurveyState
from hotline.models import AuditEvent, Department, Survey, User, WorkOrder
from hotline.services.reports.scope import Window

CLOSED = (State.CLOSED.value, State.CLOSED_AT_INTAKE.value)
_DONE = SurveyState.DONE.value
_MADE = (SurveyState.DONE.value, SurveyState.DECLINED.value)
# SQLite would look each order up in the wide table; the narrow index holds all the joins
# to an order's department and district need: twice as fast on a large database.
OWNER_ONLY = "INDEXED BY ix_work_orders_owner"


def _sum(condition) -> object:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _in_period(column, start: datetime, end: datetime):
    return and_(column >= start, column < end)


def by_time_range(window: Window) -> list:
    """The scope's conditions for a query that goes in by a time range: "+ 0" keeps SQLite
    off the district's index, which would read every order the district ever had."""
    only = []
    if window.department_id is not None:
        only.append(WorkOrder.department_id == window.department_id)
    if window.district_id is not None:
        only.append(WorkOrder.district_id + 0 == window.district_id)
    return only


def closed_by_due() -> ColumnElement[bool]:
    """An order closed by its deadline (the 按时办结 numerator), in SQL."""
    return and_(WorkOrder.state.in_(CLOSED), WorkOrder.closed_at <= WorkOrder.due_at)


def _order_queries(window: Window) -> dict[tuple[str, ...], Select]:
    """The order counts, each keyed by the names of the counts it selects after the
    department; the received orders go in by the district's index, the others by time."""
    dept, start, end = WorkOrder.department_id, window.start, window.end
    only = [dept == window.department_id] if window.department_id is not None else []
    if window.district_id is not None:
        only.append(WorkOrder.district_id == window.district_id)
    by_time = by_time_range(window)
    return {
        ("received", "closed", "closed_at_intake"): select(
            dept,
            func.count(),
            _sum(WorkOrder.state.in_(CLOSED)),
            _sum(WorkOrder.state == State.CLOSED_AT_INTAKE.value),
        ).where(_in_period(WorkOrder.created_at, start, end), *only),
        ("routed", "accepted_in_time"): select(
            dept, func.count(), _sum(WorkOrder.accepted_in_time)
        ).where(_in_period(WorkOrder.routed_at, start, end), *by_time),
        ("due", "closed_by_due"): select(dept, func.count(), _sum(closed_by_due())).where(
            _in_period(WorkOrder.due_at, start, end),
            WorkOrder.state != State.CANCELLED.value,
            *by_time,
        ),
    }


def _survey_queries(window: Window) -> dict[tuple[str, ...], Select]:
    """The survey counts, for the department whose handling was rated (kept on the survey)."""
    rated = Survey.department_id
    only = [rated == window.department_id] if window.department_id is not None else []
    if window.district_id is not None:
        only.append(Survey.district_id == window.district_id)
    answers = (
        "valid_answers",
        "resolved",
        "satisfied",
        "basically_satisfied",
        "dissatisfied",
        "reopened",
    )
    return {
        ("surveys_planned", "surveys_made"): select(
            rated, func.count(), _sum(Survey.state.in_(_MADE))
        ).where(_in_period(Survey.created_at, window.start, window.end), *only),
        answers: select(
            rated,
            func.count(),
            _sum(Survey.resolved),
            _sum(Survey.satisfaction == Satisfaction.SATISFIED.value),
            _sum(Survey.satisfaction == Satisfaction.BASIC.value),
            _sum(Survey.satisfaction == Satisfaction.DISSATISFIED.value),
            _sum(Survey.reopened),
        ).where(
            _in_period(Survey.completed_at, window.start, window.end),
            Survey.state == _DONE,
            *only,
        ),
    }


def counts_by_department(session: Session, window: Window) -> dict[int | None, kpi.Counts]:
    """Counts for the window keyed by department id (None: not with a department)."""
    found: dict[int | None, dict[str, int]] = defaultdict(dict)
    for names, query in {**_order_queries(window), **_survey_queries(window)}.items():
        for row in session.execute(query.group_by(query.selected_columns[0])):
            found[row[0]].update(zip(names, (int(v) for v in row[1:]), strict=True))
    for department, returned in _returns(session, window):
        found[department]["returned"] = returned
    for department, follow_ups in _follow_ups(session, window):
        found[department]["follow_ups"] = follow_ups
    return {key: kpi.Counts(**values) for key, values in found.items()}


def _returns(session: Session, window: Window) -> list[tuple[int | None, int]]:
    """退单 in the window from the audit trail, by the returning staff's department (the
    order itself has moved on to another department by then)."""
    query = (
        select(User.department_id, func.count())
        .select_from(AuditEvent)
        .join(User, User.id == AuditEvent.actor_id)
        .where(
            AuditEvent.action == Action.RETURN.value,
            _in_period(AuditEvent.at, window.start, window.end),
        )
    )
    if window.department_id is not None:
        query = query.where(User.department_id == window.department_id)
    if window.district_id is not None:
        query = query.join(WorkOrder, WorkOrder.id == AuditEvent.order_id).where(
            WorkOrder.district_id == window.district_id
        )
        query = query.with_hint(WorkOrder, OWNER_ONLY, dialect_name="sqlite")
    return [(d, int(n)) for d, n in session.execute(query.group_by(User.department_id))]


def _follow_ups(session: Session, window: Window) -> list[tuple[int | None, int]]:
    """Follow-up calls (追加诉求) in the window from the audit trail, by the order's
    handling unit: the repeat call counts against the unit that has the matter."""
    query = (
        select(WorkOrder.department_id, func.count())
        .select_from(AuditEvent)
        .join(WorkOrder, WorkOrder.id == AuditEvent.order_id)
        .where(
            AuditEvent.action == AuditAction.FOLLOW_UP_CALL.value,
            _in_period(AuditEvent.at, window.start, window.end),
            *by_time_range(window),
        )
        .with_hint(WorkOrder, OWNER_ONLY, dialect_name="sqlite")
    )
    return [(d, int(n)) for d, n in session.execute(query.group_by(WorkOrder.department_id))]


def total(counts: dict[int | None, kpi.Counts]) -> kpi.Counts:
    """All departments' counts added up."""
    names = [f.name for f in fields(kpi.Counts)]
    return kpi.Counts(**{n: sum(getattr(c, n) for c in counts.values()) for n in names})


def report(
    session: Session,
    window: Window,
    counts: dict[int | None, kpi.Counts] | None = None,
) -> tuple[kpi.Figures, list[tuple[Department | None, kpi.Figures]]]:
    """The window's figures overall and per department (by 满意率 then 解决率 then 响应率);
    `counts` when the caller already has the window's counts by department."""
    by_department = counts_by_department(session, window) if counts is None else counts
    departments = {
        d.id: d
        for d in session.scalars(
            select(Department).where(Department.id.in_([k for k in by_department if k]))
        )
    }
    rows = [(departments.get(k) if k else None, kpi.figures(c)) for k, c in by_department.items()]
    rows.sort(key=_rank)
    return kpi.figures(total(by_department)), rows


def _rank(row: tuple[Department | None, kpi.Figures]) -> tuple:
    ranked = (row[1].satisfaction, row[1].resolution, row[1].response)
    # Ties by name (orders not with a department last): the same order on every database.
    name = row[0].name if row[0] is not None else "\U0010ffff"
    return (*(-(rate.value or 0) for rate in ranked), name)
