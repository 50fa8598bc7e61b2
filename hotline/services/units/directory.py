"""Read-only lists of the organisation for forms and filters: districts, departments,
categories."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.units.kinds import STREET
from hotline.models import Category, Department, District


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
