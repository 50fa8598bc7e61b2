"""Admins set time-limit rules and local changes to the working-day calendar."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.deadlines.calendar import WorkCalendar
from hotline.core.deadlines.limits import LimitUnit, Priority
from hotline.core.orders.intake import OrderType
from hotline.database import write_transaction
from hotline.models import CalendarOverride, Category, TimeLimitRule
from hotline.services.errors import ValidationFailed
from hotline.services.reference import cache
from hotline.services.units.organisation import delete


def limit_rules(session: Session) -> list[TimeLimitRule]:
    """Every time-limit rule, oldest first."""
    return list(session.scalars(select(TimeLimitRule).order_by(TimeLimitRule.id)))


def _limit_errors(
    order_type: str | None,
    priority: str | None,
    amount: int | None,
    unit: str,
    warning_percent: int | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if order_type is not None and order_type not in {t.value for t in OrderType}:
        errors["order_type"] = "invalid_choice"
    if priority is not None and priority not in {p.value for p in Priority}:
        errors["priority"] = "invalid_choice"
    if amount is None or not 0 < amount <= 365:
        errors["amount"] = "out_of_range"
    if unit not in {u.value for u in LimitUnit}:
        errors["unit"] = "invalid_choice"
    if warning_percent is None or not 1 <= warning_percent <= 99:
        errors["warning_percent"] = "out_of_range"
    return errors


def add_limit_rule(
    session: Session,
    *,
    order_type: str | None,
    category_id: int | None,
    priority: str | None,
    amount: int | None,
    unit: str,
    warning_percent: int | None,
) -> TimeLimitRule:
    """A time limit for the orders of a type, category and/or priority (empty: any)."""
    errors = _limit_errors(order_type, priority, amount, unit, warning_percent)
    if order_type is None and category_id is None and priority is None:
        errors["order_type"] = "rule_matches_everything"
    with write_transaction(session):
        if category_id is not None and session.get(Category, category_id) is None:
            errors["category_id"] = "unknown_category"
        if errors:
            raise ValidationFailed(errors)
        rule = TimeLimitRule(order_type=order_type, category_id=category_id, priority=priority)
        rule.amount, rule.unit, rule.warning_percent = amount, unit, warning_percent
        session.add(rule)
        cache.bump_version(session)
    return rule


def delete_limit_rule(session: Session, rule_id: int) -> None:
    """Remove a time-limit rule; orders already registered keep their due times."""
    delete(session, TimeLimitRule, rule_id)


def calendar_overrides(session: Session) -> list[CalendarOverride]:
    """The local changes to the official calendar, by day."""
    return list(session.scalars(select(CalendarOverride).order_by(CalendarOverride.day)))


def uncovered_years(*, now: datetime, timezone: str) -> list[int]:
    """This year and the next, where the official calendar data does not know them."""
    this_year = now.astimezone(ZoneInfo(timezone)).year
    return [year for year in (this_year, this_year + 1) if not WorkCalendar.covers(year)]


def set_calendar_day(session: Session, *, day: date, is_workday: bool, note: str) -> None:
    """Make `day` a working day or a day off, whatever the official calendar says."""
    with write_transaction(session):
        override = session.get(CalendarOverride, day) or CalendarOverride(day=day)
        override.is_workday, override.note = is_workday, note.strip()[:128]
        session.add(override)
        cache.bump_version(session)


def clear_calendar_day(session: Session, day: date) -> None:
    """Back to the official calendar for `day` (NotFound when it has no local change)."""
    delete(session, CalendarOverride, day)
