"""Open311 GeoReport v2 reads: the service catalogue and requests (never caller data).

Creating a request is in `open311_intake`."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from hotline.core.api.open311 import Open311Error
from hotline.core.orders.workflow import State
from hotline.models import Category, CategoryAttribute, WorkOrder
from hotline.services.errors import NotFound
from hotline.services.orders import queries

CLOSED_STATES = (State.CLOSED.value, State.CLOSED_AT_INTAKE.value, State.CANCELLED.value)
MAX_PAGE_SIZE = 1000
DEFAULT_WINDOW = timedelta(days=90)


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
    """One order as an Open311 request: no caller data, ever."""
    closed = order.state in CLOSED_STATES
    notes = None
    if order.state == State.CLOSED.value:
        notes = order.reply_text
    elif order.state == State.CLOSED_AT_INTAKE.value:
        notes = order.intake_answer
    elif order.state == State.CANCELLED.value:
        notes = "已作废"
    return {
        "service_request_id": order.number,
        "status": "closed" if closed else "open",
        "status_notes": notes,
        "service_name": order.category.name,
        "service_code": order.category.code,
        "description": order.description,
        "agency_responsible": order.department.name if order.department else None,
        "service_notice": None,
        "requested_datetime": _iso(order.created_at, timezone),
        "updated_datetime": _iso(order.closed_at if closed else order.updated_at, timezone),
        "expected_datetime": _iso(order.due_at, timezone),
        "address": order.address or (order.district.name if order.district else None),
        "address_id": None,
        "zipcode": None,
        "lat": order.lat,
        "long": order.lon,
        "media_url": order.media_url or None,
    }


def _public() -> Select:
    # Confidential reports never leave the building through this API.
    return select(WorkOrder).where(WorkOrder.confidential.is_(False))


def get_request(session: Session, *, number: str, timezone: str) -> dict:
    """One request by id, or NotFound (also for confidential reports)."""
    order = session.scalar(_public().where(WorkOrder.number == number))
    if order is None:
        raise NotFound()
    return represent(order, timezone)


def _when(raw: str, name: str, errors: list) -> datetime | None:
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        errors.append(
            ("400", f"{name} must be an ISO 8601 date-time, e.g. 2026-11-01T00:00:00+08:00")
        )
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value


def list_requests(
    session: Session, *, args: dict[str, str], now: datetime, timezone: str
) -> list[dict]:
    """Requests matching the standard's filters, newest first, one page."""
    errors: list[tuple[str, str]] = []
    query = _public()
    ids = [i.strip() for i in (args.get("service_request_id") or "").split(",") if i.strip()]
    if ids:
        if len(ids) > MAX_PAGE_SIZE:
            errors.append(("400", f"at most {MAX_PAGE_SIZE} service_request_id values"))
        query = query.where(WorkOrder.number.in_(ids[:MAX_PAGE_SIZE]))
    else:
        start = _when(args["start_date"], "start_date", errors) if args.get("start_date") else None
        end = _when(args["end_date"], "end_date", errors) if args.get("end_date") else None
        if start and end and end - start > DEFAULT_WINDOW:
            errors.append(("400", "start_date and end_date may not span more than 90 days"))
        if start is None and end is None:
            start = now - DEFAULT_WINDOW
        elif start is None:
            start = end - DEFAULT_WINDOW
        query = query.where(WorkOrder.created_at >= start)
        if end is not None:
            query = query.where(WorkOrder.created_at <= end)
        codes = [c.strip() for c in (args.get("service_code") or "").split(",") if c.strip()]
        if codes:
            query = query.where(
                WorkOrder.category_id.in_(select(Category.id).where(Category.code.in_(codes)))
            )
        statuses = {s.strip() for s in (args.get("status") or "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            errors.append(("400", "status must be open, closed or both"))
        elif statuses == {"open"}:
            query = query.where(WorkOrder.state.not_in(CLOSED_STATES))
        elif statuses == {"closed"}:
            query = query.where(WorkOrder.state.in_(CLOSED_STATES))
    page, page_size = (
        _positive(args, "page", 1, errors),
        _positive(args, "page_size", MAX_PAGE_SIZE, errors),
    )
    if page_size > MAX_PAGE_SIZE:
        errors.append(("400", f"page_size may not exceed {MAX_PAGE_SIZE}"))
    if errors:
        raise Open311Error(errors)
    orders = session.scalars(
        query.order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return [represent(o, timezone) for o in orders]


def _positive(args: dict[str, str], name: str, default: int, errors: list) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or len(raw) > 7 or int(raw) < 1:
        errors.append(("400", f"{name} must be a positive whole number"))
        return default
    return int(raw)


def token(session: Session, value: str) -> dict:
    """Tokens are the request ids themselves: requests are created at once."""
    order = session.scalar(_public().where(WorkOrder.number == value))
    if order is None:
        raise NotFound()
    return {"token": value, "service_request_id": order.number}
