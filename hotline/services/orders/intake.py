"""Registering a call as a work order: validate, route, number, audit, commit."""

import json
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy.orm import Session

from hotline.core.deadlines import limits
from hotline.core.deadlines.escalation import EscalationPolicy
from hotline.core.orders.intake import IntakeRequest
from hotline.core.orders.workflow import State
from hotline.database import column_defaults, write_transaction
from hotline.encryption import phone_index
from hotline.models import WorkOrder
from hotline.services import audit
from hotline.services.deadlines.limits import limit_for
from hotline.services.errors import ValidationFailed
from hotline.services.notifications import outbox
from hotline.services.numbering import next_order_number
from hotline.services.orders import routing
from hotline.services.places import candidates as place_candidates
from hotline.services.reference import cache
from hotline.services.surveys import tasks

ESCALATION = EscalationPolicy()

# One constant statement with bound parameters: compiled once, cached for every intake.
_INSERT_ORDER = WorkOrder.__table__.insert().returning(WorkOrder.__table__.c.id)
# Every column the intake does not set gets its default: a new column with a default needs
# no change here, and every intake sends the same keys, so the statement stays cached.
_ORDER_DEFAULTS = column_defaults(WorkOrder.__table__)
# The request's fields stored as they are in the column of the same name (not the enums,
# which are stored as their values).
_REQUEST_COLUMNS = tuple(
    field.name
    for field in fields(IntakeRequest)
    if field.name in WorkOrder.__table__.c and field.name not in ("channel", "order_type")
)
RECEIPT = "【12345】您的诉求已受理，工单号{number}，可凭工单号和手机号后四位查询办理进度。"


@dataclass(frozen=True)
class IntakeResult:
    """The new order's number, its state and where routing sent it."""

    order_id: int
    number: str
    state: State
    preview: routing.RoutePreview


def resolve_category(ctx: cache.RoutingContext, code: str) -> cache.CategoryRef:
    """A leaf category by code, or a validation error."""
    category = ctx.categories.get(code)
    if category is None or not category.is_leaf:
        raise ValidationFailed({"category_code": "unknown_category"})
    return category


def preview_route(
    session: Session,
    *,
    category_code: str,
    lon: float | None,
    lat: float | None,
    district_code: str | None,
    street_code: str | None = None,
    address: str = "",
) -> routing.RoutePreview:
    """Where an order with these facts would go, without saving anything."""
    ctx = cache.context(session)
    category = resolve_category(ctx, category_code)
    return routing.preview(ctx, category, lon, lat, district_code, street_code, address)


def register_call(
    session: Session,
    *,
    request: IntakeRequest,
    actor_id: int | None,
    now: datetime,
    timezone: str,
    synthetic: bool = False,
    on_created: Callable[[int], None] | None = None,
    survey_when_closed_at_intake: bool = False,
    receipt: bool = True,
) -> IntakeResult:
    """Create the work order and its audit event in one transaction; return its number.

    `on_created(order_id)` runs inside that transaction (an idempotency record, say), so
    that if it fails the order is not created either. `receipt=False`: no SMS to the
    caller now (a mailbox letter's number was typed by anyone; it is texted once an
    operator has classified the letter).
    """
    # Everything that only reads happens before the write lock is taken: under load the
    # write transaction is the queue every intake waits in, so it must be short.
    ctx = cache.context(session)
    category, preview, state = _route(ctx, request)
    row = _order_row(ctx, request, category, preview, state, now, timezone)
    row.update(created_by_id=actor_id, synthetic=synthetic)
    note = "outside_all_jurisdictions" if preview.outside_city else preview.decision.reason
    with write_transaction(session):
        number = next_order_number(session, now, timezone)
        order_id = (
            session.connection().execute(_INSERT_ORDER, {**row, "number": number}).scalar_one()
        )
        audit.record(
            session,
            order_id=order_id,
            actor_id=actor_id,
            action="create",
            from_state=None,
            to_state=state.value,
            now=now,
            note=note,
        )
        located = request.address and request.lon is not None and request.lat is not None
        # A location the operator confirmed proposes a named place (one insert, here); never
        # a confidential report's: its address may be the reporter's home.
        if located and not request.confidential:
            place_candidates.record(
                session,
                address=request.address,
                lon=request.lon,
                lat=request.lat,
                district_code=preview.district_code,
                order_id=order_id,
                now=now,
            )
        if receipt and request.caller_phone and not synthetic:
            text = RECEIPT.format(number=number)
            outbox.text_caller(
                session, phone=request.caller_phone, text=text, now=now, order_id=order_id
            )
        if survey_when_closed_at_intake and state is State.CLOSED_AT_INTAKE:
            tasks.schedule(
                session, order=session.get(WorkOrder, order_id), now=now, timezone=timezone
            )
        if on_created is not None:
            on_created(order_id)
    return IntakeResult(order_id, number, state, preview)


def _route(
    ctx: cache.RoutingContext, request: IntakeRequest
) -> tuple[cache.CategoryRef, routing.RoutePreview, State]:
    """The category, where routing sends the order and the state it starts in."""
    category = resolve_category(ctx, request.category_code)
    if request.district_code and request.district_code not in ctx.district_ids:
        raise ValidationFailed({"district_code": "unknown_district"})
    if request.street_code and ctx.directory.street(request.street_code) is None:
        raise ValidationFailed({"street_code": "invalid_choice"})
    preview = routing.preview(
        ctx,
        category,
        request.lon,
        request.lat,
        request.district_code,
        request.street_code,
        request.address,
    )
    if request.close_at_intake:
        return category, preview, State.CLOSED_AT_INTAKE
    if preview.decision.department is not None:
        return category, preview, State.ROUTED
    return category, preview, State.REGISTERED


def _order_row(
    ctx: cache.RoutingContext,
    request: IntakeRequest,
    category: cache.CategoryRef,
    preview: routing.RoutePreview,
    state: State,
    now: datetime,
    timezone: str,
) -> dict:
    """The new order's row: every column's default, the request's fields stored in columns
    of the same name, then what routing and the time limit decide."""
    limit = limit_for(ctx, request.order_type, category, request.priority)
    due = limits.due_at(now, limit.amount, limit.unit, ctx.calendar, timezone)
    department = preview.decision.department
    routed = state is State.ROUTED
    copied = {name: getattr(request, name) for name in _REQUEST_COLUMNS}
    return {
        **_ORDER_DEFAULTS,
        **copied,
        "channel": request.channel.value,
        "order_type": request.order_type.value,
        "category_id": category.id,
        "district_id": ctx.district_ids.get(preview.district_code or ""),
        "street_code": preview.street_code,
        "state": state.value,
        "department_id": department.id if department and routed else None,
        "routing_reason": preview.decision.reason,
        "time_limit": limit.amount,
        "time_limit_unit": limit.unit.value,
        "warning_percent": limit.warning_percent,
        "due_at": due,
        "warn_at": ESCALATION.warn_at(now, due, limit.warning_percent),
        "attributes_json": json.dumps(dict(request.attributes), ensure_ascii=False),
        "caller_phone_index": phone_index(request.caller_phone),
        "created_at": now,
        "updated_at": now,
        "routed_at": now if routed else None,
        "closed_at": now if state is State.CLOSED_AT_INTAKE else None,
    }
