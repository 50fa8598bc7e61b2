"""Admins maintain departments, categories and routing rules; every change reloads cache."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.deadlines.limits import LimitUnit, Priority
from hotline.core.orders.intake import OrderType
from hotline.database import write_transaction
from hotline.models import (
    CalendarOverride,
    Category,
    Department,
    District,
    RoutingRule,
    TimeLimitRule,
)
from hotline.services.errors import Conflict, NotFound, ValidationFailed
from hotline.services.reference import cache


def _clean(value: str, field: str, limit: int, errors: dict[str, str]) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = "required"
    elif len(value) > limit:
        errors[field] = "too_long"
    return value


def save_department(
    session: Session,
    department_id: int | None,
    name: str,
    kind: str,
    district_id: int | None,
    active: bool,
) -> Department:
    """Create (id None) or update a department and its jurisdiction (district or city-wide)."""
    errors: dict[str, str] = {}
    name = _clean(name, "name", 128, errors)
    kind = _clean(kind, "kind", 64, errors)
    if errors:
        raise ValidationFailed(errors)
    with write_transaction(session):
        if district_id is not None and session.get(District, district_id) is None:
            raise ValidationFailed({"district_id": "unknown_district"})
        clash = session.scalar(select(Department).where(Department.name == name))
        if clash is not None and clash.id != department_id:
            raise Conflict("name_taken")
        if department_id is None:
            department = Department(name=name, kind=kind, district_id=district_id, active=active)
            session.add(department)
        else:
            department = session.get(Department, department_id)
            if department is None:
                raise NotFound()
            department.name, department.kind = name, kind
            department.district_id, department.active = district_id, active
        cache.bump_version(session)
    return department


def save_category(
    session: Session,
    category_id: int | None,
    code: str,
    name: str,
    parent_id: int | None,
    department_kind: str | None,
    time_limit: int | None,
    keywords: str,
    active: bool,
    time_limit_unit: str = LimitUnit.WORKING_DAYS.value,
) -> Category:
    """Create or update a category; only two levels (major, minor) are allowed."""
    errors: dict[str, str] = {}
    code = _clean(code, "code", 32, errors)
    name = _clean(name, "name", 64, errors)
    if time_limit is not None and not 0 < time_limit <= 365:
        errors["time_limit"] = "out_of_range"
    if time_limit_unit not in {u.value for u in LimitUnit}:
        errors["time_limit_unit"] = "invalid_choice"
    if errors:
        raise ValidationFailed(errors)
    with write_transaction(session):
        if parent_id is not None:
            parent = session.get(Category, parent_id)
            if parent is None or parent.parent_id is not None or parent.id == category_id:
                raise ValidationFailed({"parent_id": "must_be_major_category"})
        clash = session.scalar(select(Category).where(Category.code == code))
        if clash is not None and clash.id != category_id:
            raise Conflict("code_taken")
        if category_id is None:
            category = Category(code=code)
            session.add(category)
        else:
            category = session.get(Category, category_id)
            if category is None:
                raise NotFound()
            category.code = code
        category.name, category.parent_id = name, parent_id
        category.department_kind = (department_kind or "").strip() or None
        category.time_limit, category.time_limit_unit = time_limit, time_limit_unit
        category.keywords, category.active = keywords.strip()[:255], active
        cache.bump_version(session)
    return category


def add_rule(
    session: Session, category_id: int, district_id: int | None, department_id: int
) -> RoutingRule:
    """An explicit routing rule that wins over the category's default kind."""
    with write_transaction(session):
        category = session.get(Category, category_id)
        if category is None or category.parent_id is None:
            raise ValidationFailed({"category_id": "must_be_minor_category"})
        if district_id is not None and session.get(District, district_id) is None:
            raise ValidationFailed({"district_id": "unknown_district"})
        if session.get(Department, department_id) is None:
            raise ValidationFailed({"department_id": "unknown_department"})
        existing = session.scalar(
            select(RoutingRule).where(
                RoutingRule.category_id == category_id,
                RoutingRule.district_id.is_(None)
                if district_id is None
                else RoutingRule.district_id == district_id,
            )
        )
        if existing is not None:
            raise Conflict("rule_exists")
        rule = RoutingRule(
            category_id=category_id, district_id=district_id, department_id=department_id
        )
        session.add(rule)
        cache.bump_version(session)
    return rule


def delete_rule(session: Session, rule_id: int) -> None:
    """Remove a routing rule."""
    with write_transaction(session):
        rule = session.get(RoutingRule, rule_id)
        if rule is None:
            raise NotFound()
        session.delete(rule)
        cache.bump_version(session)


def add_limit_rule(
    session: Session,
    order_type: str | None,
    category_id: int | None,
    priority: str | None,
    amount: int | None,
    unit: str,
    warning_percent: int | None,
) -> TimeLimitRule:
    """A time limit for the orders of a type, category and/or priority (empty: any)."""
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
    if order_type is None and category_id is None and priority is None:
        errors["order_type"] = "rule_matches_everything"
    with write_transaction(session):
        if category_id is not None and session.get(Category, category_id) is None:
            errors["category_id"] = "unknown_category"
        if errors:
            raise ValidationFailed(errors)
        rule = TimeLimitRule(
            order_type=order_type, category_id=category_id, priority=priority, amount=amount,
            unit=unit, warning_percent=warning_percent,
        )  # fmt: skip
        session.add(rule)
        cache.bump_version(session)
    return rule


def delete_limit_rule(session: Session, rule_id: int) -> None:
    """Remove a time-limit rule; orders already registered keep their due times."""
    with write_transaction(session):
        rule = session.get(TimeLimitRule, rule_id)
        if rule is None:
            raise NotFound()
        session.delete(rule)
        cache.bump_version(session)


def set_calendar_day(session: Session, day: date, is_workday: bool, note: str) -> None:
    """Make `day` a working day or a day off, whatever the official calendar says."""
    with write_transaction(session):
        override = session.get(CalendarOverride, day)
        if override is None:
            session.add(CalendarOverride(day=day, is_workday=is_workday, note=note.strip()[:128]))
        else:
            override.is_workday, override.note = is_workday, note.strip()[:128]
        cache.bump_version(session)


def clear_calendar_day(session: Session, day: date) -> None:
    """Back to the official calendar for `day`."""
    with write_transaction(session):
        override = session.get(CalendarOverride, day)
        if override is None:
            raise NotFound()
        session.delete(override)
        cache.bump_version(session)
