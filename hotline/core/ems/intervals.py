"""The 120 interval chain and the kilometres of a track: the director's statistics' rules.

The chain: call → dispatch → acknowledged (接单) → left station (出车) → on scene → at
hospital → cleared, each link measured on ONE assignment per incident: the first dispatched
vehicle's (earliest `dispatched_at`, ties by the lower assignment id), as the response
times of the director's page have always counted the first vehicle. Later vehicles (a
second crew, a replacement) are trips and kilometres, not response times. A link counts
only when both its ends are on record and the end is not before the start (the crew's
terminal stamps 接单 with its own clock: a negative link is that clock's error, not a time).

Figures: count, median (`statistics.median`, as the director's page), and the 90th and 95th
percentiles by nearest rank (`hotline.core.reports.statistics.percentile`).

Kilometres: the sum of great-circle distances between consecutive GPS fixes of the vehicle
from dispatch to cleared (a trip). A fix that would mean more than MAX_SPEED_KMH from the
last fix kept is a GPS glitch: it is dropped, and the next fix is measured from the last
fix kept, so a single stray fix adds nothing (not two long legs there and back).
"""

import bisect
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hotline.core.geo import haversine_m
from hotline.core.reports.statistics import percentile

MAX_SPEED_KMH = 200.0


class Stamp(StrEnum):
    """A point of the chain (the incident's call, or a time on the first assignment)."""

    CALLED = "called"  # incidents.created_at
    DISPATCHED = "dispatched"  # assignments.dispatched_at
    ACKNOWLEDGED = "acknowledged"  # assignments.acknowledged_at (接单)
    EN_ROUTE = "en_route"  # assignments.en_route_at (出车: left the station)
    ON_SCENE = "on_scene"  # assignments.on_scene_at
    AT_HOSPITAL = "at_hospital"  # assignments.at_hospital_at
    CLEARED = "cleared"  # assignments.cleared_at


class Link(StrEnum):
    """An interval of the chain; `CALL_TO_SCENE` is the response time over the first five."""

    CALL_TO_DISPATCH = "call_to_dispatch"
    DISPATCH_TO_ACK = "dispatch_to_ack"
    ACK_TO_EN_ROUTE = "ack_to_en_route"
    EN_ROUTE_TO_SCENE = "en_route_to_scene"
    SCENE_TO_HOSPITAL = "scene_to_hospital"
    HOSPITAL_TO_CLEARED = "hospital_to_cleared"
    CALL_TO_SCENE = "call_to_scene"


S = Stamp
ENDS: dict[Link, tuple[Stamp, Stamp]] = {
    Link.CALL_TO_DISPATCH: (S.CALLED, S.DISPATCHED),
    Link.DISPATCH_TO_ACK: (S.DISPATCHED, S.ACKNOWLEDGED),
    Link.ACK_TO_EN_ROUTE: (S.ACKNOWLEDGED, S.EN_ROUTE),
    Link.EN_ROUTE_TO_SCENE: (S.EN_ROUTE, S.ON_SCENE),
    Link.SCENE_TO_HOSPITAL: (S.ON_SCENE, S.AT_HOSPITAL),
    Link.HOSPITAL_TO_CLEARED: (S.AT_HOSPITAL, S.CLEARED),
    Link.CALL_TO_SCENE: (S.CALLED, S.ON_SCENE),
}


@dataclass(frozen=True)
class Leg:
    """One assignment's times (and its id, for the first-vehicle tie-break)."""

    assignment_id: int
    dispatched: datetime | None
    acknowledged: datetime | None = None
    en_route: datetime | None = None
    on_scene: datetime | None = None
    at_hospital: datetime | None = None
    cleared: datetime | None = None


def first_vehicle(legs: Iterable[Leg]) -> Leg | None:
    """The first dispatched vehicle's assignment (earliest dispatch, then lowest id); None
    when no vehicle was dispatched."""
    sent = [leg for leg in legs if leg.dispatched is not None]
    return min(sent, key=lambda leg: (leg.dispatched, leg.assignment_id), default=None)


# ENDS by the stamps' names: durations() runs for every incident of a month.
_PAIRS = tuple((link, start.value, end.value) for link, (start, end) in ENDS.items())


def durations(called: datetime, leg: Leg) -> dict[Link, float]:
    """The links in seconds for one incident's first vehicle (missing or negative: left out)."""
    times = {
        "called": called,
        "dispatched": leg.dispatched,
        "acknowledged": leg.acknowledged,
        "en_route": leg.en_route,
        "on_scene": leg.on_scene,
        "at_hospital": leg.at_hospital,
        "cleared": leg.cleared,
    }
    found = {}
    for link, start, end in _PAIRS:
        a, b = times[start], times[end]
        if a is not None and b is not None and b >= a:
            found[link] = (b - a).total_seconds()
    return found


@dataclass(frozen=True)
class Spread:
    """How many, and the median and 90th and 95th percentiles in seconds (None: none)."""

    count: int
    median: float | None
    p90: float | None
    p95: float | None


def spread(values: Sequence[float]) -> Spread:
    """The figures of some durations."""
    return Spread(
        count=len(values),
        median=statistics.median(values) if values else None,
        p90=percentile(values, 0.9),
        p95=percentile(values, 0.95),
    )


def chain(incidents: Iterable[tuple[datetime, Leg]]) -> dict[Link, Spread]:
    """Every link's figures over (call time, first vehicle's leg) pairs."""
    values: dict[Link, list[float]] = {link: [] for link in Link}
    for called, leg in incidents:
        for link, seconds in durations(called, leg).items():
            values[link].append(seconds)
    return {link: spread(v) for link, v in values.items()}


@dataclass(frozen=True)
class Fix:
    """A GPS fix."""

    at: datetime
    lon: float
    lat: float


def track_metres(fixes: Iterable[Fix], max_speed_kmh: float = MAX_SPEED_KMH) -> float:
    """The length of a track in metres, glitches (faster than `max_speed_kmh` from the last
    fix kept, or a jump at the same instant) dropped."""
    limit = max_speed_kmh / 3.6  # m/s
    total, last = 0.0, None
    for fix in sorted(fixes, key=lambda f: f.at):
        if last is None:
            last = fix
            continue
        metres = haversine_m(last.lon, last.lat, fix.lon, fix.lat)
        seconds = (fix.at - last.at).total_seconds()
        if metres > limit * seconds:
            continue
        total += metres
        last = fix
    return total


class Track:
    """A vehicle's fixes in time order, to cut into trips."""

    def __init__(self, fixes: Iterable[Fix]) -> None:
        self.fixes = sorted(fixes, key=lambda f: f.at)
        self.times = [f.at for f in self.fixes]

    def between(self, start: datetime, end: datetime) -> list[Fix]:
        """The fixes within [start, end]."""
        low = bisect.bisect_left(self.times, start)
        return self.fixes[low : bisect.bisect_right(self.times, end)]
