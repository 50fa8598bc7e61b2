"""What the audit administrator reads: the security log and the audit trail across orders,
filtered and paged from the newest backwards ("older" pages by id, never by offset)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from hotline.models import AuditEvent, SecurityEvent, User, WorkOrder

PAGE = 50
Row = TypeVar("Row")


@dataclass(frozen=True)
class Filter:
    """What the audit administrator asked for; empty fields match everything."""

    kind: str = ""  # a SecurityKind value (security log) or an audit action (audit trail)
    username: str = ""  # who acted, was acted upon, or was typed at a failed login
    order_number: str = ""
    first_day: date | None = None  # local days, both included
    last_day: date | None = None
    before_id: int | None = None  # the "older" page: rows with a smaller id


@dataclass(frozen=True)
class SecurityRow:
    """One security-log entry with the names it refers to."""

    event: SecurityEvent
    actor: str
    subject: str
    order_number: str


@dataclass(frozen=True)
class TrailRow:
    """One audit-trail entry with its order's number and the actor's name."""

    event: AuditEvent
    order_number: str
    actor: str


@dataclass(frozen=True)
class Page(Generic[Row]):
    """One page of rows, newest first; `older` is the before_id of the next page (None: the
    last page)."""

    rows: list[Row]
    older: int | None


def _bounds(filters: Filter, timezone: str) -> tuple[datetime | None, datetime | None]:
    """The filter's local days as UTC bounds [start, end)."""
    tz = ZoneInfo(timezone)
    start = end = None
    if filters.first_day is not None:
        start = datetime.combine(filters.first_day, time(), tz)
    if filters.last_day is not None:
        end = datetime.combine(filters.last_day + timedelta(days=1), time(), tz)
    return start, end


def _user_id(session: Session, username: str) -> int | None:
    return session.scalar(select(User.id).where(User.username == username.strip()))


def _page(
    session: Session, query: Select, id_column, wrap: Callable[..., Row], filters: Filter
) -> Page[Row]:
    if filters.before_id is not None:
        query = query.where(id_column < filters.before_id)
    found = session.execute(query.order_by(id_column.desc()).limit(PAGE + 1)).all()
    rows = [wrap(*row) for row in found[:PAGE]]
    older = rows[-1].event.id if len(found) > PAGE else None
    return Page(rows, older)


def security_log(session: Session, *, filters: Filter, timezone: str) -> Page[SecurityRow]:
    """Security events matching the filter, newest first, one page."""
    actor, subject = aliased(User), aliased(User)
    query = (
        select(SecurityEvent, actor.username, subject.username, WorkOrder.number)
        .outerjoin(actor, actor.id == SecurityEvent.actor_id)
        .outerjoin(subject, subject.id == SecurityEvent.subject_user_id)
        .outerjoin(WorkOrder, WorkOrder.id == SecurityEvent.order_id)
    )
    if filters.kind:
        query = query.where(SecurityEvent.kind == filters.kind)
    if filters.username.strip():
        name = filters.username.strip()
        user_id = _user_id(session, name)
        match = SecurityEvent.username == name
        if user_id is not None:
            match = (
                match
                | (SecurityEvent.actor_id == user_id)
                | (SecurityEvent.subject_user_id == user_id)
            )
        query = query.where(match)
    if filters.order_number.strip():
        query = query.where(WorkOrder.number == filters.order_number.strip())
    start, end = _bounds(filters, timezone)
    if start is not None:
        query = query.where(SecurityEvent.at >= start)
    if end is not None:
        query = query.where(SecurityEvent.at < end)

    def wrap(event, actor_name, subject_name, number) -> SecurityRow:
        return SecurityRow(event, actor_name or "", subject_name or event.username, number or "")

    return _page(session, query, SecurityEvent.id, wrap, filters)


def audit_trail(session: Session, *, filters: Filter, timezone: str) -> Page[TrailRow]:
    """Audit events across all orders matching the filter, newest first, one page."""
    query = (
        select(AuditEvent, WorkOrder.number, User.username)
        .join(WorkOrder, WorkOrder.id == AuditEvent.order_id)
        .outerjoin(User, User.id == AuditEvent.actor_id)
    )
    if filters.kind:
        query = query.where(AuditEvent.action == filters.kind)
    if filters.order_number.strip():
        query = query.where(WorkOrder.number == filters.order_number.strip())
    if filters.username.strip():
        # An unknown name matches nothing rather than everything.
        query = query.where(AuditEvent.actor_id == (_user_id(session, filters.username) or -1))
    start, end = _bounds(filters, timezone)
    if start is not None:
        query = query.where(AuditEvent.at >= start)
    if end is not None:
        query = query.where(AuditEvent.at < end)

    def wrap(event, number, actor_name) -> TrailRow:
        return TrailRow(event, number, actor_name or "")

    return _page(session, query, AuditEvent.id, wrap, filters)
