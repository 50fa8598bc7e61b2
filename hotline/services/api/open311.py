"""Open311 GeoReport v2 reads: the service catalogue and the published requests (never
caller data).

Creating a request is in `open311_intake`."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from hotline.core.api.open311 import ListQuery, Open311Error, parse_list, public_point
from hotline.core.orders.workflow import State
from hotline.models import Category, CategoryAttribute, WorkOrder
from hotline.services.errors import NotFound
from hotline.services.orders import queries

CLOSED_STATES = (State.CLOSED.value, State.CLOSED_AT_INTAKE.value, State.CANCELLED.value)


def attributes_of(session: Session, category_ids: list[int]) -> dict[int, list[CategoryAttribute]]:
    """The extra questions of these categories, by category id, in their order."""
    rows = session.scalars(
        select(CategoryAttribute)
        .where(CategoryAttribute.category_id.in_(category_ids))
        .order_by(CategoryAttribute.order, CategoryAttribute.id)
    )
    result: dict[int, list[CategoryAttribute]] = {}
    for row in rows:
        result.setdefault(row.category_id, []).append(row)
    return result


def services(session: Session) -> list[dict]:
    """Every category a citizen can report, as Open311 services."""
    leaves = queries.routable_categories(session)
    attributes = attributes_of(session, [c.id for c in leaves])
    return [
        {
            "service_code": c.code,
            "service_name": c.name,
            "description": f"{c.parent.name if c.parent else ''} / {c.name}",
            "metadata": bool(attributes.get(c.id)),
            "type": "realtime",
            "keywords": ",".join(c.keywords.split()),
            "group": c.parent.name if c.parent else c.name,
        }
        for c in leaves
    ]


def service(session: Session, code: str) -> Category:
    """The routable category with this code, or NotFound (unknown_service)."""
    for category in queries.routable_categories(session):
        if category.code == code:
            return category
    raise NotFound("unknown_service")


def service_definition(session: Session, code: str) -> dict:
    """The extra questions of one service."""
    category = service(session, code)
    rows = attributes_of(session, [category.id]).get(category.id, [])
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": None,
                "order": a.order,
                "description": a.description,
                "values": [
                    {"key": v["key"], "name": v["name"]} for v in json.loads(a.values_json or "[]")
                ],
            }
            for a in rows
        ],
    }


def _iso(value: datetime | None, timezone: str) -> str | None:
    return None if value is None else value.astimezone(ZoneInfo(timezone)).isoformat("T", "seconds")


def represent(order: WorkOrder, timezone: str) -> dict:
    """One published order as an Open311 request: its public summary, its district and a
    point rounded to about 100 m; never the caller, the description, the street address
    or the department's reply."""
    closed = order.state in CLOSED_STATES
    lat, lon = public_point(order.lat, order.lon)
    return {
        "service_request_id": order.number,
        "status": "closed" if closed else "open",
        "status_notes": "已作废" if order.state == State.CANCELLED.value else None,
        "service_name": order.category.name,
        "service_code": order.category.code,
        "description": order.public_summary or None,
        "agency_responsible": order.department.name if order.department else None,
        "service_notice": None,
        "requested_datetime": _iso(order.created_at, timezone),
        "updated_datetime": _iso(order.closed_at if closed else order.updated_at, timezone),
        "expected_datetime": _iso(order.due_at, timezone),
        # The district, not the street: a house number tells who called.
        "address": order.district.name if order.district else None,
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": order.media_url or None,
    }


def _published() -> Select:
    """The orders Open311 may show: the caller agreed (or posted them through Open311), and
    never a confidential report."""
    return select(WorkOrder).where(
        WorkOrder.publication_consent.is_(True), WorkOrder.confidential.is_(False)
    )


def get_request(session: Session, *, number: str, timezone: str) -> dict:
    """One published request by id, or NotFound (also for every unpublished order)."""
    order = session.scalar(_published().where(WorkOrder.number == number))
    if order is None:
        raise NotFound()
    return represent(order, timezone)


def _filtered(session: Session, wanted: ListQuery) -> Select:
    """The published orders the query asks for, newest first, from after its cursor."""
    query = _published()
    if wanted.ids:
        query = query.where(WorkOrder.number.in_(wanted.ids))
    else:
        query = query.where(WorkOrder.created_at >= wanted.start)
        if wanted.end is not None:
            query = query.where(WorkOrder.created_at <= wanted.end)
        if wanted.service_codes:
            codes = select(Category.id).where(Category.code.in_(wanted.service_codes))
            query = query.where(WorkOrder.category_id.in_(codes))
        if wanted.statuses == {"open"}:
            query = query.where(WorkOrder.state.not_in(CLOSED_STATES))
        elif wanted.statuses == {"closed"}:
            query = query.where(WorkOrder.state.in_(CLOSED_STATES))
        if wanted.after is not None:
            query = query.where(_older_than(session, wanted.after))
    return query.order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc())


def _older_than(session: Session, number: str) -> ColumnElement[bool]:
    """Keyset pagination: the orders listed after `number` (older, or as old with a lower id)."""
    cursor = session.execute(
        _published()
        .with_only_columns(WorkOrder.created_at, WorkOrder.id)
        .where(WorkOrder.number == number)
    ).first()
    if cursor is None:
        message = "after must be the service_request_id of a request from the previous page"
        raise Open311Error([("400", message)])
    created_at, order_id = cursor
    return or_(
        WorkOrder.created_at < created_at,
        and_(WorkOrder.created_at == created_at, WorkOrder.id < order_id),
    )


@dataclass(frozen=True)
class Page:
    """One page of published requests and where the next one starts (None: the last)."""

    requests: list[dict]
    next_after: str | None


def list_requests(
    session: Session, *, args: Mapping[str, str], now: datetime, timezone: str
) -> Page:
    """Published requests matching the standard's filters, newest first, one page of at
    most `page_size` (50 by default) from `after`."""
    wanted = parse_list(args, now)
    orders = list(session.scalars(_filtered(session, wanted).limit(wanted.page_size)))
    full = not wanted.ids and len(orders) == wanted.page_size
    return Page([represent(o, timezone) for o in orders], orders[-1].number if full else None)


def token(session: Session, value: str) -> dict:
    """Tokens are the request ids themselves: requests are created at once."""
    order = session.scalar(_published().where(WorkOrder.number == value))
    if order is None:
        raise NotFound()
    return {"token": value, "service_request_id": order.number}
