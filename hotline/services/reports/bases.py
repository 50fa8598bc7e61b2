"""The two comparison bases of every report figure: 环比 (the period before) and 同比 (the
same period a year earlier)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from hotline.core.reports import kpi
from hotline.core.reports.periods import Period, previous, year_earlier

T = TypeVar("T")


@dataclass(frozen=True)
class Compared:
    """A figure with its 环比 and 同比 changes."""

    current: float
    previous: kpi.Change
    year_earlier: kpi.Change


def compare(current: float, previous_value: float, year_value: float) -> Compared:
    """Bundle a figure with its two bases."""
    return Compared(current, kpi.Change(current, previous_value), kpi.Change(current, year_value))


def for_bases(period: Period, compute: Callable[[Period], T]) -> tuple[T, T]:
    """`compute` for the 环比 and the 同比 period; once when they are the same days (a year)."""
    before_period, year_period = previous(period), year_earlier(period)
    before = compute(before_period)
    if (before_period.start, before_period.end) == (year_period.start, year_period.end):
        return before, before
    return before, compute(year_period)
