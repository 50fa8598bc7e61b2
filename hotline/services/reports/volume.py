"""How many orders came in during a report's period, by type, channel, category, district
and local day, counted by GROUP BY through the search page's own filters."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.core.reports.periods import Period
from hotline.models import Category, District, WorkOrder
from hotline.services.orders.queries import apply_filters
from hotline.services.reports.bases import Compared, compare
from hotline.services.reports.scope import CITYWIDE, Scope, bounds


@dataclass(frozen=True)
class Volume:
    """How many orders came in, by type, channel, category and day."""

    total: int
    by_type: dict[str, int]
    by_channel: dict[str, int]
    by_category: dict[str, int]
    by_district: dict[str, int]
    daily: dict[date, int] = field(default_factory=dict)


def _local_day(session: Session, column, *, timezone: str, at: datetime):
    """The local calendar day of a stored UTC time, in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(timezone, func.timezone("UTC", column)))
    # SQLite has no time zones: the zone's offset at the period's start (exact for zones
    # without daylight saving time, such as Asia/Shanghai).
    hours = at.astimezone(ZoneInfo(timezone)).utcoffset().total_seconds() / 3600
    return func.date(column, f"{hours:+g} hours")


def volume(
    session: Session,
    *,
    period: Period,
    timezone: str,
    scope: Scope = CITYWIDE,
    daily: bool = True,
) -> Volume:
    """The period's orders counted by GROUP BY (the search page counts the same rows)."""
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
        start, _end = bounds(period, timezone=timezone)
        day = _local_day(session, WorkOrder.created_at, timezone=timezone, at=start)
        for value, count in grouped(day):
            days[value if isinstance(value, date) else date.fromisoformat(value)] = count
    return Volume(
        total=sum(by_type.values()),
        by_type=dict(by_type),
        by_channel=dict(channels),
        by_category=dict(by_category),
        by_district=dict(by_district),
        daily=days,
    )


def hot_issues(current: Volume, before: Volume, limit: int = 5) -> list[tuple[str, Compared]]:
    """热点诉求: the categories rising fastest against the previous period (by count added)."""
    rising = [
        (name, compare(count, before.by_category.get(name, 0), 0))
        for name, count in current.by_category.items()
        if count > before.by_category.get(name, 0)
    ]
    rising.sort(key=lambda item: (-item[1].previous.difference, item[0]))
    return rising[:limit]
