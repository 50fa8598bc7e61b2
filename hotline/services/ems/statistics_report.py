"""The 120 director's statistics of a period against its 环比 and 同比 periods, as the rows
both the director's page and the monthly PDF show: the figures are written here once, so
the two cannot disagree; each side only names the rows (keys) in its language."""

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from hotline.core.ems.intervals import Link, Spread
from hotline.core.ems.totals import Total
from hotline.core.reports.kpi import Change
from hotline.core.reports.periods import Period
from hotline.database import utcnow
from hotline.services.ems.statistics import Figures, figures
from hotline.services.reports.bases import for_bases
from hotline.services.reports.scope import bounds

Row = tuple[object, list[str]]  # a key the renderer names, and the cells

# A period that ended over a day ago hardly changes (a late patient record, an incident
# closed late): its figures are kept an hour per process, so that a director's page (a
# month and its two bases, seconds each at a big city's scale) computes one period, not
# three. Keyed by the database too (tests make many databases).
SETTLED = timedelta(days=1)
KEPT_SECONDS = 3600
KEPT_MAX = 64
_kept: dict[tuple, tuple[float, Figures]] = {}
_kept_lock = threading.Lock()


def forget() -> None:
    """Drop the kept figures (tests that make a new database under the same URL)."""
    with _kept_lock:
        _kept.clear()


def _figures(session: Session, start: datetime, end: datetime, timezone: str) -> Figures:
    """The period's figures, kept a while once the period has settled."""
    if end > utcnow() - SETTLED:
        return figures(session, start=start, end=end, timezone=timezone)
    key = (str(session.get_bind().url), start, end, timezone)
    with _kept_lock:
        hit = _kept.get(key)
    if hit is not None and time.monotonic() - hit[0] < KEPT_SECONDS:
        return hit[1]
    value = figures(session, start=start, end=end, timezone=timezone)
    with _kept_lock:
        if len(_kept) >= KEPT_MAX:
            _kept.pop(min(_kept, key=lambda k: _kept[k][0]))
        _kept[key] = (time.monotonic(), value)
    return value


@dataclass(frozen=True)
class Statistics:
    """A period's figures, its 环比 period's and its 同比 period's."""

    period: Period
    timezone: str
    current: Figures
    previous: Figures
    year_earlier: Figures

    @property
    def all(self) -> tuple[Figures, Figures, Figures]:
        """The three, current first."""
        return self.current, self.previous, self.year_earlier


def report(session: Session, *, period: Period, timezone: str) -> Statistics:
    """The statistics of `period`'s local days, with its two comparison periods."""

    def compute(p: Period) -> Figures:
        start, end = bounds(p, timezone=timezone)
        return _figures(session, start, end, timezone)

    before, year = for_bases(period, compute)
    return Statistics(period, timezone, compute(period), before, year)


def number(value: float) -> str:
    """A count, or kilometres to 0.1."""
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def change(now: float, then: float) -> str:
    """ "+4（+33.3%）": the difference and the percentage (n/a on a zero base)."""
    c = Change(now, then)
    difference = float(round(c.difference, 1))
    text = f"{difference:+.0f}" if difference.is_integer() else f"{difference:+.1f}"
    return f"{text}（{c.percent()}）"


def seconds(value: float | None) -> str:
    """Whole seconds, or "—"."""
    return "—" if value is None else f"{value:.0f}"


def seconds_change(now: float | None, then: float | None) -> str:
    """The difference in whole seconds, or "—" when either side has none."""
    return "—" if now is None or then is None else f"{now - then:+.0f}"


def _compared(values: tuple[float, float, float]) -> list[str]:
    now, before, year = values
    return [number(now), change(now, before), change(now, year)]


def _keyed(
    s: Statistics, pick: Callable[[Figures], dict], keys: Iterable | None = None
) -> list[Row]:
    """Count rows by key (every key of any of the three periods; most first, then key)."""
    maps = [pick(f) for f in s.all]
    keys = keys if keys is not None else set().union(*maps)
    values = {k: tuple(m.get(k, 0) for m in maps) for k in keys}
    order = sorted(values, key=lambda k: (-values[k][0], str(k)))
    return [(k, _compared(values[k])) for k in order]


