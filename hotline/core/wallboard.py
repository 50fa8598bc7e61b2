"""The live wallboard (大屏): today's local day, and the figures shaped for the screen.

Services count (grouped SQL over covering indexes); this module turns the counts into what
the screen shows: hourly series against the same weekday last week, totals to the same
clock time, orders by state, the top categories and districts. The rates and changes are
those of `core/reports/kpi.py` (the phone line's: `core/telephony/figures.py`), not
redefined here.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hotline.core.orders.workflow import State
from hotline.core.reports import kpi
from hotline.core.telephony.agents import AgentState
from hotline.core.telephony.figures import CallFigures

DUE_SOON = timedelta(hours=2)  # "about to be overdue": due within the next two hours
TOP = 5  # categories and districts shown
# The open states in the order an order moves through them (the screen's bar order).
STATE_ORDER = (State.REGISTERED, State.ROUTED, State.ACCEPTED, State.RETURNED, State.REPLIED)


@dataclass(frozen=True)
class Day:
    """A local calendar day as a UTC window [start, end), its hours, and `cut`: the same
    clock time as now on that day (so that last week is compared up to the same time)."""

    start: datetime
    end: datetime
    cut: datetime

    @property
    def hours(self) -> int:
        """How many hours the day has (23 or 25 on a day daylight saving time changes)."""
        return round((self.end - self.start).total_seconds() / 3600)


def today(now: datetime, timezone: str) -> Day:
    """The local day that contains `now` (an aware time)."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    start = datetime.combine(local.date(), time(), zone)
    end = datetime.combine(local.date() + timedelta(days=1), time(), zone)
    return Day(start.astimezone(now.tzinfo), end.astimezone(now.tzinfo), now)


def week_before(day: Day, timezone: str) -> Day:
    """The same weekday a week earlier, cut at the same local clock time."""
    zone = ZoneInfo(timezone)

    def back(moment: datetime) -> datetime:
        local = moment.astimezone(zone)
        earlier = datetime.combine(local.date() - timedelta(days=7), local.timetz(), zone)
        return earlier.astimezone(moment.tzinfo)

    return Day(back(day.start), back(day.end), back(day.cut))


