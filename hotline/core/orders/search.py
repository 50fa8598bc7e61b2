"""Search filters for work orders, parsed from query parameters."""

import re
from dataclasses import dataclass, fields
from datetime import date
from enum import StrEnum

from hotline.core import days, phone
from hotline.core.orders.intake import OrderType
from hotline.core.orders.workflow import State

_NUMBER = re.compile(r"^[0-9\-]{1,20}$")


@dataclass(frozen=True)
class OrderFilters:
    """Every filter the search page and the orders API accept; None means 'any'."""

    number: str | None = None
    caller_phone: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    state: State | None = None
    order_type: OrderType | None = None
    district_code: str | None = None
    department_id: int | None = None
    category_code: str | None = None

    def is_empty(self) -> bool:
        """True when no filter is set."""
        return all(getattr(self, f.name) is None for f in fields(self))


def parse_filters(args: dict) -> tuple[OrderFilters, dict[str, str]]:
    """Filters from query parameters, plus field -> error code for the ones that are wrong."""
    errors: dict[str, str] = {}

    def text(key: str) -> str | None:
        value = args.get(key)
        return value.strip() or None if isinstance(value, str) else None

    number = text("number")
    if number and not _NUMBER.match(number):
        errors["number"] = "invalid"
        number = None
    raw_phone = text("caller_phone")
    caller_phone = None
    if raw_phone:
        caller_phone = phone.normalise(raw_phone)
        if caller_phone is None:
            errors["caller_phone"] = "invalid_phone"

    def day(key: str) -> date | None:
        raw = text(key)
        if raw is None:
            return None
        parsed = days.parse_day(raw)
        if parsed is None:
            errors[key] = "invalid_date"
        return parsed

    def choice(key: str, enum: type[StrEnum]) -> StrEnum | None:
        raw = text(key)
        if raw is None:
            return None
        try:
            return enum(raw)
        except ValueError:
            errors[key] = "invalid_choice"
            return None

    department_id = None
    raw_department = text("department_id")
    if raw_department:
        if raw_department.isdigit() and len(raw_department) < 10:
            department_id = int(raw_department)
        else:
            errors["department_id"] = "invalid"
    filters = OrderFilters(
        number=number,
        caller_phone=caller_phone,
        date_from=day("date_from"),
        date_to=day("date_to"),
        state=choice("state", State),
        order_type=choice("order_type", OrderType),
        district_code=text("district_code"),
        department_id=department_id,
        category_code=text("category_code"),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors["date_to"] = "before_start"
    return filters, errors
