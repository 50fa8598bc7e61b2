"""Retention: callers' personal data leaves old closed orders and 120 records, and delivered
notifications and vehicle positions past their periods are deleted.

The orders, incidents and bookings themselves stay, with their category, district,
department, states and times, so reports still count them. The audit trails (`audit_events`,
`incident_events`) are never touched: they are append-only and kept.

Every change is made in batches of `BATCH` rows, one short write transaction each, so that
intake and dispatch never wait long for the writer lock; the rows of a batch are chosen by a
read before the transaction. `preview` counts exactly what `apply` would change.

Anonymisation remembers, per kind, the time up to which it is done (a row in
`app_settings`), so that each night reads only the day that became due instead of every old
order again. `full=True` ignores the mark and reads everything (after importing old data).
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from hotline.core.ems.vocabulary import BookingState, IncidentState
from hotline.core.maintenance.retention import RetentionPeriods, next_watermark
from hotline.core.orders.workflow import FINAL_STATES
from hotline.core.telephony.calls import CallState
from hotline.database import write_transaction
from hotline.models import (
    AppSetting,
    Booking,
    Call,
    Incident,
    Notification,
    TerminalReceipt,
    Vehicle,
    VehiclePosition,
    WorkOrder,
)

log = logging.getLogger(__name__)
BATCH = 1000
# A terminal's receipt answers a queued update sent again: a week is far longer than any
# terminal stays offline with its queue.
RECEIPTS_KEPT = timedelta(days=7)


@dataclass(frozen=True)
class Counts:
    """Rows anonymised (orders, incidents, bookings) or deleted (notifications, positions)."""

    orders: int = 0
    incidents: int = 0
    bookings: int = 0
    calls: int = 0
    notifications: int = 0
    positions: int = 0
    receipts: int = 0  # crew terminals' Idempotency-Key receipts


def periods(config: Mapping[str, Any]) -> RetentionPeriods:
    """The retention periods the app's settings give."""
    return RetentionPeriods(
        caller_data_days=int(config["RETENTION_CALLER_DATA_DAYS"]),
        notifications_days=int(config["RETENTION_NOTIFICATIONS_DAYS"]),
        positions_days=int(config["RETENTION_POSITIONS_DAYS"]),
    )


@dataclass(frozen=True)
class _Anonymisation:
    """One kind of record whose caller data goes after the period."""

    kind: str
    model: Any
    # When the period starts; the table has an index on (state, this column).
    time: InstrumentedAttribute
    # Rows in these states are anonymised once their time is past the cut-off.
    done_states: tuple[str, ...]
    # Rows that may still reach a done state: the oldest holds the watermark back.
    pending_states: tuple[str, ...]
    values: Callable[[], dict[str, Any]]
    has_data: Callable[[], ColumnElement[bool]]

    @property
    def watermark_key(self) -> str:
        return f"retention_{self.kind}_until"


def _order_values() -> dict[str, Any]:
    values: dict[str, Any] = {
        "caller_phone": None,
        "caller_name": "",
        "caller_address": "",
        "caller_email": "",
        # The row changed: a page opened before must not save over it unawares.
        "version": WorkOrder.version + 1,
    }
    # The phone's blind index (with encrypted caller columns) would still find the order.
    if "caller_phone_index" in WorkOrder.__table__.c:
        values["caller_phone_index"] = None
    return values


def _order_has_data() -> ColumnElement[bool]:
    # ORM comparisons, so that the columns' own types process the compared values.
    return or_(
        WorkOrder.caller_phone.is_not(None),
        WorkOrder.caller_name != "",
        WorkOrder.caller_address != "",
        WorkOrder.caller_email != "",
    )