def hour_of(day: Day, moment: datetime) -> int:
    """The hour index (0 = the first hour after local midnight) of `moment` on `day`."""
    return int((moment - day.start).total_seconds() // 3600)


@dataclass(frozen=True)
class Hourly:
    """A day's counts by hour index, and how many of them fell before the day's cut."""

    by_hour: Mapping[int, int] = field(default_factory=dict)
    before_cut: int = 0

    @property
    def total(self) -> int:
        """All counted, whatever the hour."""
        return sum(self.by_hour.values())


@dataclass(frozen=True)
class Counted:
    """The raw counts a service hands in (names are shown as they are stored)."""

    orders: Hourly  # orders received today, by hour
    orders_last_week: Hourly  # the same weekday a week earlier
    follow_ups: Hourly  # follow-up calls (追加诉求) linked to an order today
    follow_ups_last_week: Hourly
    by_state: Mapping[str, int]  # open orders now, by state
    overdue: int  # open orders past their due time (the clock runs: not yet replied)
    due_soon: int  # the same, due within DUE_SOON
    categories: Mapping[str, int]  # orders received today, by category name
    districts: Mapping[str, int]  # by district name ("" for none)


def series(hourly: Hourly, hours: int, upto: int | None = None) -> list[int | None]:
    """The counts hour by hour; None after `upto` (hours that have not begun yet)."""
    return [
        None if upto is not None and h > upto else int(hourly.by_hour.get(h, 0))
        for h in range(hours)
    ]


def top(counts: Mapping[str, int], n: int = TOP) -> list[tuple[str, int]]:
    """The `n` largest counts, ties by name (the same order on every refresh)."""
    return sorted(((k, int(v)) for k, v in counts.items() if v), key=lambda kv: (-kv[1], kv[0]))[:n]


def add(*hourlies: Hourly) -> Hourly:
    """Hour-by-hour sums (calls = orders received + follow-up calls)."""
    by_hour: dict[int, int] = {}
    for hourly in hourlies:
        for hour, count in hourly.by_hour.items():
            by_hour[hour] = by_hour.get(hour, 0) + count
    return Hourly(by_hour, sum(h.before_cut for h in hourlies))


def _change(change: kpi.Change) -> dict:
    return {"difference": change.difference, "percent": change.percent()}


def _states(by_state: Mapping[str, int]) -> list[dict]:
    known = [s.value for s in STATE_ORDER]
    others = sorted(k for k in by_state if k not in known)
    return [{"state": s, "count": int(by_state.get(s, 0))} for s in (*known, *others)]


def _ranked(rows: Iterable[tuple[str, int]]) -> list[dict]:
    return [{"name": name, "count": count} for name, count in rows]


def board(counted: Counted, *, day: Day, local_now: datetime) -> dict:
    """What the screen shows, as plain JSON-ready values (labels are the web layer's)."""
    hours = day.hours
    now_hour = min(hour_of(day, day.cut), hours - 1)
    calls = add(counted.orders, counted.follow_ups)
    calls_before = add(counted.orders_last_week, counted.follow_ups_last_week)
    received, follow_ups = counted.orders.total, counted.follow_ups.total
    return {
        "as_of": local_now.strftime("%H:%M:%S"),
        "day": local_now.date().isoformat(),
        "hours": [f"{h:02d}" for h in range(hours)],
        "now_hour": now_hour,
        "orders": {
            "today": series(counted.orders, hours, now_hour),
            "last_week": series(counted.orders_last_week, hours),
            "total": received,
            "last_week_same_time": counted.orders_last_week.before_cut,
            "change": _change(kpi.Change(received, counted.orders_last_week.before_cut)),
        },
        "calls": {
            "today": series(calls, hours, now_hour),
            "last_week": series(calls_before, hours),
            "total": calls.total,
            "follow_ups": follow_ups,
            "last_week_same_time": calls_before.before_cut,
            "change": _change(kpi.Change(calls.total, calls_before.before_cut)),
            "repeat_rate": kpi.repeat_call_rate(follow_ups, received).percent(),
        },
        "states": _states(counted.by_state),
        "open": sum(int(v) for v in counted.by_state.values()),
        "overdue": counted.overdue,
        "due_soon": counted.due_soon,
        "categories": _ranked(top(counted.categories)),
        "districts": _ranked(top(counted.districts)),
    }


# The agents' states on the screen, in the order a call moves an agent through them.
AGENT_ORDER = (
    AgentState.READY,
    AgentState.RINGING,
    AgentState.TALKING,
    AgentState.AFTER_CALL,
    AgentState.BUSY,
    AgentState.BREAK,
)


def telephony(
    today: CallFigures, by_state: Mapping[str, int], waiting: Mapping[str, int], longest: int
) -> dict:
    """The phone line's part of the board: today's 接通率 and 15-second share (the
    definitions of core/telephony/figures.py), calls waiting now and the longest wait, and
    the signed-in agents by state (every state shown, zero or not: the bars do not jump)."""
    return {
        "enabled": True,
        "offered": today.offered,
        "answered": today.answered,
        "answer_rate": today.answer_rate.percent(),
        "service_level": today.service_level.percent(),
        "abandon_rate": today.abandon_rate.percent(),
        "waiting": sum(int(n) for n in waiting.values()),
        "longest_wait": f"{longest // 60}:{longest % 60:02d}",
        "longest_wait_seconds": longest,
        "agents": [{"state": s.value, "count": int(by_state.get(s.value, 0))} for s in AGENT_ORDER],
        "signed_in": sum(int(n) for n in by_state.values()),
    }
