"""The days the system accepts from people and clients.

Python's dates reach from year 1 to 9999, but a moment at either end cannot be moved to UTC,
widened by a window or compared with the period before it without overflowing, and no
order, call, booking or report is dated anywhere near them. Every parser of a date or a
moment refuses one outside these years, as it refuses a malformed one.
"""

from datetime import date, datetime

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def in_range(value: date | datetime) -> bool:
    """Whether a day, or a moment's day, lies between FIRST_DAY and LAST_DAY."""
    day = value.date() if isinstance(value, datetime) else value
    return FIRST_DAY <= day <= LAST_DAY


def parse_day(text: str) -> date | None:
    """A YYYY-MM-DD day within the accepted years, or None when it is malformed or outside."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return day if in_range(day) else None