# Orders: closed, closed at intake or cancelled longer than the period. An order gets
# `closed_at` only on reaching one of those states (a reopened order loses it), so no order
# in the window can still change state.
ORDERS = _Anonymisation(
    kind="orders",
    model=WorkOrder,
    time=WorkOrder.closed_at,
    done_states=tuple(sorted(s.value for s in FINAL_STATES)),
    pending_states=(),
    values=_order_values,
    has_data=_order_has_data,
)
# 120 incidents: the caller's number goes once the call is older than the period and the
# incident is closed or withdrawn (incidents end within hours; the call time is indexed).
# The scene's address, the complaint and the triage level stay: they are the dispatch record.
INCIDENTS = _Anonymisation(
    kind="incidents",
    model=Incident,
    time=Incident.created_at,
    done_states=(IncidentState.CLOSED.value, IncidentState.WITHDRAWN.value),
    pending_states=(IncidentState.OPEN.value,),
    values=lambda: {"caller_phone": ""},
    has_data=lambda: Incident.caller_phone != "",
)
# 约车: the caller's number goes once the pick-up is older than the period and a vehicle was
# sent (the booking's incident then carries the transport). A booking still pending keeps
# its number: the booking job needs it to open the incident.
BOOKINGS = _Anonymisation(
    kind="bookings",
    model=Booking,
    time=Booking.pickup_at,
    done_states=(BookingState.DISPATCHED.value,),
    pending_states=(BookingState.PENDING.value,),
    values=lambda: {"caller_phone": ""},
    has_data=lambda: Booking.caller_phone != "",
)
# Calls: the caller's number (and its blind index) goes once the call ended longer ago than
# the period; the times, the agent and the outcome stay for the figures.
CALLS = _Anonymisation(
    kind="calls",
    model=Call,
    time=Call.queued_at,
    done_states=(CallState.ENDED.value,),
    pending_states=(CallState.QUEUED.value, CallState.RINGING.value, CallState.TALKING.value),
    values=lambda: {"caller": "", "caller_index": None},
    has_data=lambda: Call.caller != "",
)
ANONYMISATIONS = (ORDERS, INCIDENTS, BOOKINGS, CALLS)


def preview(
    session: Session, *, periods: RetentionPeriods, now: datetime, full: bool = False
) -> Counts:
    """What `apply` would change as of `now`, counted; nothing is written."""
    cutoffs = periods.cutoffs(now)
    anonymised = {
        spec.kind: _count_anonymisable(session, spec, cutoffs.caller_data, full)
        for spec in ANONYMISATIONS
    }
    return Counts(
        **anonymised,
        notifications=_count(session, Notification, _delivered_before(cutoffs.notifications)),
        positions=sum(
            _count(session, VehiclePosition, _positions_before(vehicle_id, cutoffs.positions))
            for vehicle_id in _vehicle_ids(session)
        ),
    )


def apply(
    session: Session,
    *,
    periods: RetentionPeriods,
    now: datetime,
    full: bool = False,
    batch_size: int = BATCH,
) -> Counts:
    """Anonymise and delete what is past its period as of `now`; returns what changed."""
    cutoffs = periods.cutoffs(now)
    anonymised = {
        spec.kind: _anonymise(session, spec, cutoffs.caller_data, full, batch_size)
        for spec in ANONYMISATIONS
    }
    counts = Counts(
        **anonymised,
        notifications=_delete_notifications(session, cutoffs.notifications, batch_size),
        positions=_delete_positions(session, cutoffs.positions, batch_size),
        receipts=_delete_receipts(session, now - RECEIPTS_KEPT, batch_size),
    )
    log.info("retention: %s", counts)
    return counts


def _watermark(session: Session, spec: _Anonymisation, full: bool) -> datetime | None:
    if full:
        return None
    value = session.scalar(select(AppSetting.value).where(AppSetting.key == spec.watermark_key))
    return datetime.fromisoformat(value) if value else None


def _save_watermark(session: Session, spec: _Anonymisation, mark: datetime) -> None:
    with write_transaction(session):
        updated = session.execute(
            update(AppSetting)
            .where(AppSetting.key == spec.watermark_key)
            .values(value=mark.isoformat())
        )
        if updated.rowcount == 0:
            session.add(AppSetting(key=spec.watermark_key, value=mark.isoformat()))


def _window(
    spec: _Anonymisation, states: tuple[str, ...], cutoff: datetime, since: datetime | None
) -> list[ColumnElement[bool]]:
    conditions = [spec.model.state.in_(states), spec.time < cutoff]
    if since is not None:
        conditions.append(spec.time >= since)
    return conditions


