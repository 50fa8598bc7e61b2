"""Due times from per-type and per-category time limits, counted on China's calendar."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from hotline.core.deadlines.calendar import WorkCalendar
from hotline.core.orders.intake import OrderType

DEFAULT_TIMEZONE = "Asia/Shanghai"
# 响应时限: a department must accept (签收) a dispatched order within this time for it to
# count towards its 响应率; Beijing's 接诉即办 practice is contact within 24 hours.
RESPONSE_LIMIT = timedelta(hours=24)


class LimitUnit(StrEnum):
    """What a time limit counts."""

    WORKING_DAYS = "working_days"  # 工作日: holidays and make-up days as the State Council set
    WORKING_HOURS = "working_hours"  # inside working hours on working days
    CALENDAR_DAYS = "calendar_days"
    CALENDAR_HOURS = "calendar_hours"  # emergencies: the clock never stops


# Defaults from common 12345 practice; a category's own limit wins over these.
DEFAULT_LIMITS: dict[OrderType, tuple[int, LimitUnit]] = {
    OrderType.INQUIRY: (3, LimitUnit.WORKING_DAYS),
    OrderType.HELP: (3, LimitUnit.WORKING_DAYS),
    OrderType.COMPLAINT: (15, LimitUnit.WORKING_DAYS),
    OrderType.TIP_OFF: (15, LimitUnit.WORKING_DAYS),
    OrderType.SUGGESTION: (15, LimitUnit.WORKING_DAYS),
    OrderType.PRAISE: (5, LimitUnit.WORKING_DAYS),
}


class Priority(StrEnum):
    """How urgent the intake desk judged the matter."""

    NORMAL = "normal"
    URGENT = "urgent"  # 紧急: usually hours, not days


DEFAULT_WARNING_PERCENT = 80


@dataclass(frozen=True)
class Limit:
    """A time limit and when, as a share of it, the warning (临期预警) starts."""

    amount: int
    unit: LimitUnit
    warning_percent: int = DEFAULT_WARNING_PERCENT


@dataclass(frozen=True)
class LimitRule:
    """An admin's rule; an empty field matches anything."""

    limit: Limit
    order_type: OrderType | None = None
    category_id: int | None = None
    priority: Priority | None = None

    def matches(self, order_type: OrderType, category_id: int, priority: Priority) -> bool:
        """True if every field the rule sets equals the order's."""
        return (
            self.order_type in (None, order_type)
            and self.category_id in (None, category_id)
            and self.priority in (None, priority)
        )

    @property
    def specificity(self) -> int:
        """Priority outweighs category outweighs type: an urgent rule beats a category's
        own limit, and a category's own limit beats a rule for the whole type."""
        return (
            4 * (self.priority is not None)
            + 2 * (self.category_id is not None)
            + (self.order_type is not None)
        )


def resolve_limit(
    rules: Iterable[LimitRule],
    order_type: OrderType,
    category_id: int,
    priority: Priority,
    category_limit: int | None = None,
    category_unit: str | None = None,
) -> Limit:
    """The most specific matching rule; the category's own limit counts as a category rule;
    failing all, the type's default. Ties go to the earlier rule."""
    candidates = [r for r in rules if r.matches(order_type, category_id, priority)]
    if category_limit is not None and category_limit > 0:
        unit = LimitUnit(category_unit or LimitUnit.WORKING_DAYS)
        candidates.append(LimitRule(Limit(category_limit, unit), category_id=category_id))
    if not candidates:
        amount, unit = DEFAULT_LIMITS[order_type]
        return Limit(amount, unit)
    return max(enumerate(candidates), key=lambda pair: (pair[1].specificity, -pair[0]))[1].limit


def due_at(
    created_at: datetime, amount: int, unit: LimitUnit, calendar: WorkCalendar, timezone: str
) -> datetime:
    """When an order received at `created_at` is due, counted in the hotline's time zone."""
    local = created_at.astimezone(ZoneInfo(timezone))
    if unit is LimitUnit.WORKING_DAYS:
        due = calendar.add_working_days(local, amount)
    elif unit is LimitUnit.WORKING_HOURS:
        due = calendar.add_working_hours(local, amount)
    elif unit is LimitUnit.CALENDAR_DAYS:
        due = local + timedelta(days=amount)
    else:
        due = local + timedelta(hours=amount)
    return due.astimezone(created_at.tzinfo)


def accepted_in_time(routed_at: datetime | None, accepted_at: datetime) -> bool:
    """True if the order was accepted within the response limit of its dispatch."""
    return routed_at is not None and accepted_at - routed_at <= RESPONSE_LIMIT


def order_number(local_day: datetime, sequence: int) -> str:
    """A human-readable order number, e.g. 20261122-000123."""
    return f"{local_day:%Y%m%d}-{sequence:06d}"
