"""Report figures on a hand-built fixture: counts by type, channel and local day, and both
comparisons including a zero base."""

from datetime import UTC, date, datetime

from hotline.core.periods import PeriodKind, period_for
from hotline.extensions import db
from hotline.services import report_data
from tests import factories

TZ = "Asia/Shanghai"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_volume_and_comparisons(any_app):
    with any_app.app_context():
        # October 2026 (Beijing time): 3 complaints by phone, 1 inquiry on the web.
        factories.order(now=at(2026, 9, 30, 16, 30))  # 1 Oct 00:30 in Beijing: October
        factories.order(now=at(2026, 10, 1, 17, 0))  # 2 Oct 01:00 in Beijing
        factories.order(now=at(2026, 10, 31, 15, 59))  # 31 Oct 23:59 in Beijing
        factories.order(now=at(2026, 10, 15, 2, 0), order_type="inquiry", category_code="1303",
                        channel="web")  # fmt: skip
        factories.order(now=at(2026, 10, 31, 16, 0))  # 1 Nov in Beijing: not October
        # September 2026: 2 complaints. October 2025: 1 complaint, no inquiry.
        factories.order(now=at(2026, 9, 10, 2, 0))
        factories.order(now=at(2026, 9, 29, 2, 0))
        factories.order(now=at(2025, 10, 20, 2, 0))
        data = report_data.build(db.session, period_for(PeriodKind.MONTH, date(2026, 10, 1)), TZ)
        assert data.volume.total == 4
        assert data.volume.by_type == {"complaint": 3, "inquiry": 1}
        assert data.volume.by_channel == {"phone": 3, "web": 1}
        assert data.volume.daily == {date(2026, 10, 1): 1, date(2026, 10, 2): 1,
                                     date(2026, 10, 15): 1, date(2026, 10, 31): 1}  # fmt: skip
        assert data.orders.current == 4
        assert data.orders.previous.difference == 2 and data.orders.previous.percent() == "+100.0%"
        assert data.orders.year_earlier.difference == 3
        assert data.orders.year_earlier.percent() == "+300.0%"
        inquiry = data.by_type["inquiry"]
        assert inquiry.previous.percent() == "n/a" and inquiry.year_earlier.ratio is None
        assert data.overall.counts.received == 4


def test_ems_percentiles():
    figures = report_data.EmsFigures(3, {1: 2, 3: 1}, [60.0, 200.0, 120.0, 170.0], [600.0])
    assert figures.percentile(figures.to_dispatch, 0.5) == 120.0
    assert figures.percentile(figures.to_dispatch, 0.9) == 200.0
    assert figures.percentile([], 0.9) is None
    assert figures.dispatched_in_target.percent() == "75.0%"
    assert figures.median_to_dispatch == 145.0
