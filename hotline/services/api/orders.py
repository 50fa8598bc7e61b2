"""The orders API's documents: orders as the token's user sees them on the pages."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from hotline.core.accounts import privacy
from hotline.core.orders.search import OrderFilters
from hotline.models import User, WorkOrder
from hotline.services.orders import disclosure, queries


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _caller(actor: User, order: WorkOrder, listing: bool) -> dict | None:
    role = actor.role_enum
    handling = privacy.handles(role, actor.department_id, order.department_id)
    visibility = privacy.caller_visibility(role, order.confidential, handling=handling)
    if visibility is privacy.CallerVisibility.HIDDEN:
        return None
    phone = privacy.shown_phone(
        role, order.confidential, order.caller_phone, listing=listing, handling=handling
    )
    return {"name": order.caller_name, "phone": phone}


def _named(row, key: str) -> dict | None:
    return None if row is None else {key: getattr(row, key), "name": row.name}


def document(actor: User, order: WorkOrder, listing: bool = False) -> dict:
    """One order as the API shows it to `actor` (caller masked or hidden as on the pages)."""
    return {
        "number": order.number,
        "state": order.state,
        "type": order.order_type,
        "channel": order.channel,
        "category": _named(order.category, "code"),
        "department": _named(order.department, "id"),
        "district": _named(order.district, "code"),
        "location": None if order.lon is None else {"lon": order.lon, "lat": order.lat},
        "address": order.address,
        "description": order.description,
        "confidential": order.confidential,
        "caller": _caller(actor, order, listing),
        "created_at": _iso(order.created_at),
        "due_at": _iso(order.due_at),
        "closed_at": _iso(order.closed_at),
        "escalation_level": order.escalation_level,
        "synthetic": order.synthetic,
    }


@dataclass(frozen=True)
class OrderQuery:
    """The search page's filters and one page of the result."""

    filters: OrderFilters
    page: int = 1
    page_size: int = 25


def search(
    session: Session, *, actor: User, query: OrderQuery, timezone: str, ip: str, now: datetime
) -> dict:
    """A page of the orders `actor` may see that match the query, newest first (callers
    masked, as in every list)."""
    page = {"page": query.page, "page_size": query.page_size}
    result = queries.search(
        session, actor=actor, filters=query.filters, timezone=timezone, ip=ip, now=now, **page
    )
    return {
        "items": [document(actor, order, listing=True) for order in result.items],
        "total": result.total,
        "page": result.page,
        "page_size": result.page_size,
    }


def detail(session: Session, *, actor: User, number: str, ip: str, now: datetime) -> dict:
    """One order with its audit events (the read logged as on the pages); NotFound when it
    is not `actor`'s to see."""
    order = queries.get_order(session, actor=actor, number=number)
    disclosure.log_order_read(session, actor=actor, order=order, ip=ip, now=now)
    events = [
        {
            "at": _iso(e.at),
            "action": e.action,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "actor": e.actor.display_name if e.actor else None,
            "note": e.note,
        }
        for e in queries.timeline(session, order)
    ]
    return {**document(actor, order), "events": events}
