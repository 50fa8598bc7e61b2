"""The figures of a statistics report, by SQL aggregation, with their 环比 and 同比 bases."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.core.orders.search import OrderFilters
from hotline.core.reports import kpi
from hotline.core.reports.periods import Period, previous, year_earlier
from hotline.models import Category, Department, District, Survey, WorkOrder
from hotline.services.orders.queries import apply_filters
from hotline.services.reference import cache
from hotline.services.reports import ems_figures as report_ems
from hotline.services.reports import handling_times as report_handling
from hotline.services.reports import kpis


@dataclass(frozen=True)
class Scope:
    """An optional district (by code) or department filter."""

    district_code: str | None = None
    department_id: int | None = None

    def filters(self, period: Period) -> OrderFilters:
        """The search page's filters for this scope and period: the report counts exactly
        the orders the search page and the orders API list for them."""
        return OrderFilters(
            date_from=period.start, date_to=period.end, district_code=self.district_code,
            department_id=self.department_id,
        )  # fmt: skip


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


@dataclass(frozen=True)
class Volume:
    """How many orders came in, by type, channel, category and day."""

    total: int
    by_type: dict[str, int]
    by_channel: dict[str, int]
    by_category: dict[str, int]
    by_district: dict[str, int]
    daily: dict[date, int] = field(default_factory=dict)


def volume(
    session: Session, period: Period, timezone: str, scope: Scope = Scope(), daily: bool = True
) -> Volume:
    """The period's orders counted by GROUP BY (the search page counts the same rows)."""
    start, _end = bounds(period, timezone)
    filters = scope.filters(period)

    def grouped(*columns) -> list:
        query = select(*columns, func.count()).select_from(WorkOrder)
        query = apply_filters(query, filters, timezone).group_by(*columns)
        return session.execute(query).all()

    # One pass over the period's index entries gives all four breakdowns (at most a few
    # thousand groups); reading them once instead of four times is what keeps a year fast.
    categories = dict(session.execute(select(Category.id, Category.name)).all())
    districts = dict(session.execute(select(District.id, District.name)).all())
    by_type: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    by_district: Counter[str] = Counter()
    columns = (WorkOrder.order_type, WorkOrder.channel, WorkOrder.category_id)
    for order_type, channel, category_id, district_id, count in grouped(
        *columns, WorkOrder.district_id
    ):
        by_type[order_type] += count
        channels[channel] += count
        by_category[categories[category_id]] += count
        if district_id is not None:
            by_district[districts[district_id]] += count
    days = {}
    if daily:
        day = _local_day(session, WorkOrder.created_at, timezone, start)
        for value, count in grouped(day):
            days[value if isinstance(value, date) else date.fromisoformat(value)] = count
    return Volume(
        sum(by_type.values()), dict(by_type), dict(channels), dict(by_category),
        dict(by_district), days,
    )  # fmt: skip


T = TypeVar("T")
UNASSIGNED = "派单台/直接办结"  # orders with no department: at the desk or closed at intake


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
class SurveyComment:
    """A caller's words from a survey, without anything that identifies the caller."""

    satisfaction: str | None
    resolved: bool | None
    comment: str


def survey_comments(
    session: Session, period: Period, timezone: str, scope: Scope, limit: int = 12
) -> list[SurveyComment]:
    """The latest comments given in the period's surveys, in the scope."""
    start, end = bounds(period, timezone)
    query = (
        select(Survey.satisfaction, Survey.resolved, Survey.comment)
        .where(Survey.completed_at >= start, Survey.completed_at < end, Survey.comment != "")
        .order_by(Survey.completed_at.desc())
        .limit(limit)
    )
    if scope.department_id is not None:
        query = query.where(Survey.department_id == scope.department_id)
    if scope.district_code is not None:
        query = query.where(Survey.district_id == _district_id(session, scope.district_code))
    return [SurveyComment(*row) for row in session.execute(query)]


def _district_id(session: Session, code: str | None) -> int | None:
    if code is None:
        return None
    return session.scalar(select(District.id).where(District.code == code)) or -1


def hot_issues(current: Volume, before: Volume, limit: int = 5) -> list[tuple[str, Compared]]:
    """热点诉求: the categories rising fastest against the previous period (by count added)."""
    rising = [
        (name, compare(count, before.by_category.get(name, 0), 0))
        for name, count in current.by_category.items()
        if count > before.by_category.get(name, 0)
    ]
    rising.sort(key=lambda item: (-item[1].previous.difference, item[0]))
    return rising[:limit]


