"""Working days by hand across Spring Festival, National Day and a year the package lacks."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from hotline.core.deadlines.calendar import WorkCalendar

BJ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=BJ)


@pytest.fixture
def cal():
    return WorkCalendar()


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2026, 10, 1), False),  # National Day
        (date(2026, 10, 7), False),
        (date(2026, 9, 20), True),  # a Sunday worked to make up for the holiday
        (date(2026, 10, 10), True),  # a Saturday worked to make up
        (date(2026, 2, 14), True),  # Saturday before Spring Festival, worked
        (date(2026, 2, 16), False),  # Spring Festival eve
        (date(2026, 2, 28), True),  # Saturday after, worked
        (date(2025, 10, 8), False),  # 2025 National Day + Mid-Autumn: Oct 1-8
        (date(2025, 9, 28), True),  # its make-up Sunday
        (date(2025, 10, 11), True),  # its make-up Saturday
        (date(2026, 11, 23), True),  # an ordinary Monday
        (date(2026, 11, 22), False),  # an ordinary Sunday
    ],
)
def test_official_days(cal, day, working):
    assert cal.is_workday(day) is working


def test_three_working_days_across_national_day(cal):
    # Received Tue 29 Sep 2026: Wed 30 Sep, then Thu 8 and Fri 9 Oct.
    assert cal.add_working_days(at(2026, 9, 29), 3) == datetime(2026, 10, 9, 17, 30, tzinfo=BJ)
    # The fourth is the make-up Saturday, 10 Oct.
    assert cal.add_working_days(at(2026, 9, 29), 4) == datetime(2026, 10, 10, 17, 30, tzinfo=BJ)


def test_spring_festival(cal):
    # Received Fri 13 Feb 2026: the next working day is the make-up Saturday 14 Feb,
    # then nothing until Tue 24 Feb.
    assert cal.add_working_days(at(2026, 2, 13), 1).date() == date(2026, 2, 14)
    assert cal.add_working_days(at(2026, 2, 13), 2).date() == date(2026, 2, 24)


def test_a_year_the_package_lacks_falls_back_to_weekdays_and_overrides(cal):
    assert WorkCalendar.covers(2026) and not WorkCalendar.covers(2027)
    # Wed 30 Dec 2026 + 3: Thu 31 Dec, then 2027 by weekdays: Fri 1 Jan, Mon 4 Jan.
    assert cal.add_working_days(at(2026, 12, 30), 3).date() == date(2027, 1, 4)
    with_new_year = WorkCalendar({date(2027, 1, 1): False})
    assert with_new_year.add_working_days(at(2026, 12, 30), 3).date() == date(2027, 1, 5)
    assert cal.is_workday(date(2099, 6, 1)) is True  # no crash, however far


def test_local_overrides_win(cal):
    typhoon = WorkCalendar({date(2026, 11, 23): False, date(2026, 11, 22): True})
    assert not typhoon.is_workday(date(2026, 11, 23))
    assert typhoon.is_workday(date(2026, 11, 22))


def test_working_hours_across_a_holiday(cal):
    # Wed 30 Sep 16:00 + 4 h: 1.5 h that day, the rest from Thu 8 Oct 09:00.
    assert cal.add_working_hours(at(2026, 9, 30, 16), 4) == at(2026, 10, 8, 11, 30)


def test_working_hours_across_a_weekend_and_before_opening(cal):
    # Fri 20 Nov 2026 17:00 + 2 h: 0.5 h Friday, 1.5 h from Mon 23 Nov 09:00.
    assert cal.add_working_hours(at(2026, 11, 20, 17), 2) == at(2026, 11, 23, 10, 30)
    # Received at 07:00 counts from opening time.
    assert cal.add_working_hours(at(2026, 11, 23, 7), 1) == at(2026, 11, 23, 10, 0)
    # Received on Sunday counts from Monday morning.
    assert cal.add_working_hours(at(2026, 11, 22, 15), 8.5) == at(2026, 11, 23, 17, 30)


def test_working_hours_must_make_sense():
    with pytest.raises(ValueError):
        WorkCalendar(work_start=time(18), work_end=time(9))
