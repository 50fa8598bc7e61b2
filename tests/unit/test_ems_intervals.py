"""The 120 interval chain and track kilometres, worked by hand."""

from datetime import UTC, datetime, timedelta

import pytest

from hotline.core.ems.intervals import (
    ENDS,
    Fix,
    Leg,
    Link,
    Spread,
    Track,
    chain,
    durations,
    first_vehicle,
    spread,
    track_metres,
)

T0 = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)
# One hundredth of a degree along a meridian: 6,371,008.8 m × π / 18,000 = 1,111.95 m.
STEP_M = 1111.95


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_every_link_has_two_ends_and_the_chain_is_in_order():
    order = list(ENDS[Link.CALL_TO_DISPATCH]) + [ENDS[link][1] for link in list(Link)[1:6]]
    assert [s.value for s in order] == [
        "called",
        "dispatched",
        "acknowledged",
        "en_route",
        "on_scene",
        "at_hospital",
        "cleared",
    ]


def test_the_first_dispatched_vehicle_counts_ties_by_lower_id():
    late = Leg(1, at(90))
    early = Leg(7, at(30))
    tie = Leg(5, at(30))
    never = Leg(2, None)
    assert first_vehicle([late, early, tie, never]) == tie
    assert first_vehicle([never]) is None


def test_durations_of_one_incident():
    leg = Leg(1, at(60), at(75), at(120), at(600), at(1800), at(3000))
    got = durations(T0, leg)
    assert got == {
        Link.CALL_TO_DISPATCH: 60,
        Link.DISPATCH_TO_ACK: 15,
        Link.ACK_TO_EN_ROUTE: 45,
        Link.EN_ROUTE_TO_SCENE: 480,
        Link.SCENE_TO_HOSPITAL: 1200,
        Link.HOSPITAL_TO_CLEARED: 1200,
        Link.CALL_TO_SCENE: 600,
    }


def test_missing_and_negative_links_are_left_out():
    # The terminal's clock put 接单 before the dispatch: that link and the next are dropped.
    leg = Leg(1, at(60), acknowledged=at(50), en_route=at(40), on_scene=at(500))
    got = durations(T0, leg)
    assert got == {Link.CALL_TO_DISPATCH: 60, Link.EN_ROUTE_TO_SCENE: 460, Link.CALL_TO_SCENE: 500}


def test_spread_by_nearest_rank():
    assert spread([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]) == Spread(10, 55, 90, 100)
    assert spread([42]) == Spread(1, 42, 42, 42)
    assert spread([]) == Spread(0, None, None, None)


def test_chain_over_incidents():
    incidents = [(T0, Leg(n, at(10 * n), on_scene=at(10 * n + 300))) for n in range(1, 11)]
    figures = chain(incidents)
    assert figures[Link.CALL_TO_DISPATCH] == Spread(10, 55, 90, 100)
    assert figures[Link.EN_ROUTE_TO_SCENE].count == 0
    # call to scene: 310 ... 400.
    assert figures[Link.CALL_TO_SCENE] == Spread(10, 355, 390, 400)


def meridian(n: int, every: float = 60) -> list[Fix]:
    return [Fix(at(i * every), 116.40, 39.90 + 0.01 * i) for i in range(n)]


def test_kilometres_along_a_meridian():
    assert track_metres(meridian(4)) == pytest.approx(3 * STEP_M, abs=0.01)
    assert track_metres(meridian(1)) == 0
    assert track_metres([]) == 0


def test_a_glitch_adds_nothing():
    fixes = meridian(4)
    # 65 km away 30 s after the second fix: 7,800 km/h, dropped; the third fix is measured
    # from the second, so the track is still three steps.
    stray = Fix(at(90), 116.40, 40.50)
    same_instant = Fix(at(120), 116.41, 39.92)  # beside the third fix at the same time
    assert track_metres([*fixes, stray, same_instant]) == pytest.approx(3 * STEP_M, abs=0.01)


def test_the_speed_limit_is_200_kmh():
    # 1,111.95 m in 20 s is 200.15 km/h: a glitch; in 21 s (190.6 km/h) it counts.
    assert track_metres([Fix(at(0), 116.4, 39.9), Fix(at(20), 116.4, 39.91)]) == 0
    kept = track_metres([Fix(at(0), 116.4, 39.9), Fix(at(21), 116.4, 39.91)])
    assert kept == pytest.approx(STEP_M, abs=0.01)


def test_a_track_cut_into_trips():
    track = Track(reversed(meridian(10)))
    assert [f.at for f in track.between(at(120), at(300))] == [at(120), at(180), at(240), at(300)]
    assert track.between(at(1000), at(2000)) == []
