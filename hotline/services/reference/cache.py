"""The process-wide cache of reference data: districts and their jurisdiction index,
departments, categories, routing rules, the calendar's local changes and the time-limit rules.
Built once per version and rebuilt when an admin change bumps the version (any process)."""

import json
import threading
from dataclasses import dataclass

from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.deadlines import limits
from hotline.core.deadlines.calendar import WorkCalendar
from hotline.core.geo import Jurisdiction, JurisdictionIndex
from hotline.core.orders.intake import OrderType
from hotline.core.orders.routing import STREET_KIND, DepartmentDirectory, DepartmentRef, RuleRef
from hotline.core.units import address
from hotline.models import (
    CalendarOverride,
    Category,
    Department,
    District,
    RoutingRule,
    TimeLimitRule,
)
from hotline.services import versions

VERSION_KEY = "routing_version"


@dataclass(frozen=True)
class CategoryRef:
    """What routing needs to know about a category."""

    id: int
    code: str
    name: str
    kind: str | None
    time_limit: int | None
    time_limit_unit: str
    is_leaf: bool


@dataclass(frozen=True)
class RoutingContext:
    """Everything routing reads, built once per routing version."""

    version: str
    index: JurisdictionIndex
    directory: DepartmentDirectory
    categories: dict[str, CategoryRef]
    district_ids: dict[str, int]
    district_codes: dict[int, str]
    calendar: WorkCalendar
    limit_rules: tuple[limits.LimitRule, ...] = ()
    parser: address.AddressParser | None = None  # typed address -> district and 街乡镇
    streets: tuple[address.Division, ...] = ()  # the 街乡镇 units, by official name
    street_index: JurisdictionIndex | None = None  # their boundaries, when imported


_lock = threading.Lock()
_current: RoutingContext | None = None


def bump_version(session: Session) -> None:
    """Tell every process to rebuild its routing context (call inside a write transaction)."""
    versions.bump(session, VERSION_KEY)


def context(session: Session) -> RoutingContext:
    """The current routing context; one small query checks that it is still fresh."""
    global _current
    # Plain SQL: this runs on every intake, and the ORM's select costs several times more.
    version = versions.current(session, VERSION_KEY)
    if version is None:
        return _build(session, "")
    current = _current
    if current is not None and current.version == version:
        return current
    with _lock:
        if _current is None or _current.version != version:
            _current = _build(session, version)
        return _current


def _official_name(unit_name: str, district_name: str | None) -> str:
    """A 街乡镇 unit is named after its district (朝阳区三里屯街道); the official name without."""
    if district_name and unit_name.startswith(district_name):
        return unit_name[len(district_name) :]
    return unit_name


def _build(session: Session, version: str) -> RoutingContext:
    districts = session.scalars(select(District)).all()
    index = JurisdictionIndex(
        Jurisdiction(d.code, d.name, shape(json.loads(d.geometry_geojson))) for d in districts
    )
    district_codes = {d.id: d.code for d in districts}
    departments = [
        DepartmentRef(d.id, d.name, d.kind, district_codes.get(d.district_id), d.code)
        for d in session.scalars(select(Department).where(Department.active))
    ]
    district_names = {d.code: d.name for d in districts}
    # 街乡镇 boundaries, where imported: a point in one decides the 街乡镇.
    bounded = session.execute(
        select(Department.code, Department.name, Department.geometry_geojson).where(
            Department.active, Department.geometry_geojson.is_not(None)
        )
    ).all()
    street_index = JurisdictionIndex(
        Jurisdiction(code, name, shape(json.loads(geometry))) for code, name, geometry in bounded
    )
    streets = tuple(
        address.Division(
            d.code, _official_name(d.name, district_names.get(d.district_code)), d.district_code
        )
        for d in departments
        if d.kind == STREET_KIND and d.code and d.district_code
    )
    categories = session.scalars(select(Category).where(Category.active)).all()
    parents = {c.parent_id for c in categories if c.parent_id is not None}
    category_refs = {
        c.code: CategoryRef(
            c.id,
            c.code,
            c.name,
            c.department_kind,
            c.time_limit,
            c.time_limit_unit,
            c.id not in parents,
        )
        for c in categories
    }
    rules = [
        RuleRef(r.category.code, district_codes.get(r.district_id), r.department_id)
        for r in session.scalars(select(RoutingRule))
    ]
    return RoutingContext(
        version=version,
        index=index,
        directory=DepartmentDirectory(departments, rules),
        parser=address.AddressParser(
            (address.Division(d.code, d.name, None) for d in districts), streets
        ),
        streets=streets,
        street_index=street_index if bounded else None,
        categories=category_refs,
        district_ids={code: id_ for id_, code in district_codes.items()},
        district_codes=district_codes,
        calendar=WorkCalendar(
            {o.day: o.is_workday for o in session.scalars(select(CalendarOverride))}
        ),
        limit_rules=tuple(
            limits.LimitRule(
                limits.Limit(r.amount, limits.LimitUnit(r.unit), r.warning_percent),
                OrderType(r.order_type) if r.order_type else None,
                r.category_id,
                limits.Priority(r.priority) if r.priority else None,
            )
            for r in session.scalars(select(TimeLimitRule).order_by(TimeLimitRule.id))
        ),
    )