@dataclass(frozen=True)
class DepartmentRow:
    """One department's orders and handling time, now and in the two bases."""

    name: str
    received: Compared
    handling: report_handling.HandlingTime | None
    handling_before: report_handling.HandlingTime | None
    handling_year: report_handling.HandlingTime | None

    def average_change(self, base: report_handling.HandlingTime | None) -> float | None:
        """Hours more (or less) on average than in `base`, or None."""
        now = self.handling.average_hours if self.handling else None
        then = base.average_hours if base else None
        return None if now is None or then is None else now - then

    def median_change(self, base: report_handling.HandlingTime | None) -> int | None:
        """Whole hours more (or less) for the median than in `base`, or None."""
        now = self.handling.median_hours if self.handling else None
        then = base.median_hours if base else None
        return None if now is None or then is None else now - then


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows."""

    period: Period
    timezone: str
    scope: Scope
    volume: Volume
    orders: Compared
    by_type: dict[str, Compared]
    overall: kpi.Figures
    departments: list[tuple[Department | None, kpi.Figures]]
    # The same figures for the 环比 and 同比 bases, overall and by department id.
    overall_bases: tuple[kpi.Figures, kpi.Figures]
    department_bases: tuple[dict[int | None, kpi.Figures], dict[int | None, kpi.Figures]]
    ems: report_ems.EmsFigures
    previous_volume: Volume
    year_volume: Volume
    hot: list[tuple[str, Compared]]
    comments: list[SurveyComment]
    handling: dict[str, report_handling.HandlingTime]  # by department name
    handling_bases: tuple[
        dict[str, report_handling.HandlingTime], dict[str, report_handling.HandlingTime]
    ]
    late: tuple[int, list[report_handling.LateOrder]]  # how many, and the first by deadline
    populations: dict[str, int]  # district name -> residents, where configured
    shapes: dict[str, list[list[tuple[float, float]]]]  # district name -> outer rings

    def department_rows(self) -> list[DepartmentRow]:
        """Each department's received orders and handling time with their bases, by
        received (most first), then name."""
        received = {
            (d.name if d else UNASSIGNED): compare(
                f.counts.received,
                *(_received(bases, d.id if d else None) for bases in self.department_bases),
            )
            for d, f in self.departments
        }
        nothing = compare(0, 0, 0)
        names = set(received) | set(self.handling)
        rows = [
            DepartmentRow(
                n,
                received.get(n, nothing),
                self.handling.get(n),
                *(bases.get(n) for bases in self.handling_bases),
            )  # fmt: skip
            for n in names
        ]
        return sorted(rows, key=lambda row: (-row.received.current, row.name))


def _for_bases(period: Period, compute: Callable[[Period], T]) -> tuple[T, T]:
    """`compute` for the 环比 and the 同比 period; once when they are the same days (a year)."""
    before_period, year_period = previous(period), year_earlier(period)
    before = compute(before_period)
    if (before_period.start, before_period.end) == (year_period.start, year_period.end):
        return before, before
    return before, compute(year_period)


def build(session: Session, period: Period, timezone: str, scope: Scope = Scope()) -> ReportData:
    """The report's figures for `period`, with the same for its two comparison periods."""
    current = volume(session, period, timezone, scope)
    before, year = _for_bases(
        period, lambda base: volume(session, base, timezone, scope, daily=False)
    )
    types = sorted(set(current.by_type) | set(before.by_type) | set(year.by_type))
    start, end = bounds(period, timezone)
    district_id = _district_id(session, scope.district_code)
    who = (scope.department_id, district_id)
    overall, departments = kpis.report(session, start, end, *who)
    (overall_before, by_before), (overall_year, by_year) = _for_bases(
        period, lambda base: kpis.report(session, *bounds(base, timezone), *who)
    )
    handling = report_handling.handling_times(session, start, end, *who)
    handling_bases = _for_bases(
        period, lambda base: report_handling.handling_times(session, *bounds(base, timezone), *who)
    )
    populations = {
        name: people
        for name, people in session.execute(select(District.name, District.population))
        if people
    }
    return ReportData(
        period=period,
        timezone=timezone,
        scope=scope,
        volume=current,
        orders=compare(current.total, before.total, year.total),
        by_type={
            t: compare(current.by_type.get(t, 0), before.by_type.get(t, 0), year.by_type.get(t, 0))
            for t in types
        },
        overall=overall,
        departments=departments,
        overall_bases=(overall_before, overall_year),
        department_bases=(_by_id(by_before), _by_id(by_year)),
        ems=report_ems.ems_figures(session, start, end),
        previous_volume=before,
        year_volume=year,
        hot=hot_issues(current, before),
        handling=handling,
        handling_bases=handling_bases,
        late=report_handling.late_orders(session, start, end, *who),
        comments=survey_comments(session, period, timezone, scope),
        populations=populations,
        shapes=district_shapes(session),
    )


def _received(figures_by_id: dict[int | None, kpi.Figures], department_id: int | None) -> int:
    figures = figures_by_id.get(department_id)
    return figures.counts.received if figures else 0


def _by_id(rows: list[tuple[Department | None, kpi.Figures]]) -> dict[int | None, kpi.Figures]:
    return {(d.id if d else None): f for d, f in rows}


def district_shapes(session: Session) -> dict[str, list[list[tuple[float, float]]]]:
    """The districts' outer rings, simplified to about 500 m, for the choropleth map."""
    shapes = {}
    for jurisdiction in cache.context(session).index.jurisdictions:
        geometry = jurisdiction.geometry.simplify(0.005)
        shapes[jurisdiction.name] = [
            list(polygon.exterior.coords) for polygon in getattr(geometry, "geoms", [geometry])
        ]
    return shapes
