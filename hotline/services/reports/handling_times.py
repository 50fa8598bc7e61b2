"""How long departments took and which orders ran late, by SQL aggregation, for the report."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, cast, func, literal, not_, select
from sqlalchemy.orm import Session

from hotline.core.orders.workflow import State
from hotline.database import UTCDateTime
from hotline.models import Category, Department, WorkOrder
from hotline.services.reports import kpis
from hotline.services.reports.scope import Window


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def seconds_between(
    session: Session, later: ColumnElement, earlier: ColumnElement
) -> ColumnElement[float]:
    """`later - earlier` in seconds, in SQL."""
    if _postgres(session):
        return func.extract("epoch", later - earlier)
    # julianday() is a float of days: 20 h can come back as 19.9999999925 h. SQLite keeps
    # microseconds but julianday() only milliseconds, so round to those.
    return func.round((func.julianday(later) - func.julianday(earlier)) * 86400, 3)


def clipped(
    session: Session, value: ColumnElement, low: datetime, high: datetime
) -> ColumnElement[datetime]:
    """`value` (a time column) kept within [low, high], in SQL."""
    low_at, high_at = literal(low, UTCDateTime()), literal(high, UTCDateTime())
    if _postgres(session):
        return func.least(func.greatest(value, low_at), high_at)
    return func.min(func.max(value, low_at), high_at)  # SQLite's scalar min/max


@dataclass(frozen=True)
class HandlingTime:
    """Dispatch to closure of the orders a department closed in the period."""

    closed: int
    average_hours: float | None
    median_hours: int | None  # the whole hour in which the middle order closed


def handling_times(session: Session, window: Window) -> dict[str, HandlingTime]:
    """Average and median handling time by department name, from an hourly histogram in SQL."""
    hours = seconds_between(session, WorkOrder.closed_at, WorkOrder.routed_at) / 3600
    # Hours are never negative, so truncation is the floor on both databases.
    hour = cast(func.floor(hours), Integer) if _postgres(session) else cast(hours, Integer)
    rows = session.execute(
        select(WorkOrder.department_id, hour, func.count(), func.sum(hours))
        .where(
            WorkOrder.closed_at >= window.start,
            WorkOrder.closed_at < window.end,
            WorkOrder.state == State.CLOSED.value,
            WorkOrder.routed_at.is_not(None),
            WorkOrder.department_id.is_not(None),
            *kpis.by_time_range(window),
        )
        .group_by(WorkOrder.department_id, hour)
    ).all()
    histograms: dict[int, list[tuple[int, int, float]]] = {}
    for department, bucket, count, total in rows:
        histograms.setdefault(department, []).append((int(bucket), int(count), float(total)))
    names = dict(
        session.execute(
            select(Department.id, Department.name).where(Department.id.in_(list(histograms)))
        ).all()
    )
    return {names[department]: _summary(sorted(b)) for department, b in histograms.items()}


def _summary(buckets: list[tuple[int, int, float]]) -> HandlingTime:
    closed = sum(count for _, count, _ in buckets)
    middle, seen, median = (closed + 1) // 2, 0, None
    for hour, count, _ in buckets:
        seen += count
        if seen >= middle:
            median = hour
            break
    average = sum(total for _, _, total in buckets) / closed if closed else None
    return HandlingTime(closed, average, median)


@dataclass(frozen=True)
class LateOrder:
    """An order whose deadline fell in the period and that was not closed by it."""

    number: str
    department: str | None
    category: str
    due_at: datetime
    closed_at: datetime | None
    escalation_level: int


def late_orders(
    session: Session, window: Window, *, limit: int = 30
) -> tuple[int, list[LateOrder]]:
    """How many orders due in the window ran late, and the first `limit` by deadline."""
    where = [
        WorkOrder.due_at >= window.start,
        WorkOrder.due_at < window.end,
        WorkOrder.state != State.CANCELLED.value,
        # The complement of 按时办结 among the orders due: these and those add up to `due`.
        not_(kpis.closed_by_due()),
        *kpis.by_time_range(window),
    ]
    total = session.scalar(select(func.count()).select_from(WorkOrder).where(*where)) or 0
    rows = session.execute(
        select(
            WorkOrder.number,
            Department.name,
            Category.name,
            WorkOrder.due_at,
            WorkOrder.closed_at,
            WorkOrder.escalation_level,
        )
        .join(Category, Category.id == WorkOrder.category_id)
        .outerjoin(Department, Department.id == WorkOrder.department_id)
        .where(*where)
        .order_by(WorkOrder.due_at, WorkOrder.id)
        .limit(limit)
    ).all()
    return total, [LateOrder(*row) for row in rows]
