"""The 120 director's statistics on the hand-worked month of tests/factories_statistics.py,
on SQLite and PostgreSQL."""

from datetime import date

import pytest

from hotline.core.ems.intervals import Link, Spread
from hotline.core.ems.totals import Total
from hotline.core.reports.periods import Period, PeriodKind
from hotline.plugins import db
from hotline.services.ems import statistics_report as report
from tests import factories_statistics
from tests.factories_statistics import STEP_M, TZ

OCTOBER = Period(PeriodKind.MONTH, date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture
def month(any_app):
    with any_app.app_context():
        ids = factories_statistics.seed()
        yield ids, report.report(db.session, period=OCTOBER, timezone=TZ)


def test_the_month_by_hand(month):
    ids, s = month
    f = s.current
    assert f.incidents == 6 and f.linked == 1
    assert f.by_state == {"closed": 5, "withdrawn": 1}
    assert f.dispatcher_names == {ids["a"]: "调度员甲", ids["b"]: "调度员乙"}
    a, b, linked = (f.by_dispatcher[k] for k in (ids["a"], ids["b"], None))
    assert (a.calls, a.dispatches, a.to_dispatch) == (3, 4, Spread(2, 90, 120, 120))
    assert (b.calls, b.dispatches, b.to_dispatch) == (2, 2, Spread(2, 105, 180, 180))
    assert (linked.calls, linked.dispatches, linked.to_dispatch) == (1, 0, Spread(1, 240, 240, 240))
    assert f.chain == {
        Link.CALL_TO_DISPATCH: Spread(5, 120, 240, 240),
        Link.DISPATCH_TO_ACK: Spread(3, 10, 15, 15),
        Link.ACK_TO_EN_ROUTE: Spread(3, 60, 70, 70),
        Link.EN_ROUTE_TO_SCENE: Spread(4, 650, 700, 700),
        Link.SCENE_TO_HOSPITAL: Spread(3, 1200, 1300, 1300),
        Link.HOSPITAL_TO_CLEARED: Spread(3, 600, 1200, 1200),
        Link.CALL_TO_SCENE: Spread(5, 900, 1200, 1200),
    }
    assert f.by_complaint == {"C01": 2, "C02": 2, "": 1}
    assert f.by_diagnosis == {"I21.9": 2, "I20.0": 1, "": 2}
    assert f.by_hospital == {"第一医院（合成）": 2, "第二医院（合成）": 1}
    assert {h: n for h, n in enumerate(f.by_hour) if n} == {3: 1, 8: 1, 9: 1, 10: 1, 14: 1, 23: 1}
    assert f.by_weekday == (2, 1, 1, 0, 0, 1, 1)  # Mon I1 I2, Tue I3, Wed I6, Sat I4, Sun I5


def test_trips_and_kilometres(month):
    _ids, s = month
    f = s.current
    assert f.trips == 6
    assert {k: v.trips for k, v in f.by_vehicle.items()} == {"T1-000": 2, "T1-001": 2, "T1-002": 2}
    metres = {k: v.metres for k, v in f.by_vehicle.items()}
    assert metres["T1-000"] == pytest.approx(7 * STEP_M, abs=0.05)  # glitch and early fix out
    assert metres["T1-001"] == 0
    assert metres["T1-002"] == pytest.approx(STEP_M, abs=0.01)
    assert f.kilometres == pytest.approx(8.8956, abs=0.0001)


def test_previous_month_and_a_year_before(month):
    ids, s = month
    assert (s.previous.incidents, s.year_earlier.incidents) == (2, 2)
    assert s.previous.by_dispatcher[ids["b"]].to_dispatch == Spread(1, 100, 100, 100)
    assert s.previous.trips == 1 and s.year_earlier.trips == 0
    totals = dict(report.totals(s))
    assert totals[Total.INCIDENTS] == ["6", "+4（+200.0%）", "+4（+200.0%）"]
    assert totals[Total.LINKED] == ["1", "+1（n/a）", "+1（n/a）"]
    assert totals[Total.KILOMETRES] == ["8.9", "+8.9（n/a）", "+8.9（n/a）"]
    rows = report.dispatchers(s)
    assert [key for key, _cells in rows] == [ids["a"], ids["b"], None]
    assert rows[0][1] == [
        "3", "+2（+200.0%）", "+2（+200.0%）", "4", "+4（n/a）", "+4（n/a）", "90", "120", "120",
    ]  # fmt: skip
    chain = dict(report.links(s))
    # September's call to dispatch: 100 s (I7); a year before: none.
    assert chain[Link.CALL_TO_DISPATCH][:4] == ["5", "120", "+20", "—"]
    assert dict(report.hours(s))[8] == ["1", "+1（n/a）", "+1（n/a）"]
    assert dict(report.hours(s))[23][0] == "1"


def test_settled_trips_are_measured_once_and_read_from_the_assignment(month, any_app):
    """measure_trips keeps each settled trip's metres (the same as measured from the fixes);
    the statistics then read those, not the fixes."""
    from sqlalchemy import func, select

    from hotline.database import utcnow
    from hotline.models import Assignment
    from hotline.services.ems import statistics, trips
    from hotline.services.reports.scope import bounds

    with any_app.app_context():
        settled = trips.measure_settled(db.session, now=utcnow())
        assert settled == db.session.scalar(select(func.count(Assignment.cleared_at)))
        assert trips.measure_settled(db.session, now=utcnow()) == 0  # once
        start, end = bounds(OCTOBER, timezone=TZ)
        measured = statistics.figures(db.session, start=start, end=end, timezone=TZ)
        # A kilometre more on one stored trip shows: the fixes were not read again.
        first = db.session.scalars(select(Assignment).order_by(Assignment.id)).first()
        first.track_m += 1000
        db.session.commit()
        again = statistics.figures(db.session, start=start, end=end, timezone=TZ)
        # A settled month's figures are kept a while: the page computes it once (the
        # fixture's figures, from before the measuring, were kept too).
        report.forget()
        kept = report.report(db.session, period=OCTOBER, timezone=TZ).current
        first.track_m -= 1000
        db.session.commit()
        assert report.report(db.session, period=OCTOBER, timezone=TZ).current is kept
        report.forget()
        fresh = report.report(db.session, period=OCTOBER, timezone=TZ).current
    assert measured.kilometres == pytest.approx(8.8956, abs=0.001)
    assert again.kilometres == kept.kilometres == pytest.approx(9.8956, abs=0.001)
    assert fresh.kilometres == pytest.approx(8.8956, abs=0.001)
