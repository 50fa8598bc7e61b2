"""Read-only lists of the organisation for forms and filters: districts, departments,
categories."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.accounts.roles import Role
from hotline.core.units.kinds import STREET, SUB_UNIT
from hotline.models import Category, Department, District, TransferRule, User


def districts(session: Session) -> list[District]:
    """Every district, by code."""
    return list(session.scalars(select(District).order_by(District.code)))


def streets(session: Session) -> list[Department]:
    """Every active 街乡镇 unit, by official code (so by district)."""
    query = select(Department).where(Department.active, Department.level == STREET)
    return list(session.scalars(query.order_by(Department.code)))


def active_departments(session: Session) -> list[Department]:
    """The departments that can receive orders, by name."""
    query = select(Department).where(Department.active).order_by(Department.name)
    return list(session.scalars(query))


def transfer_targets(session: Session, department_id: int | None) -> list[Department]:
    """The active units an admin rule lets this unit transfer orders to, by name."""
    allowed = select(TransferRule.to_department_id).where(
        TransferRule.from_department_id == department_id
    )
    query = select(Department).where(Department.active, Department.id.in_(allowed))
    return list(session.scalars(query.order_by(Department.name)))


def assisting_units(session: Session, department_id: int) -> list[Department]:
    """The units that can be asked to assist this one: every active unit but itself and its
    own sub-units, by district and name."""
    query = select(Department).where(
        Department.active,
        Department.id != department_id,
        Department.level != SUB_UNIT,
    )
    return list(session.scalars(query.order_by(Department.district_id, Department.name)))


def sub_units(session: Session, department_id: int) -> list[Department]:
    """The unit's active sub-units (科室, 社区/村), by name."""
    query = select(Department).where(Department.active, Department.parent_id == department_id)
    return list(session.scalars(query.order_by(Department.name)))


def staff(session: Session, department_id: int) -> list[User]:
    """The unit's active staff accounts, by name."""
    query = select(User).where(
        User.active, User.department_id == department_id, User.role == Role.DEPARTMENT.value
    )
    return list(session.scalars(query.order_by(User.display_name)))


def categories(session: Session, *, active_only: bool = False) -> list[Category]:
    """Categories by code (both levels), or only the active ones."""
    query = select(Category).order_by(Category.code)
    if active_only:
        query = query.where(Category.active)
    return list(session.scalars(query))


def category_tree(session: Session) -> list[tuple[Category, list[Category]]]:
    """Active major categories, each with its active minor ones, by code."""
    active = categories(session, active_only=True)
    majors = [c for c in active if c.parent_id is None]
    return [(m, [c for c in active if c.parent_id == m.id]) for m in majors]
