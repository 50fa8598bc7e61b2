"""The figures of a statistics report, by SQL aggregation, with their 环比 and 同比 bases."""

import math
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.core import kpi
from hotline.core.ems import DISPATCH_TARGET_SECONDS
from hotline.core.periods import Period, previous, year_earlier
from hotline.models import Category, Department, Incident, WorkOrder
from hotline.services import ems, kpis


@dataclass(frozen=True)
class Scope:
    """An optional district or department filter."""

    district_id: int | None = None
    department_id: int | None = None


def bounds(period: Period, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) in UTC for the period's local days."""
    tz = ZoneInfo(timezone)
    start = datetime.combine(period.start, time.min, tzinfo=tz)
    end = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def _local_day(session: Session, column, timezone: str, at: datetime):
    """The local calendar day of a stored UTC time, in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(timezone, func.timezone("UTC", column)))
    # SQLite has no time zones: the zone's offset at the period's start (exact for zones
    # without daylight saving time, such as Asia/Shanghai).
    hours = at.astimezone(ZoneInfo(timezone)).utcoffset().total_seconds() / 3600
    return func.date(column, f"{hours:+g} hours")


def _orders(start: datetime, end: datetime, scope: Scope):
    conditions = [WorkOrder.created_at >= start, WorkOrder.created_at < end]
    if scope.district_id is not None:
        conditions.append(WorkOrder.district_id == scope.district_id)
    if scope.department_id is not None:
        conditions.append(WorkOrder.department_id == scope.department_id)
    return conditions


@dataclass(frozen=True)
class Volume:
    """How many orders came in, by type, channel, category and day."""

    total: int
    by_type: dict[str, int]
    by_channel: dict[str, int]
    by_category: dict[str, int]
    daily: dict[date, int] = field(default_factory=dict)


def volume(
    session: Session, period: Period, timezone: str, scope: Scope = Scope(), daily: bool = True
) -> Volume:
    """The period's orders counted by GROUP BY (the search page counts the same rows)."""
    start, end = bounds(period, timezone)
    where = _orders(start, end, scope)

    def grouped(column) -> dict:
        rows = session.execute(select(column, func.count()).where(*where).group_by(column))
        return {key: count for key, count in rows}

    by_type = grouped(WorkOrder.order_type)
    by_category = {
        name: count
        for name, count in session.execute(
            select(Category.name, func.count())
            .select_from(WorkOrder)
            .join(Category, Category.id == WorkOrder.category_id)
            .where(*where)
            .group_by(Category.name)
        )
    }
    days = {}
    if daily:
        day = _local_day(session, WorkOrder.created_at, timezone, start)
        for value, count in session.execute(select(day, func.count()).where(*where).group_by(day)):
            days[value if isinstance(value, date) else date.fromisoformat(value)] = count
    return Volume(sum(by_type.values()), by_type, grouped(WorkOrder.channel), by_category, days)


@dataclass(frozen=True)
class Compared:
    """A figure with its 环比 and 同比 changes."""

    current: float
    previous: kpi.Change
    year_earlier: kpi.Change


def compare(current: float, previous_value: float, year_value: float) -> Compared:
    """Bundle a figure with its two bases."""
    return Compared(current, kpi.Change(current, previous_value), kpi.Change(current, year_value))


@dataclass(frozen=True)
class EmsFigures:
    """120 for the period."""

    incidents: int
    by_triage: dict[int, int]
    to_dispatch: list[float]
    to_scene: list[float]

    def percentile(self, values: list[float], share: float) -> float | None:
        """The value below which `share` of them lie (nearest rank), or None."""
        if not values:
            return None
        ordered = sorted(values)
        return ordered[max(1, math.ceil(share * len(ordered))) - 1]

    @property
    def dispatched_in_target(self) -> kpi.Rate:
        """Share of first vehicles out within 3 minutes of the call."""
        within = sum(1 for t in self.to_dispatch if t <= DISPATCH_TARGET_SECONDS)
        return kpi.Rate(within, len(self.to_dispatch))

    @property
    def median_to_dispatch(self) -> float | None:
        """Median seconds from call to dispatch."""
        return statistics.median(self.to_dispatch) if self.to_dispatch else None


def ems_figures(session: Session, period: Period, timezone: str) -> EmsFigures:
    """120 incidents by triage level and the first vehicle's times."""
    start, end = bounds(period, timezone)
    rows = session.execute(
        select(Incident.triage_level, func.count())
        .where(Incident.created_at >= start, Incident.created_at < end)
        .group_by(Incident.triage_level)
    ).all()
    times = ems.response_times(session, start, end)
    return EmsFigures(
        sum(c for _, c in rows), dict(rows), [t[0] for t in times], [t[1] for t in times]
    )


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows."""

    period: Period
    scope: Scope
    volume: Volume
    orders: Compared
    by_type: dict[str, Compared]
    overall: kpi.Figures
    departments: list[tuple[Department | None, kpi.Figures]]
    ems: EmsFigures


def build(session: Session, period: Period, timezone: str, scope: Scope = Scope()) -> ReportData:
    """The report's figures for `period`, with the same for its two comparison periods."""
    current = volume(session, period, timezone, scope)
    before = volume(session, previous(period), timezone, scope, daily=False)
    year = volume(session, year_earlier(period), timezone, scope, daily=False)
    types = sorted(set(current.by_type) | set(before.by_type) | set(year.by_type))
    start, end = bounds(period, timezone)
    overall, departments = kpis.report(session, start, end, scope.department_id)
    return ReportData(
        period=period,
        scope=scope,
        volume=current,
        orders=compare(current.total, before.total, year.total),
        by_type={
            t: compare(current.by_type.get(t, 0), before.by_type.get(t, 0), year.by_type.get(t, 0))
            for t in types
        },
        overall=overall,
        departments=departments,
        ems=ems_figures(session, period, timezone),
    )