def _count(session: Session, model: Any, where: tuple[ColumnElement[bool], ...]) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _count_anonymisable(
    session: Session, spec: _Anonymisation, cutoff: datetime, full: bool
) -> int:
    since = _watermark(session, spec, full)
    where = (*_window(spec, spec.done_states, cutoff, since), spec.has_data())
    return _count(session, spec.model, where)


def _anonymise(
    session: Session, spec: _Anonymisation, cutoff: datetime, full: bool, batch_size: int
) -> int:
    """Clear the caller data of every done row in [watermark, cutoff), batch by batch."""
    since = _watermark(session, spec, full)
    model, changed = spec.model, 0
    # One state at a time, so that (state, time) is an index range read in time order;
    # anonymised rows stay in that range, so each batch starts after the last one's row.
    for state in spec.done_states:
        after: tuple[datetime, int] | None = None
        while True:
            query = select(model.id, spec.time).where(
                *_window(spec, (state,), cutoff, since), spec.has_data()
            )
            if after is not None:
                at, last_id = after
                query = query.where(spec.time >= at, or_(spec.time > at, model.id > last_id))
            rows = session.execute(query.order_by(spec.time, model.id).limit(batch_size)).all()
            if not rows:
                break
            with write_transaction(session):
                changed += session.execute(
                    update(model)
                    .where(model.id.in_([row[0] for row in rows]), spec.has_data())
                    .values(**spec.values())
                    .execution_options(synchronize_session=False)
                ).rowcount
            after = (rows[-1][1], rows[-1][0])
            if len(rows) < batch_size:
                break
    oldest_pending = None
    if spec.pending_states:
        window = _window(spec, spec.pending_states, cutoff, since)
        oldest_pending = session.scalar(select(func.min(spec.time)).where(*window))
    _save_watermark(session, spec, next_watermark(since, cutoff, oldest_pending))
    return changed


def _delivered_before(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    return (Notification.state == "delivered", Notification.delivered_at < cutoff)


def _delete_notifications(session: Session, cutoff: datetime, batch_size: int) -> int:
    """Delete delivered notifications older than the cut-off; pending ones stay."""
    return _delete_batches(session, Notification, _delivered_before(cutoff), batch_size)


def _delete_receipts(session: Session, cutoff: datetime, batch_size: int) -> int:
    """Delete terminals' receipts older than the cut-off (no queue holds an update so long)."""
    where = (TerminalReceipt.created_at < cutoff,)
    return _delete_batches(session, TerminalReceipt, where, batch_size)


def _delete_batches(session: Session, model: Any, where: tuple, batch_size: int) -> int:
    """Delete the rows matching `where`, a batch per transaction."""
    deleted = 0
    while True:
        ids = session.scalars(select(model.id).where(*where).limit(batch_size)).all()
        if not ids:
            return deleted
        with write_transaction(session):
            deleted += session.execute(
                delete(model)
                .where(model.id.in_(ids), *where)
                .execution_options(synchronize_session=False)
            ).rowcount
        if len(ids) < batch_size:
            return deleted


def _vehicle_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Vehicle.id).order_by(Vehicle.id)))


def _positions_before(vehicle_id: int, cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    # Per vehicle: a range of the (vehicle_id, at) index, never a scan of every position.
    return (VehiclePosition.vehicle_id == vehicle_id, VehiclePosition.at < cutoff)


def _delete_positions(session: Session, cutoff: datetime, batch_size: int) -> int:
    """Delete vehicle positions older than the cut-off, vehicle by vehicle."""
    deleted = 0
    for vehicle_id in _vehicle_ids(session):
        while True:
            ids = session.scalars(
                select(VehiclePosition.id)
                .where(*_positions_before(vehicle_id, cutoff))
                .limit(batch_size)
            ).all()
            if not ids:
                break
            with write_transaction(session):
                deleted += session.execute(
                    delete(VehiclePosition)
                    .where(VehiclePosition.id.in_(ids))
                    .execution_options(synchronize_session=False)
                ).rowcount
            if len(ids) < batch_size:
                break
    return deleted