def totals(s: Statistics) -> list[Row]:
    """Incidents, 联动, outcomes, trips and kilometres."""

    def total(f: Figures, key: Total) -> float:
        if key is Total.INCIDENTS:
            return f.incidents
        if key is Total.LINKED:
            return f.linked
        if key is Total.TRIPS:
            return f.trips
        if key is Total.KILOMETRES:
            return round(f.kilometres, 1)
        return f.by_state.get(key.value, 0)

    return [(key, _compared(tuple(total(f, key) for f in s.all))) for key in Total]


def dispatchers(s: Statistics) -> list[Row]:
    """By dispatcher (None: 联动): calls, dispatches with their changes, and the call to
    dispatch median, p90 and p95 of the calls they took."""
    keys = set().union(*(f.by_dispatcher for f in s.all))
    empty = Spread(0, None, None, None)
    rows = []
    for key in keys:
        found = [f.by_dispatcher.get(key) for f in s.all]
        calls = tuple(d.calls if d else 0 for d in found)
        sent = tuple(d.dispatches if d else 0 for d in found)
        wait = found[0].to_dispatch if found[0] else empty
        rows.append((calls[0], key, [*_compared(calls), *_compared(sent)] + _spread(wait)))
    rows.sort(key=lambda r: (-r[0], r[1] is None, dispatcher_name(s, r[1])))
    return [(key, cells) for _n, key, cells in rows]


def _spread(value: Spread) -> list[str]:
    return [seconds(value.median), seconds(value.p90), seconds(value.p95)]


def dispatcher_name(s: Statistics, key: int | None) -> str:
    """A dispatcher's name from whichever period knows it ("" for 联动)."""
    if key is None:
        return ""
    return next((f.dispatcher_names[key] for f in s.all if key in f.dispatcher_names), str(key))


def complaints(s: Statistics) -> list[Row]:
    """Patients by complaint code ("": not recorded)."""
    return _keyed(s, lambda f: f.by_complaint)


def diagnoses(s: Statistics) -> list[Row]:
    """Patients by diagnosis code."""
    return _keyed(s, lambda f: f.by_diagnosis)


def hospitals(s: Statistics) -> list[Row]:
    """Assignments by destination hospital."""
    return _keyed(s, lambda f: f.by_hospital)


def hours(s: Statistics) -> list[Row]:
    """Incidents by local hour of the call, 0 to 23."""
    return [(h, _compared(tuple(f.by_hour[h] for f in s.all))) for h in range(24)]


def weekdays(s: Statistics) -> list[Row]:
    """Incidents by local weekday of the call, Monday (0) first."""
    return [(d, _compared(tuple(f.by_weekday[d] for f in s.all))) for d in range(7)]


def vehicles(s: Statistics) -> list[Row]:
    """By call sign: trips and kilometres with their changes."""
    keys = set().union(*(f.by_vehicle for f in s.all))
    rows = []
    for key in keys:
        found = [f.by_vehicle.get(key) for f in s.all]
        trips = tuple(v.trips if v else 0 for v in found)
        km = tuple(round(v.metres / 1000, 1) if v else 0.0 for v in found)
        rows.append((key, [*_compared(trips), *_compared(km)]))
    rows.sort(key=lambda r: (-float(r[1][3]), r[0]))
    return rows


def links(s: Statistics) -> list[Row]:
    """The interval chain: count, then median, p90 and p95, each with its 环比 and 同比
    difference in seconds."""
    rows = []
    for link in Link:
        now, before, year = (f.chain[link] for f in s.all)
        cells = [str(now.count)]
        for attribute in ("median", "p90", "p95"):
            value = getattr(now, attribute)
            cells += [
                seconds(value),
                seconds_change(value, getattr(before, attribute)),
                seconds_change(value, getattr(year, attribute)),
            ]
        rows.append((link, cells))
    return rows
