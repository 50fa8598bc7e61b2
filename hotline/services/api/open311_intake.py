"""Open311 GeoReport v2: creating a request through the intake desk's own service, safe to
retry with an Idempotency-Key."""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.core.api.open311 import AttributeSpec, Open311Error, parse_post
from hotline.core.orders.intake import IntakeRequest
from hotline.models import ApiClient, Category, IdempotencyRecord, WorkOrder
from hotline.services.api.open311 import attributes_of, service
from hotline.services.errors import NotFound, ValidationFailed
from hotline.services.orders import intake
from hotline.services.reference import cache


@dataclass(frozen=True)
class Created:
    """What a POST answers."""

    service_request_id: str
    service_notice: str
    replayed: bool


def _replay(session: Session, client: ApiClient, key: str) -> Created | None:
    """The request this client already created with this key, if any."""
    number = session.scalar(
        select(WorkOrder.number)
        .join(IdempotencyRecord, IdempotencyRecord.order_id == WorkOrder.id)
        .where(IdempotencyRecord.client_id == client.id, IdempotencyRecord.key == key)
    )
    if number is None:
        return None
    return Created(number, "重复提交：该请求此前已受理。", replayed=True)


def _category(session: Session, form: dict[str, str]) -> Category:
    """The service named by service_code, or the standard's 400."""
    code = (form.get("service_code") or "").strip()
    if not code:
        raise Open311Error([("400", "service_code is required")])
    try:
        return service(session, code)
    except NotFound as exc:
        message = f"service_code {code} is not a service of this hotline"
        raise Open311Error([("400", message)]) from exc


def _parse(session: Session, client: ApiClient, form: dict[str, str]) -> IntakeRequest:
    """The intake request of a POST: its service's questions answered, its point served."""
    category = _category(session, form)
    specs = [
        AttributeSpec(
            a.code, a.datatype, a.required, tuple(v["key"] for v in json.loads(a.values_json))
        )
        for a in attributes_of(session, [category.id]).get(category.id, [])
    ]
    request = parse_post(form, category.code, specs, client.name)
    located = request.lon is None or request.lat is None
    if not located and cache.context(session).index.locate(request.lon, request.lat) is None:
        message = "lat/long is outside every jurisdiction served by this hotline"
        raise Open311Error([("400", message)])
    return request


def _notice(number: str, department_name: str | None) -> str:
    """The service notice: the order number and who handles it."""
    handler = f"承办单位：{department_name}。" if department_name else "将由派单台人工派单。"
    return f"已受理，工单号 {number}。" + handler


def create(
    session: Session,
    *,
    client: ApiClient,
    form: dict[str, str],
    idempotency_key: str | None,
    now: datetime,
    timezone: str,
) -> Created:
    """Create a work order from an Open311 POST, through the intake desk's own service."""
    if idempotency_key and (replay := _replay(session, client, idempotency_key)) is not None:
        return replay
    request = _parse(session, client, form)

    def remember(order_id: int) -> None:
        record = {"client_id": client.id, "key": idempotency_key, "order_id": order_id}
        session.connection().execute(
            IdempotencyRecord.__table__.insert(), {**record, "created_at": now}
        )

    hook = remember if idempotency_key else None
    try:
        result = intake.register_call(
            session, request=request, actor_id=None, now=now, timezone=timezone, on_created=hook
        )
    except ValidationFailed as exc:
        raise Open311Error([("400", f"{k}: {v}") for k, v in exc.errors.items()]) from exc
    except IntegrityError:
        # The same key won a race a moment ago; its order stands, this one was rolled back.
        session.rollback()
        replay = _replay(session, client, idempotency_key or "")
        if replay is None:
            raise
        return replay
    department = result.preview.decision.department
    return Created(result.number, _notice(result.number, department and department.name), False)
