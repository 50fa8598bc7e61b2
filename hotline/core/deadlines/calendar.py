"""China's working days: statutory holidays and make-up working days, plus local overrides.

The `chinese-calendar` package knows the State Council's holiday arrangements for the years
it was released for. For other years the calendar falls back to Monday-Friday plus the
overrides, and says so through `covers()` so that the admin pages can warn about it.
"""

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

import chinese_calendar

MAX_DAYS_SEARCHED = 3660  # ten years: a guard against a calendar with no working days at all


class WorkCalendar:
    """Answers 'is this a working day?' and adds working days or hours to a local time."""

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        work_start: time = time(9, 0),
        work_end: time = time(17, 30),
    ) -> None:
        if not work_start < work_end:
            raise ValueError("working hours must start before they end")
        self.overrides = dict(overrides or {})
        self.work_start, self.work_end = work_start, work_end

    @staticmethod
    def covers(year: int) -> bool:
        """True if the holiday package has the official arrangement for `year`."""
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    def is_workday(self, day: date) -> bool:
        """Overrides first, then the official calendar, then Monday to Friday."""
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            return day.weekday() < 5

    def next_workday(self, day: date) -> date:
        """The first working day strictly after `day`."""
        for _ in range(MAX_DAYS_SEARCHED):
            day += timedelta(days=1)
            if self.is_workday(day):
                return day
        raise ValueError("no working day within ten years")

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The end of the working day that is the `days`-th working day after `start`'s day."""
        day = start.date()
        for _ in range(days):
            day = self.next_workday(day)
        return datetime.combine(day, self.work_end, tzinfo=start.tzinfo)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """`start` plus `hours` of working time, counted only inside working hours."""
        remaining = timedelta(hours=hours)
        current = start
        for _ in range(MAX_DAYS_SEARCHED):
            day = current.date()
            opens = datetime.combine(day, self.work_start, tzinfo=start.tzinfo)
            closes = datetime.combine(day, self.work_end, tzinfo=start.tzinfo)
            if self.is_workday(day) and current < closes:
                current = max(current, opens)
                if current + remaining <= closes:
                    return current + remaining
                remaining -= closes - current
            following = self.next_workday(day)
            current = datetime.combine(following, self.work_start, tzinfo=start.tzinfo)
        raise ValueError("no working time within ten years")
