"""What a KPI page or a report covers: the period's time window, the district or department,
and who may see which (department staff: their own department only, whatever they ask for;
like `services.orders.queries.visible_orders` for orders)."""

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.accounts.roles import Role
from hotline.core.orders.search import OrderFilters
from hotline.core.reports.periods import Period
from hotline.models import Department, District, User
from hotline.services.errors import Forbidden

CITY_LABEL = "全市"


@dataclass(frozen=True)
class Scope:
    """An optional district (by code) or department filter."""

    district_code: str | None = None
    department_id: int | None = None

    def filters(self, period: Period) -> OrderFilters:
        """The search page's filters for this scope and period: the report counts exactly
        the orders the search page and the orders API list for them."""
        return OrderFilters(
            date_from=period.start,
            date_to=period.end,
            district_code=self.district_code,
            department_id=self.department_id,
        )


@dataclass(frozen=True)
class Window:
    """[start, end) with an optional department and district (by id): what every KPI,
    handling-time and late-order query counts in."""

    start: datetime
    end: datetime
    department_id: int | None = None
    district_id: int | None = None

    def over(self, period: Period, *, timezone: str) -> "Window":
        """The same department and district over another period's local days."""
        start, end = bounds(period, timezone=timezone)
        return replace(self, start=start, end=end)


@dataclass(frozen=True)
class Scoped:
    """A scope with its name for the report's cover; `own_department_only`: the actor may
    not choose another district or department."""

    scope: Scope
    label: str
    own_department_only: bool = False


CITYWIDE = Scope()
CITY = Scoped(CITYWIDE, CITY_LABEL)


@dataclass(frozen=True)
class Choices:
    """The districts and departments an actor may choose from (none: no choice)."""

    districts: list[District]
    departments: list[Department]


def bounds(period: Period, *, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) in UTC for the period's local days."""
    tz = ZoneInfo(timezone)
    start = datetime.combine(period.start, time.min, tzinfo=tz)
    end = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def district_id(session: Session, code: str | None) -> int | None:
    """The district's id for its code (-1: no such district, so nothing matches)."""
    if code is None:
        return None
    return session.scalar(select(District.id).where(District.code == code)) or -1


def window(session: Session, *, period: Period, timezone: str, scope: Scope) -> Window:
    """The period's time window in the scope, the district resolved to its id."""
    start, end = bounds(period, timezone=timezone)
    return Window(start, end, scope.department_id, district_id(session, scope.district_code))


def named_scope(
    session: Session, *, department_id: int | None = None, district_code: str | None = None
) -> Scoped:
    """A department (which wins) or a district, or the whole city, with its name ("—" for
    one that does not exist)."""
    scope = Scope(district_code=district_code or None, department_id=department_id)
    if department_id is not None:
        department = session.get(Department, department_id)
        return Scoped(scope, department.name if department else "—")
    if scope.district_code:
        district = session.scalar(select(District).where(District.code == scope.district_code))
        return Scoped(scope, district.name if district else "—")
    return Scoped(scope, CITY_LABEL)


def scope_for(
    session: Session,
    actor: User,
    *,
    department_id: int | None = None,
    district_code: str | None = None,
) -> Scoped:
    """What `actor` gets when asking for a department or a district: department staff their
    own department whatever they ask (Forbidden without one), everyone else what they ask."""
    if actor.role_enum is not Role.DEPARTMENT:
        return named_scope(session, department_id=department_id, district_code=district_code)
    department = session.get(Department, actor.department_id or -1)
    if department is None:
        raise Forbidden()
    return Scoped(Scope(department_id=department.id), department.name, own_department_only=True)


def choices(session: Session, actor: User) -> Choices:
    """The districts (by code) and departments (by name) the actor may choose a scope from:
    none for department staff."""
    if actor.role_enum is Role.DEPARTMENT:
        return Choices([], [])
    districts = session.scalars(select(District).order_by(District.code)).all()
    departments = session.scalars(select(Department).order_by(Department.name)).all()
    return Choices(list(districts), list(departments))
