"""Report periods and their 环比 and 同比 bases, on hand-worked dates."""

from datetime import date

import pytest

from hotline.core.reports.periods import Period, PeriodKind, period_for, previous, year_earlier

K = PeriodKind


def test_calendar_units():
    assert period_for(K.MONTH, date(2026, 2, 14)) == Period(
        K.MONTH, date(2026, 2, 1), date(2026, 2, 28)
    )
    assert period_for(K.MONTH, date(2024, 2, 14)).end == date(2024, 2, 29)
    assert period_for(K.MONTH, date(2026, 12, 31)).end == date(2026, 12, 31)
    assert period_for(K.QUARTER, date(2026, 11, 23)) == Period(
        K.QUARTER, date(2026, 10, 1), date(2026, 12, 31)
    )
    assert period_for(K.WEEK, date(2026, 11, 22)) == Period(
        K.WEEK, date(2026, 11, 16), date(2026, 11, 22)
    )
    assert period_for(K.YEAR, date(2026, 5, 5)).days == 365
    with pytest.raises(ValueError):
        period_for(K.RANGE, date(2026, 1, 1))
    with pytest.raises(ValueError):
        Period(K.RANGE, date(2026, 1, 2), date(2026, 1, 1))


def test_previous_period_for_huanbi():
    october = period_for(K.MONTH, date(2026, 10, 5))
    assert previous(october) == Period(K.MONTH, date(2026, 9, 1), date(2026, 9, 30))
    assert previous(period_for(K.MONTH, date(2026, 1, 5))).start == date(2025, 12, 1)
    assert previous(period_for(K.QUARTER, date(2026, 2, 1))).start == date(2025, 10, 1)
    assert previous(period_for(K.WEEK, date(2026, 1, 1))).start == date(2025, 12, 22)
    ten_days = Period(K.RANGE, date(2026, 3, 1), date(2026, 3, 10))
    assert previous(ten_days) == Period(K.RANGE, date(2026, 2, 19), date(2026, 2, 28))
    assert previous(Period(K.DAY, date(2026, 3, 1), date(2026, 3, 1))).start == date(2026, 2, 28)


def test_year_earlier_for_tongbi():
    assert year_earlier(period_for(K.MONTH, date(2025, 2, 1))) == Period(
        K.MONTH, date(2024, 2, 1), date(2024, 2, 29)
    )
    leap_day = Period(K.DAY, date(2024, 2, 29), date(2024, 2, 29))
    assert year_earlier(leap_day).start == date(2023, 2, 28)
    assert year_earlier(period_for(K.YEAR, date(2026, 7, 1))).start == date(2025, 1, 1)
    week = period_for(K.WEEK, date(2026, 11, 23))  # ISO week 48 of 2026
    assert year_earlier(week).start == date(2025, 11, 24)  # ISO week 48 of 2025
    week_53 = period_for(K.WEEK, date(2026, 12, 31))  # 2026 has an ISO week 53
    assert year_earlier(week_53).start.isocalendar()[:2] == (2025, 52)
