"""The 街乡镇 ranking (lead work, by the KPI counts) and the assisting units' figures (协办
tasks), by grouped SQL over the period: one query per figure, never one per unit."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from hotline.core.deadlines.limits import RESPONSE_LIMIT
from hotline.core.orders.tasks import OPEN_TASK_STATES, TaskKind, TaskState
from hotline.core.reports import kpi, ranking
from hotline.core.units.kinds import STREET
from hotline.models import Department, OrderTask
from hotline.services.reports.handling_times import seconds_between
from hotline.services.reports.scope import Window

_OPEN = [state.value for state in OPEN_TASK_STATES]


def _has_lead_work(counts: kpi.Counts) -> bool:
    """Orders received, routed or rated in the period: the unit had lead work."""
    return bool(counts.received or counts.routed or counts.valid_answers)


def street_figures(
    session: Session, counts: dict[int | None, kpi.Counts], *, district_id: int | None = None
) -> list[ranking.UnitFigures]:
    """The active 街乡镇 units with lead work in `counts` (from `kpis.counts_by_department`),
    optionally of one district, with their three rates by the KPI definitions."""
    query = select(Department).where(Department.level == STREET, Department.active.is_(True))
    if district_id is not None:
        query = query.where(Department.district_id == district_id)
    units = []
    for unit in session.scalars(query):
        found = counts.get(unit.id)
        if found is None or not _has_lead_work(found):
            continue
        figures = kpi.figures(found)
        units.append(
            ranking.UnitFigures(
                unit_id=unit.id,
                district=unit.district.name if unit.district else "",
                name=unit.name,
                code=unit.code or "",
                orders=found.received,
                response=figures.response,
                resolution=figures.resolution,
                satisfaction=figures.satisfaction,
            )
        )
    return units


def street_ranking(
    session: Session,
    window: Window,
    counts: dict[int | None, kpi.Counts],
    *,
    minimum_orders: int = ranking.DEFAULT_MINIMUM_ORDERS,
) -> list[ranking.Ranked]:
    """The 街乡镇 of the window's district (or all) ranked, from the window's counts by
    department (`kpis.counts_by_department`, which the page and the report have already).
    A department window ranks that department alone: rank citywide and take `own_row`."""
    units = street_figures(session, counts, district_id=window.district_id)
    if window.department_id is not None:
        units = [u for u in units if u.unit_id == window.department_id]
    return ranking.rank(units, minimum_orders)


def own_row(
    session: Session,
    window: Window,
    count: Callable[[Window], dict[int | None, kpi.Counts]],
    *,
    minimum_orders: int = ranking.DEFAULT_MINIMUM_ORDERS,
) -> list[ranking.Ranked]:
    """The window's department's own row of the citywide ranking, placed among all 街乡镇
    (empty when it is no active 街乡镇: then nothing is counted); `count` gives a window's
    counts by department (`kpis.counts_by_department`)."""
    unit = session.get(Department, window.department_id or -1)
    if unit is None or unit.level != STREET or not unit.active:
        return []
    everywhere = Window(window.start, window.end)
    rows = street_ranking(session, everywhere, count(everywhere), minimum_orders=minimum_orders)
    return [row for row in rows if row.unit.unit_id == unit.id]


@dataclass(frozen=True)
class AssistRow:
    """One unit's assisting work (协办 tasks received in the period) and what became of it."""

    department: Department
    received: int  # tasks made in the period
    whistles: int  # of them 吹哨 (may not be declined)
    responded_in_time: int  # accepted (or answered) within the response limit of 响应率
    replied_on_time: int  # replied by the task's due time
    declined: int
    open_past_due: int  # still open (not accepted, or accepted) and past its due time
    withdrawn: int  # taken back by the lead unit (or the order left it)


def _count(condition) -> object:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def assist_rows(session: Session, window: Window, *, now: datetime) -> list[AssistRow]:
    """The assisting units' figures for the 协办 tasks made in the window (its department or
    district, by the holder unit), most tasks first; `now` decides what is past due."""
    task = OrderTask
    replied = task.state == TaskState.REPLIED.value
    limit = RESPONSE_LIMIT.total_seconds()
    # Answered in time: accepted within the limit, or replied within it without accepting
    # first (a reply accepts). A decline is no answer to the work asked.
    responded = or_(
        and_(
            task.accepted_at.is_not(None),
            seconds_between(session, task.accepted_at, task.created_at) <= limit,
        ),
        and_(
            task.accepted_at.is_(None),
            replied,
            seconds_between(session, task.finished_at, task.created_at) <= limit,
        ),
    )
    query = select(
        task.department_id,
        func.count(),
        _count(task.whistle),
        _count(responded),
        _count(and_(replied, task.finished_at <= task.due_at)),
        _count(task.state == TaskState.DECLINED.value),
        _count(and_(task.state.in_(_OPEN), task.due_at < now)),
        _count(task.state == TaskState.WITHDRAWN.value),
    ).where(
        task.kind == TaskKind.ASSIST.value,
        task.created_at >= window.start,
        task.created_at < window.end,
    )
    if window.department_id is not None:
        query = query.where(task.department_id == window.department_id)
    if window.district_id is not None:
        holder = select(Department.id).where(Department.district_id == window.district_id)
        query = query.where(task.department_id.in_(holder))
    found = session.execute(query.group_by(task.department_id)).all()
    units = {
        d.id: d
        for d in session.scalars(select(Department).where(Department.id.in_([r[0] for r in found])))
    }
    rows = [AssistRow(units[r[0]], *(int(v) for v in r[1:])) for r in found]
    return sorted(rows, key=lambda row: (-row.received, row.department.name))
