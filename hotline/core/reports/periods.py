"""Report periods and the two periods each is compared with.

环比 compares with the period just before: for a calendar unit (week, month, quarter, year)
the previous unit, as officials read it ("October against September"); for a day or an
arbitrary range the same number of days immediately before. 同比 compares with the same
period a year earlier: the same calendar unit, or the same dates (29 February becomes 28).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class PeriodKind(StrEnum):
    """What a report covers."""

    DAY = "day"
    WEEK = "week"  # Monday to Sunday
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"


@dataclass(frozen=True)
class Period:
    """Local calendar days from `start` to `end`, both included."""

    kind: PeriodKind
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period cannot end before it starts")

    @property
    def days(self) -> int:
        """How many days it covers."""
        return (self.end - self.start).days + 1


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def period_for(kind: PeriodKind, anchor: date) -> Period:
    """The calendar unit of `kind` that contains `anchor` (RANGE: not a unit)."""
    if kind is PeriodKind.DAY:
        return Period(kind, anchor, anchor)
    if kind is PeriodKind.WEEK:
        monday = anchor - timedelta(days=anchor.weekday())
        return Period(kind, monday, monday + timedelta(days=6))
    if kind is PeriodKind.MONTH:
        return Period(kind, anchor.replace(day=1), _month_end(anchor.year, anchor.month))
    if kind is PeriodKind.QUARTER:
        first = (anchor.month - 1) // 3 * 3 + 1
        return Period(kind, date(anchor.year, first, 1), _month_end(anchor.year, first + 2))
    if kind is PeriodKind.YEAR:
        return Period(kind, date(anchor.year, 1, 1), date(anchor.year, 12, 31))
    raise ValueError("a range has no calendar unit: build Period(RANGE, start, end)")


def previous(period: Period) -> Period:
    """环比's base: the previous unit, or as many days just before."""
    if period.kind in (PeriodKind.DAY, PeriodKind.RANGE):
        end = period.start - timedelta(days=1)
        return Period(period.kind, end - timedelta(days=period.days - 1), end)
    return period_for(period.kind, period.start - timedelta(days=1))


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def year_earlier(period: Period) -> Period:
    """同比's base: the same unit a year before, or the same dates a year before."""
    if period.kind in (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR):
        return period_for(period.kind, _year_before(period.start))
    if period.kind is PeriodKind.WEEK:
        # The ISO week of the same number a year before (week 53 falls back to week 52).
        year, week, _ = period.start.isocalendar()
        try:
            monday = date.fromisocalendar(year - 1, week, 1)
        except ValueError:
            monday = date.fromisocalendar(year - 1, 52, 1)
        return Period(period.kind, monday, monday + timedelta(days=6))
    return Period(period.kind, _year_before(period.start), _year_before(period.end))
