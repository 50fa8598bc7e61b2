"""One change on the 120 side: who makes it and when, the incident trail it writes and the
compare-and-set on a vehicle's status, all inside the caller's transaction."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hotline.core.ems.vocabulary import IncidentAction, IncidentState
from hotline.models import Incident, IncidentEvent, Vehicle
from hotline.services.errors import NotFound, ValidationFailed
from hotline.services.numbering import next_in_sequence

# Every vehicle change takes the next number of this counter (see services/ems/fleet.py).
FLEET_SEQUENCE = "fleet"


def lock_vehicle(session: Session, vehicle_id: int) -> None:
    """Lock the vehicle's row before the fleet counter (PostgreSQL): every change takes the
    two in this order (a status button locks the vehicle first), so a dispatch and a status
    change of one vehicle at once wait for each other instead of deadlocking."""
    session.execute(select(Vehicle.id).where(Vehicle.id == vehicle_id).with_for_update())


@dataclass(frozen=True)
class Change:
    """Who changes what, and when; its methods write in the caller's transaction."""

    session: Session
    actor_id: int | None
    at: datetime

    def record(
        self,
        incident_id: int | None,
        action: IncidentAction,
        vehicle_id: int | None = None,
        note: str = "",
    ) -> None:
        """One row on the incident's append-only trail."""
        event = IncidentEvent(incident_id=incident_id, vehicle_id=vehicle_id, note=note)
        event.actor_id, event.at, event.action = self.actor_id, self.at, action.value
        self.session.add(event)

    def move(self, vehicle_id: int, seen: str, status: str, incident_id: int | None) -> bool:
        """The compare-and-set of a vehicle's status: True if it was still in `seen`."""
        lock_vehicle(self.session, vehicle_id)
        result = self.session.execute(
            update(Vehicle)
            .where(Vehicle.id == vehicle_id, Vehicle.status == seen)
            .values(
                status=status,
                incident_id=incident_id,
                changed_at=self.at,
                change_seq=next_in_sequence(self.session, FLEET_SEQUENCE),
            )
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


def open_incident(session: Session, incident_id: int) -> Incident:
    """The incident, if it exists and is still open; locked for the caller's transaction
    (PostgreSQL), so that two dispatchers deciding on it at once are decided one by one and
    the second sees what the first did."""
    incident = session.get(
        Incident, incident_id, with_for_update={"of": Incident}, populate_existing=True
    )
    if incident is None:
        raise NotFound()
    if incident.state != IncidentState.OPEN:
        raise ValidationFailed({"incident": "incident_not_open"})
    return incident
