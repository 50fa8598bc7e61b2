"""The wallboard's figures for today: a handful of grouped queries, each over a covering
index (tests/integration/test_wallboard_plans.py), and a cache of a few seconds in the
process, so that ten screens polling every five seconds cost one set of queries.

What is read, and from which index (intake writes nothing extra for the wallboard):
- orders received by hour, by category and by district: ix_work_orders_report
  (created_at, …, category_id, district_id, …), today's and last week's day only;
- follow-up calls by hour: ix_audit_events_action_at (action, at, …);
- open orders by state, overdue and due soon: ix_work_orders_state_due (state, due_at);
- the phone line (when it is on): today's calls by ix_calls_queued_at
  (services/telephony/figures.py) and the live view of agents and waiting calls
  (services/telephony/records.live).
"""

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from hotline.core import wallboard
from hotline.core.orders.audit_actions import AuditAction
from hotline.core.orders.workflow import OPEN_STATES
from hotline.core.telephony.line import LineSettings
from hotline.models import AuditEvent, Category, District, WorkOrder
from hotline.services.deadlines.escalation import RUNNING
from hotline.services.telephony import figures as call_figures
from hotline.services.telephony import records

CACHE_SECONDS = 4.0  # below the screens' 5-second refresh: each refresh sees new figures
_OPEN = tuple(sorted(s.value for s in OPEN_STATES))


def _hour(session: Session, column):
    """The UTC hour a stored time falls in, in SQL, cheaply: SQLite keeps UTC times as text,
    whose first 13 characters are the hour (parsing 60,000 dates with strftime took 75 ms).
    Each UTC hour is one local hour in zones offset by whole hours, as Asia/Shanghai is."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date_trunc("hour", column)
    return func.substr(column, 1, 13)


def _utc_hour(value) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC)
    return datetime.strptime(value, "%Y-%m-%d %H").replace(tzinfo=UTC)


def _sum(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _hourly(session: Session, column, day: wallboard.Day, *where) -> wallboard.Hourly:
    """Counts of `column` in the day, by hour, and those before the day's cut: one scan."""
    hour = _hour(session, column)
    rows = session.execute(
        select(hour, func.count(), _sum(column < day.cut))
        .where(column >= day.start, column < day.end, *where)
        .group_by(hour)
    ).all()
    by_hour: dict[int, int] = {}
    for value, count, _before in rows:
        index = wallboard.hour_of(day, _utc_hour(value))
        by_hour[index] = by_hour.get(index, 0) + int(count)
    return wallboard.Hourly(by_hour, sum(int(c) for *_, c in rows))


def _orders(session: Session, day: wallboard.Day) -> wallboard.Hourly:
    return _hourly(session, WorkOrder.created_at, day)


def _follow_ups(session: Session, day: wallboard.Day) -> wallboard.Hourly:
    return _hourly(
        session, AuditEvent.at, day, AuditEvent.action == AuditAction.FOLLOW_UP_CALL.value
    )


def _by_category_and_district(
    session: Session, day: wallboard.Day
) -> tuple[dict[int, int], dict[int | None, int]]:
    """Today's orders by category and by district, from one pass over the day's entries."""
    window = and_(WorkOrder.created_at >= day.start, WorkOrder.created_at < day.end)
    keys = (WorkOrder.category_id, WorkOrder.district_id)
    categories: dict[int, int] = {}
    districts: dict[int | None, int] = {}
    for category, district, n in session.execute(
        select(*keys, func.count()).where(window).group_by(*keys)
    ):
        categories[category] = categories.get(category, 0) + int(n)
        districts[district] = districts.get(district, 0) + int(n)
    return categories, districts


def _named(names: dict[int, str], counts: dict[int | None, int]) -> dict[str, int]:
    return {names.get(k, "") if k is not None else "": n for k, n in counts.items()}


def _open_orders(session: Session, now: datetime) -> tuple[dict[str, int], int, int]:
    """Open orders by state, and of those whose clock runs: overdue and due soon."""
    o = WorkOrder
    running = o.state.in_(RUNNING)
    soon = now + wallboard.DUE_SOON
    rows = session.execute(
        select(
            o.state,
            func.count(),
            _sum(and_(running, o.due_at < now)),
            _sum(and_(running, o.due_at >= now, o.due_at < soon)),
        )
        .where(o.state.in_(_OPEN))
        .group_by(o.state)
    ).all()
    by_state = {state: int(n) for state, n, _, _ in rows}
    return by_state, sum(int(r[2]) for r in rows), sum(int(r[3]) for r in rows)


def counted(session: Session, *, timezone: str, now: datetime) -> wallboard.Counted:
    """Today's counts (and last week's same weekday) by grouped SQL."""
    day = wallboard.today(now, timezone)
    before = wallboard.week_before(day, timezone)
    by_state, overdue, due_soon = _open_orders(session, now)
    categories = dict(session.execute(select(Category.id, Category.name)).all())
    districts = dict(session.execute(select(District.id, District.name)).all())
    by_category, by_district = _by_category_and_district(session, day)
    return wallboard.Counted(
        orders=_orders(session, day),
        orders_last_week=_orders(session, before),
        follow_ups=_follow_ups(session, day),
        follow_ups_last_week=_follow_ups(session, before),
        by_state=by_state,
        overdue=overdue,
        due_soon=due_soon,
        categories=_named(categories, by_category),
        districts=_named(districts, by_district),
    )


def telephony(
    session: Session, *, day: wallboard.Day, now: datetime, line: LineSettings, timezone: str
) -> dict:
    """Today's call figures so far, and the agents and waiting calls now."""
    today = call_figures.breakdown(
        session, start=day.start, end=day.end, line=line, timezone=timezone
    ).whole
    live = records.live(session, now=now, line=line)
    return wallboard.telephony(today, live.by_state, live.waiting, live.longest_wait_seconds)


def figures(
    session: Session, *, timezone: str, now: datetime, line: LineSettings | None = None
) -> dict:
    """Today's board for `now` in `timezone` (uncached); the phone line's part with
    `line` (None: the line is off)."""
    day = wallboard.today(now, timezone)
    found = counted(session, timezone=timezone, now=now)
    board = wallboard.board(found, day=day, local_now=now.astimezone(ZoneInfo(timezone)))
    board["telephony"] = (
        {"enabled": False}
        if line is None
        else telephony(session, day=day, now=now, line=line, timezone=timezone)
    )
    return board


class _Cache:
    """The last board, kept CACHE_SECONDS; one caller computes while the others wait."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._at = 0.0
        self._value: dict | None = None

    def get(self, key: tuple, compute: Callable[[], dict], clock=time.monotonic) -> dict:
        with self._lock:
            if self._value is not None and self._key == key and clock() - self._at < CACHE_SECONDS:
                return self._value
            value = compute()
            self._key, self._at, self._value = key, clock(), value
            return value

    def clear(self) -> None:
        with self._lock:
            self._key, self._value = None, None


_cache = _Cache()


def cached_figures(
    session: Session,
    *,
    timezone: str,
    now: datetime,
    database: str,
    line: LineSettings | None = None,
) -> dict:
    """`figures`, computed at most once every CACHE_SECONDS per process and database."""
    # LineSettings holds a dict (unhashable): the settings the figures read make the key.
    settings = None if line is None else (line.after_call_seconds, line.short_abandon_seconds)
    return _cache.get(
        (database, timezone, settings, None if line is None else line.retry_ms),
        lambda: figures(session, timezone=timezone, now=now, line=line),
    )


def forget() -> None:
    """Drop the cached board (tests, and a new database under the same process)."""
    _cache.clear()
