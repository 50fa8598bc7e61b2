"""120 incidents: registering the call, closing, withdrawing (撤警), and the pages' reads."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hotline.core.ems.calls import caller_and_place
from hotline.core.ems.vehicles import VehicleStatus
from hotline.core.ems.vocabulary import (
    TRIAGE_LEVELS,
    IncidentAction,
    IncidentState,
    WithdrawReason,
)
from hotline.database import write_transaction
from hotline.models import Assignment, District, Incident, IncidentEvent, Vehicle
from hotline.services.ems import fleet
from hotline.services.ems.change import Change, open_incident
from hotline.services.errors import Conflict, NotFound, ValidationFailed
from hotline.services.numbering import next_incident_number
from hotline.services.reference import cache

MAX_COMPLAINT = 2000
MAX_NOTE = 2000


@dataclass(frozen=True)
class Call:
    """What the 120 dispatcher takes down on a call."""

    caller_phone: str
    lon: float
    lat: float
    complaint: str
    triage_level: int
    address: str = ""


def _checked(call: Call) -> tuple[str, str, dict[str, str]]:
    """The call's normalised phone and complaint, and what is wrong with it by field."""
    phone_number, errors = caller_and_place(call.caller_phone, call.lon, call.lat)
    complaint = call.complaint.strip()
    if not complaint:
        errors["complaint"] = "required"
    elif len(complaint) > MAX_COMPLAINT:
        errors["complaint"] = "too_long"
    if call.triage_level not in TRIAGE_LEVELS:
        errors["triage_level"] = "invalid_choice"
    return phone_number, complaint, errors


def create_incident(
    session: Session,
    *,
    actor_id: int | None,
    call: Call,
    now: datetime,
    timezone: str,
    synthetic: bool = False,
    source: str = "",
    source_ref: str = "",
    flag: str = "",
) -> Incident:
    """Register a 120 call's incident (from the console, or a linked centre's `source` with its
    reference); every refusal names its field."""
    phone_number, complaint, errors = _checked(call)
    if errors:
        raise ValidationFailed(errors)
    ctx = cache.context(session)
    district = ctx.index.locate(call.lon, call.lat)
    with write_transaction(session):
        incident = Incident(
            number=next_incident_number(session, now, timezone),
            caller_phone=phone_number,
            lon=call.lon,
            lat=call.lat,
            address=call.address.strip()[:255],
            complaint=complaint,
            triage_level=call.triage_level,
            created_by_id=actor_id,
            created_at=now,
            district_id=ctx.district_ids.get(district.code) if district else None,
            synthetic=synthetic,
            source=source,
            source_ref=source_ref,
        )
        session.add(incident)
        session.flush()
        note = f"triage {call.triage_level}"
        if source:  # the timeline names the centre that handed the case over
            note += f"; source {source} {source_ref}".rstrip()
        if flag:
            note += f"; {flag}"
        Change(session, actor_id, now).record(incident.id, IncidentAction.CREATE, note=note)
    return incident


def close_incident(
    session: Session, *, actor_id: int | None, incident_id: int, now: datetime
) -> Incident:
    """Close an incident; refused while a vehicle is still assigned to it."""
    with write_transaction(session):
        incident = open_incident(session, incident_id)
        busy = session.scalar(select(Vehicle.id).where(Vehicle.incident_id == incident_id))
        if busy is not None:
            raise ValidationFailed({"incident": "vehicle_still_assigned"})
        incident.state, incident.closed_at = IncidentState.CLOSED.value, now
        Change(session, actor_id, now).record(incident.id, IncidentAction.CLOSE)
    return incident


def withdraw(
    session: Session,
    *,
    actor_id: int | None,
    incident_id: int,
    reason: str,
    note: str,
    now: datetime,
) -> Incident:
    """撤警: cancel as false alarm, malicious or duplicate, releasing its vehicles."""
    if reason not in {r.value for r in WithdrawReason}:
        raise ValidationFailed({"reason": "invalid_choice"})
    with write_transaction(session):
        incident = open_incident(session, incident_id)
        change = Change(session, actor_id, now)
        _release_vehicles(change, incident_id)
        incident.state, incident.withdraw_reason = IncidentState.WITHDRAWN.value, reason
        incident.note, incident.closed_at = note.strip()[:MAX_NOTE], now
        change.record(incident_id, IncidentAction.WITHDRAW, note=f"{reason}: {note}")
    return incident


def _release_vehicles(change: Change, incident_id: int) -> None:
    """Make the incident's vehicles available again; refused with a patient on board."""
    session = change.session
    assigned = session.execute(
        select(Vehicle.id, Vehicle.status).where(Vehicle.incident_id == incident_id)
    ).all()
    for vehicle_id, status in assigned:
        if status == VehicleStatus.TRANSPORTING.value:
            raise ValidationFailed({"incident": "patient_on_board"})
        if not change.move(vehicle_id, status, fleet.AVAILABLE, None):
            raise Conflict("stale_version")
        session.execute(
            update(Assignment)
            .where(
                Assignment.incident_id == incident_id,
                Assignment.vehicle_id == vehicle_id,
                Assignment.cleared_at.is_(None),
            )
            .values(cleared_at=change.at)
        )
        change.record(incident_id, IncidentAction.RELEASE, vehicle_id)


def open_incidents(session: Session) -> list[Incident]:
    """Open incidents, newest call first (the console's list)."""
    return list(
        session.scalars(
            select(Incident)
            .where(Incident.state == IncidentState.OPEN.value)
            .order_by(Incident.created_at.desc())
        )
    )


def recent_incidents(session: Session, limit: int = 100) -> list[Incident]:
    """The latest incidents in any state (the director's history)."""
    return list(session.scalars(select(Incident).order_by(Incident.created_at.desc()).limit(limit)))


def districts(session: Session) -> list[District]:
    """The districts a pick-up point may be chosen from, by code."""
    return list(session.scalars(select(District).order_by(District.code)))


def district_point(session: Session, code: str) -> tuple[float, float] | None:
    """The label point of the district with this code (a pick-up point without a click)."""
    district = session.scalar(select(District).where(District.code == code))
    return (district.label_lon, district.label_lat) if district is not None else None


def get(session: Session, incident_id: int) -> Incident:
    """The incident, or NotFound."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound()
    return incident


def assignments_of(session: Session, incident_id: int) -> list[Assignment]:
    """The incident's assignments, first made first (cleared ones included)."""
    return list(
        session.scalars(
            select(Assignment).where(Assignment.incident_id == incident_id).order_by(Assignment.id)
        )
    )


@dataclass(frozen=True)
class IncidentPage:
    """What the incident's page shows besides the recommendation and the hospitals."""

    incident: Incident
    assignments: list[Assignment]
    available: list[Vehicle]  # vehicles to choose instead of the recommendation
    events: list[IncidentEvent]


def incident_page(session: Session, incident_id: int) -> IncidentPage:
    """The incident with its assignments, the available vehicles and its trail."""
    incident = get(session, incident_id)
    assignments = assignments_of(session, incident_id)
    available = session.scalars(
        select(Vehicle).where(Vehicle.status == fleet.AVAILABLE).order_by(Vehicle.call_sign)
    )
    events = session.scalars(
        select(IncidentEvent)
        .where(IncidentEvent.incident_id == incident_id)
        .order_by(IncidentEvent.id)
    )
    return IncidentPage(incident, list(assignments), list(available), list(events))
