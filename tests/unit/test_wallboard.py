"""The wallboard's shaping: local days, hours, series against last week, the top lists."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hotline.core import wallboard
from hotline.core.wallboard import Counted, Hourly

TZ = "Asia/Shanghai"
NOW = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)  # 10:30 in Beijing, a Friday


def test_today_is_the_local_day_and_last_week_the_same_weekday_at_the_same_time():
    day = wallboard.today(NOW, TZ)
    assert day.start == datetime(2026, 11, 19, 16, 0, tzinfo=UTC)  # 00:00 in Beijing
    assert day.end == datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
    assert day.hours == 24
    before = wallboard.week_before(day, TZ)
    assert before.start == datetime(2026, 11, 12, 16, 0, tzinfo=UTC)
    assert before.cut == datetime(2026, 11, 13, 2, 30, tzinfo=UTC)
    assert wallboard.hour_of(day, NOW) == 10


def test_a_day_with_a_clock_change_has_23_hours():
    day = wallboard.today(datetime(2026, 3, 29, 12, 0, tzinfo=UTC), "Europe/Berlin")
    assert day.hours == 23


def _counted(**overrides) -> Counted:
    values = {
        "orders": Hourly({8: 3, 10: 2}, 5),
        "orders_last_week": Hourly({8: 1, 10: 1, 15: 7}, 2),
        "follow_ups": Hourly({9: 1}, 1),
        "follow_ups_last_week": Hourly({}, 0),
        "by_state": {"routed": 4, "registered": 1},
        "overdue": 2,
        "due_soon": 1,
        "categories": {"噪音": 3, "供水": 3, "道路": 1, "燃气": 0},
        "districts": {"东城区": 4, "": 1},
    }
    return Counted(**{**values, **overrides})


def test_the_board_series_totals_and_rates():
    day = wallboard.today(NOW, TZ)
    board = wallboard.board(_counted(), day=day, local_now=NOW.astimezone(ZoneInfo(TZ)))
    orders, calls = board["orders"], board["calls"]
    assert orders["today"][8] == 3 and orders["today"][10] == 2 and orders["today"][9] == 0
    assert orders["today"][11:] == [None] * 13  # hours not begun yet are not drawn
    assert orders["last_week"][15] == 7  # last week's whole day is drawn
    assert (orders["total"], orders["last_week_same_time"]) == (5, 2)
    assert orders["change"] == {"difference": 3, "percent": "+150.0%"}
    # Calls: orders received plus follow-up calls, hour by hour.
    assert calls["today"][9] == 1 and calls["total"] == 6 and calls["follow_ups"] == 1
    assert calls["repeat_rate"] == "16.7%"  # kpi.repeat_call_rate: 1 / (5 + 1)
    assert [s["state"] for s in board["states"]][:2] == ["registered", "routed"]
    assert board["open"] == 5 and board["overdue"] == 2 and board["due_soon"] == 1
    # Ties by name, zero counts left out.
    assert [c["name"] for c in board["categories"]] == ["供水", "噪音", "道路"]
    assert board["districts"] == [{"name": "东城区", "count": 4}, {"name": "", "count": 1}]


def test_a_zero_base_is_not_a_change():
    day = wallboard.today(NOW, TZ)
    empty = Hourly({}, 0)
    board = wallboard.board(
        _counted(orders_last_week=empty, follow_ups=empty, orders=empty),
        day=day,
        local_now=NOW.astimezone(ZoneInfo(TZ)),
    )
    assert board["orders"]["change"]["percent"] == "n/a"
    assert board["calls"]["repeat_rate"] == "n/a"


def test_top_keeps_five():
    counts = {f"类{i}": i for i in range(1, 9)}
    assert [n for n, _ in wallboard.top(counts)] == ["类8", "类7", "类6", "类5", "类4"]
