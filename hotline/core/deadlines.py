"""Due times from per-type and per-category time limits.

Calendar days for now: the Chinese working-day calendar is not built yet.
"""

from datetime import datetime, timedelta

from hotline.core.intake import OrderType

# Defaults from common 12345 practice; a category's own limit wins over these.
DEFAULT_LIMIT_DAYS: dict[OrderType, int] = {
    OrderType.INQUIRY: 3,
    OrderType.HELP: 3,
    OrderType.COMPLAINT: 15,
    OrderType.REPORT: 15,
    OrderType.SUGGESTION: 15,
    OrderType.PRAISE: 5,
}


def limit_days(order_type: OrderType, category_limit_days: int | None) -> int:
    """The time limit in days: the category's if set, else the type's default."""
    if category_limit_days is not None and category_limit_days > 0:
        return category_limit_days
    return DEFAULT_LIMIT_DAYS[order_type]


def due_at(created_at: datetime, days: int) -> datetime:
    """The due time: `days` calendar days after creation."""
    return created_at + timedelta(days=days)


def order_number(local_day: datetime, sequence: int) -> str:
    """A human-readable order number, e.g. 20261122-000123."""
    return f"{local_day:%Y%m%d}-{sequence:06d}"
