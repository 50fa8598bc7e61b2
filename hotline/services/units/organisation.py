"""Admins maintain departments, categories and routing rules; every change reloads the cache."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.deadlines.limits import LimitUnit
from hotline.core.orders.duplicates import DEFAULT_RADIUS_M, DEFAULT_WINDOW_HOURS
from hotline.core.units.address import Division
from hotline.core.units.kinds import BODY, STREET, STREET_KIND, SUB_UNIT
from hotline.database import write_transaction
from hotline.models import (
    Category,
    Department,
    District,
    DuplicateRule,
    RoutingRule,
    TransferRule,
)
from hotline.plugins import db
from hotline.services.errors import Conflict, NotFound, ValidationFailed
from hotline.services.reference import cache


@dataclass(frozen=True)
class Choices:
    """What the admin forms offer: departments, districts and categories."""

    departments: list[Department]
    districts: list[District]
    categories: list[Category]


def choices(session: Session) -> Choices:
    """Departments by name, districts by code, categories by code."""
    return Choices(
        departments=list(session.scalars(select(Department).order_by(Department.name))),
        districts=list(session.scalars(select(District).order_by(District.code))),
        categories=list(session.scalars(select(Category).order_by(Category.code))),
    )


def get(session: Session, model: type[db.Model], object_id: int | date | None) -> db.Model | None:
    """The department, category or rule with this id; None for no id; NotFound if it is gone."""
    if object_id is None:
        return None
    found = session.get(model, object_id)
    if found is None:
        raise NotFound()
    return found


def routing_rules(session: Session) -> list[RoutingRule]:
    """Every explicit routing rule, oldest first."""
    return list(session.scalars(select(RoutingRule).order_by(RoutingRule.id)))


def clean(value: str | None, field: str, limit: int, errors: dict[str, str]) -> str:
    """A required text stripped of spaces; notes "required" or "too_long" in `errors`."""
    value = (value or "").strip()
    if not value:
        errors[field] = "required"
    elif len(value) > limit:
        errors[field] = "too_long"
    return value


def _unique(session: Session, column, value: str, own_id: int | None, code: str) -> None:
    clash = session.scalar(select(column.class_).where(column == value))
    if clash is not None and clash.id != own_id:
        raise Conflict(code)


def _known_district(session: Session, district_id: int | None) -> None:
    if district_id is not None and session.get(District, district_id) is None:
        raise ValidationFailed({"district_id": "unknown_district"})


def save_department(
    session: Session,
    *,
    department_id: int | None,
    name: str,
    kind: str,
    district_id: int | None,
    active: bool,
    parent_id: int | None = None,
) -> Department:
    """Create (id None) or update a department and its jurisdiction (district or city-wide);
    with a parent it is that unit's sub-unit (科室, 社区/村: one level below a unit)."""
    errors: dict[str, str] = {}
    name = clean(name, "name", 128, errors)
    kind = clean(kind, "kind", 64, errors)
    if errors:
        raise ValidationFailed(errors)
    with write_transaction(session):
        _known_district(session, district_id)
        _unique(session, Department.name, name, department_id, "name_taken")
        department = get(session, Department, department_id) or Department()
        if parent_id is not None:
            parent = session.get(Department, parent_id)
            if parent is None or parent.level == SUB_UNIT or parent_id == department_id:
                raise ValidationFailed({"parent_id": "unknown_department"})
            has_own = department_id is not None and session.scalar(
                select(Department.id).where(Department.parent_id == department_id).limit(1)
            )
            if has_own:  # one level of sub-units: a unit with its own cannot become one
                raise ValidationFailed({"parent_id": "has_sub_units"})
            district_id = district_id or parent.district_id
            department.level = SUB_UNIT
        elif department.level in (SUB_UNIT, None):
            # A unit again: a 街乡镇 (official code, kind 属地) is one again, else a body.
            is_street = kind == STREET_KIND and bool(department.code)
            department.level = STREET if is_street else BODY
        department.name, department.kind, department.parent_id = name, kind, parent_id
        department.district_id, department.active = district_id, active
        session.add(department)
        cache.bump_version(session)
    return department


def _check_category(
    code: str, name: str, time_limit: int | None, time_limit_unit: str
) -> tuple[str, str]:
    errors: dict[str, str] = {}
    code = clean(code, "code", 32, errors)
    name = clean(name, "name", 64, errors)
    if time_limit is not None and not 0 < time_limit <= 365:
        errors["time_limit"] = "out_of_range"
    if time_limit_unit not in {u.value for u in LimitUnit}:
        errors["time_limit_unit"] = "invalid_choice"
    if errors:
        raise ValidationFailed(errors)
    return code, name


