"""Where a 120 desk account works: a station duty room's station, a hospital desk's hospital.
Set by the system administrator (as a department); the role that needs it is the security
administrator's, refused without it."""

from datetime import datetime

from sqlalchemy.orm import Session

from hotline.core.accounts.permissions import Permission
from hotline.core.accounts.roles import WORKPLACE, Role, missing_workplace
from hotline.core.accounts.security import SecurityKind
from hotline.database import write_transaction
from hotline.models import Hospital, Station, User
from hotline.services.accounts import security_log
from hotline.services.accounts.users import require_permission
from hotline.services.errors import NotFound, ValidationFailed


def _name(session: Session, model: type, row_id: int | None) -> str:
    row = session.get(model, row_id) if row_id else None
    return row.name if row is not None else "—"


def set_workplace(
    session: Session,
    *,
    user_id: int,
    station_id: int | None,
    hospital_id: int | None,
    actor_id: int | None,
    now: datetime,
    ip: str = "",
) -> User:
    """Set the account's station and hospital (either may be None); refused when the role it
    holds needs the one taken away; the change is in the security log."""
    require_permission(session, actor_id, Permission.MANAGE_USERS)
    errors = {}
    if station_id is not None and session.get(Station, station_id) is None:
        errors["station_id"] = "invalid_choice"
    if hospital_id is not None and session.get(Hospital, hospital_id) is None:
        errors["hospital_id"] = "invalid_choice"
    if errors:
        raise ValidationFailed(errors)
    with write_transaction(session):
        user = session.get(User, user_id, with_for_update=True, populate_existing=True)
        if user is None:
            raise NotFound()
        before = (user.station_id, user.hospital_id)
        user.station_id, user.hospital_id = station_id, hospital_id
        refusal = missing_workplace(user.workplace, Role(user.role))
        if refusal:
            raise ValidationFailed({WORKPLACE[Role(user.role)][0]: refusal["role"]})
        if before != (station_id, hospital_id):
            detail = "; ".join(
                f"{_name(session, model, old)} → {_name(session, model, new)}"
                for model, old, new in (
                    (Station, before[0], station_id),
                    (Hospital, before[1], hospital_id),
                )
                if old != new
            )
            security_log.about(
                session,
                SecurityKind.DEPARTMENT_CHANGED,
                user,
                now=now,
                actor_id=actor_id,
                ip=ip,
                detail=detail,
            )
    return user
