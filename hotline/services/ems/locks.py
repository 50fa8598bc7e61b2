"""恶意电话锁定: numbers a supervisor flagged as malicious callers, until a time."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core import phone
from hotline.database import write_transaction
from hotline.models import MaliciousNumber
from hotline.services.errors import ValidationFailed

MAX_REASON = 2000
MAX_HOURS = 24 * 90


def active_lock(session: Session, *, raw_phone: str, now: datetime) -> MaliciousNumber | None:
    """The malicious-caller lock on this number, if one is in force."""
    number = phone.normalise(raw_phone) if raw_phone.strip() else None
    if not number:
        return None
    return session.scalar(
        select(MaliciousNumber)
        .where(MaliciousNumber.phone == number, MaliciousNumber.until > now)
        .order_by(MaliciousNumber.until.desc())
    )


def active_locks(session: Session, *, now: datetime) -> list[MaliciousNumber]:
    """Every lock in force, the one ending first first."""
    return list(
        session.scalars(
            select(MaliciousNumber)
            .where(MaliciousNumber.until > now)
            .order_by(MaliciousNumber.until)
        )
    )


def lock_number(
    session: Session,
    *,
    actor_id: int,
    raw_phone: str,
    hours: int,
    reason: str,
    now: datetime,
) -> MaliciousNumber:
    """Lock a number for a number of hours, with a reason (supervisors)."""
    errors = {}
    number = phone.normalise(raw_phone)
    if not number:
        errors["phone"] = "invalid_phone"
    if not 1 <= hours <= MAX_HOURS:
        errors["hours"] = "out_of_range"
    if not reason.strip():
        errors["reason"] = "required"
    if errors:
        raise ValidationFailed(errors)
    lock = MaliciousNumber(phone=number, reason=reason.strip()[:MAX_REASON])
    lock.until, lock.set_by_id, lock.set_at = now + timedelta(hours=hours), actor_id, now
    with write_transaction(session):
        session.add(lock)
    return lock