def save_category(
    session: Session,
    *,
    category_id: int | None,
    code: str,
    name: str,
    parent_id: int | None,
    department_kind: str | None,
    time_limit: int | None,
    keywords: str,
    active: bool,
    time_limit_unit: str = LimitUnit.WORKING_DAYS.value,
    hotspot_min_orders: int | None = None,
    hotspot_radius_m: int | None = None,
    hotspot_window_hours: int | None = None,
    duplicate_radius_m: int | None = None,
    duplicate_window_hours: int | None = None,
) -> Category:
    """Create or update a category; only two levels (major, minor) are allowed. The hotspot
    thresholds (None: the defaults) say when its orders make a 热点."""
    code, name = _check_category(code, name, time_limit, time_limit_unit)
    for field, value, low, high in (
        ("hotspot_min_orders", hotspot_min_orders, 2, 1000),
        ("hotspot_radius_m", hotspot_radius_m, 10, 5000),
        ("hotspot_window_hours", hotspot_window_hours, 1, 720),
        ("duplicate_radius_m", duplicate_radius_m, 10, 5000),
        ("duplicate_window_hours", duplicate_window_hours, 1, 720),
    ):
        if value is not None and not low <= value <= high:
            raise ValidationFailed({field: "out_of_range"})
    with write_transaction(session):
        if parent_id is not None:
            parent = session.get(Category, parent_id)
            if parent is None or parent.parent_id is not None or parent.id == category_id:
                raise ValidationFailed({"parent_id": "must_be_major_category"})
        _unique(session, Category.code, code, category_id, "code_taken")
        category = get(session, Category, category_id) or Category()
        category.code, category.name, category.parent_id = code, name, parent_id
        category.department_kind = (department_kind or "").strip() or None
        category.time_limit, category.time_limit_unit = time_limit, time_limit_unit
        category.keywords, category.active = keywords.strip()[:255], active
        category.hotspot_min_orders = hotspot_min_orders
        category.hotspot_radius_m = hotspot_radius_m
        category.hotspot_window_hours = hotspot_window_hours
        session.add(category)
        session.flush()
        _duplicate_rule(session, category.id, duplicate_radius_m, duplicate_window_hours)
        cache.bump_version(session)
    return category


def _duplicate_rule(
    session: Session, category_id: int, radius_m: int | None, window_hours: int | None
) -> None:
    """The category's 并单 candidate rule: set (a missing half takes the default), or none."""
    rule = session.get(DuplicateRule, category_id)
    if radius_m is None and window_hours is None:
        if rule is not None:
            session.delete(rule)
        return
    rule = rule or DuplicateRule(category_id=category_id)
    rule.radius_m = radius_m or int(DEFAULT_RADIUS_M)
    rule.window_hours = window_hours or int(DEFAULT_WINDOW_HOURS)
    session.add(rule)


def add_rule(
    session: Session, *, category_id: int | None, district_id: int | None, department_id: int | None
) -> RoutingRule:
    """An explicit routing rule that wins over the category's default kind."""
    with write_transaction(session):
        category = session.get(Category, category_id) if category_id else None
        if category is None or category.parent_id is None:
            raise ValidationFailed({"category_id": "must_be_minor_category"})
        _known_district(session, district_id)
        if not department_id or session.get(Department, department_id) is None:
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


def delete(session: Session, model: type[db.Model], key: int | date) -> None:
    """Remove a rule or a calendar change by its key (NotFound if gone); reload the cache."""
    with write_transaction(session):
        session.delete(get(session, model, key))
        cache.bump_version(session)


def delete_rule(session: Session, rule_id: int) -> None:
    """Remove a routing rule."""
    delete(session, RoutingRule, rule_id)


def transfer_rules(session: Session) -> list[TransferRule]:
    """Every unit pair allowed to transfer orders directly, oldest first."""
    return list(session.scalars(select(TransferRule).order_by(TransferRule.id)))


def add_transfer_rule(
    session: Session, *, from_department_id: int | None, to_department_id: int | None
) -> TransferRule:
    """Allow one unit to transfer orders straight to another (转办) instead of 退单."""
    with write_transaction(session):
        for field, unit_id in (
            ("from_department_id", from_department_id),
            ("to_department_id", to_department_id),
        ):
            if not unit_id or session.get(Department, unit_id) is None:
                raise ValidationFailed({field: "unknown_department"})
        if from_department_id == to_department_id:
            raise ValidationFailed({"to_department_id": "same_department"})
        existing = session.scalar(
            select(TransferRule).where(
                TransferRule.from_department_id == from_department_id,
                TransferRule.to_department_id == to_department_id,
            )
        )
        if existing is not None:
            raise Conflict("rule_exists")
        rule = TransferRule(
            from_department_id=from_department_id, to_department_id=to_department_id
        )
        session.add(rule)
    return rule


def delete_transfer_rule(session: Session, rule_id: int) -> None:
    """Remove a transfer rule."""
    delete(session, TransferRule, rule_id)


@dataclass(frozen=True)
class StreetSeed:
    """What seeding the 街乡镇 did."""

    added: int
    updated: int


def seed_streets(session: Session, streets: Iterable[Division]) -> StreetSeed:
    """Add each 街乡镇 (official code, name, district code) as a unit under its district,
    named after it (朝阳区三里屯街道); a unit whose code exists is renamed if the official
    name changed. Idempotent; every process reloads its routing data."""
    added = updated = 0
    with write_transaction(session):
        districts = {d.code: d for d in session.scalars(select(District))}
        existing = {
            d.code: d
            for d in session.scalars(select(Department).where(Department.code.is_not(None)))
        }
        for street in streets:
            district = districts.get(street.parent_code or "")
            if district is None:
                continue  # a district this installation does not cover
            name = district.name + street.name
            unit = existing.get(street.code)
            if unit is None:
                session.add(
                    Department(
                        name=name,
                        kind=STREET_KIND,
                        level=STREET,
                        code=street.code,
                        district_id=district.id,
                    )
                )
                added += 1
            elif unit.name != name:
                unit.name = name
                updated += 1
        cache.bump_version(session)
    return StreetSeed(added, updated)
