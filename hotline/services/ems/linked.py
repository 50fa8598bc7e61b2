"""联动: incidents that another emergency centre (110, 119, 122...) hands to 120 through the
API, made exactly as the console makes them, and the state that centre may follow."""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.core.accounts.roles import Role
from hotline.models import Incident, User
from hotline.services.ems import incidents
from hotline.services.errors import NotFound, ValidationFailed

# A centre's case reference: printable, no spaces at the ends, no control characters.
REFERENCE = re.compile(r"^[\w\-./:#]{1,64}$")
MAX_SOURCE = 64


@dataclass(frozen=True)
class Linked:
    """The incident a linked request made or found again, and whether it made it."""

    incident: Incident
    created: bool


def source_of(user: User, asked: str) -> str:
    """The source an incident is recorded with: a linked centre's own name (it cannot speak
    for another centre); a 120 dispatcher may key in the centre a case came from."""
    if user.role == Role.LINKED_CENTRE:
        return user.display_name.strip()[:MAX_SOURCE]
    asked = asked.strip()
    if len(asked) > MAX_SOURCE or any(not c.isprintable() for c in asked):
        raise ValidationFailed({"source": "invalid"})
    return asked


def create(
    session: Session,
    *,
    user: User,
    call: incidents.Call,
    source: str,
    source_ref: str,
    now: datetime,
    timezone: str,
    flag: str = "",
) -> Linked:
    """The incident for this centre's reference: made as the console makes it, or the one an
    earlier request with the same reference made (a centre retrying after a timeout); `flag`
    goes on its trail for the dispatcher."""
    source_ref = source_ref.strip()
    if source_ref and not REFERENCE.match(source_ref):
        raise ValidationFailed({"source_ref": "invalid"})
    if source_ref and not source:
        raise ValidationFailed({"source": "required"})
    if source_ref:
        earlier = _by_reference(session, user.id, source_ref)
        if earlier is not None:
            return Linked(earlier, False)
    try:
        incident = incidents.create_incident(
            session,
            actor_id=user.id,
            call=call,
            now=now,
            timezone=timezone,
            source=source,
            source_ref=source_ref,
            flag=flag,
        )
    except IntegrityError:
        # Two requests with one reference at once: the unique index let one through.
        earlier = _by_reference(session, user.id, source_ref) if source_ref else None
        if earlier is None:
            raise
        return Linked(earlier, False)
    return Linked(incident, True)


def _by_reference(session: Session, account_id: int, source_ref: str) -> Incident | None:
    """The incident this account handed over under this reference (another account's
    reference is another case, whatever the two accounts are called)."""
    return session.scalar(
        select(Incident).where(
            Incident.created_by_id == account_id, Incident.source_ref == source_ref
        )
    )


def visible(session: Session, *, user: User, incident_id: int) -> Incident:
    """The incident if this user may follow it: a linked centre only those it handed over
    (NotFound for any other, so ids reveal nothing); 120 staff any."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound()
    if user.role == Role.LINKED_CENTRE and incident.created_by_id != user.id:
        raise NotFound()
    return incident
