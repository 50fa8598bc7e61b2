"""The incident's append-only trail and the guard every change to an incident passes."""

from datetime import datetime

from sqlalchemy.orm import Session

from hotline.core.ems.vocabulary import IncidentAction, IncidentState
from hotline.models import Incident, IncidentEvent
from hotline.services.errors import NotFound, ValidationFailed


def record(
    session: Session,
    *,
    incident_id: int | None,
    actor_id: int | None,
    at: datetime,
    action: IncidentAction,
    vehicle_id: int | None = None,
    note: str = "",
) -> None:
    """One row on the incident's trail (inside the caller's transaction)."""
    session.add(
        IncidentEvent(
            incident_id=incident_id,
            vehicle_id=vehicle_id,
            actor_id=actor_id,
            at=at,
            action=action.value,
            note=note,
        )
    )


def open_incident(session: Session, incident_id: int) -> Incident:
    """The incident, if it exists and is still open."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound()
    if incident.state != IncidentState.OPEN:
        raise ValidationFailed({"incident": "incident_not_open"})
    return incident
