"""Who read what a caller entrusted to us: reads of confidential orders, unmasked phones and
phone searches go to the security log."""

from datetime import datetime

from sqlalchemy.orm import Session

from hotline.core import phone
from hotline.core.accounts import privacy
from hotline.core.accounts.security import SecurityKind
from hotline.database import write_transaction
from hotline.models import User, WorkOrder
from hotline.services.accounts import security_log


def log_order_read(
    session: Session, *, actor: User, order: WorkOrder, ip: str, now: datetime
) -> None:
    """Log that `actor` is shown this order: a confidential one, or a phone in full."""
    role = actor.role_enum
    handling = privacy.handles(role, actor.department_id, order.department_id)
    visibility = privacy.caller_visibility(role, order.confidential, handling=handling)
    kinds = []
    if order.confidential and visibility is not privacy.CallerVisibility.HIDDEN:
        kinds.append(SecurityKind.CONFIDENTIAL_READ)
    if visibility is privacy.CallerVisibility.FULL and order.caller_phone:
        kinds.append(SecurityKind.PHONE_UNMASKED)
    if not kinds:
        return
    with write_transaction(session):
        for kind in kinds:
            security_log.record(session, kind, now=now, actor_id=actor.id, ip=ip, order_id=order.id)


def log_phone_search(
    session: Session, *, actor: User, number: str, results: int, ip: str, now: datetime
) -> None:
    """Log a search by a caller's phone (masked in the log: the log holds no numbers)."""
    detail = f"{phone.mask(number)} results={results}"
    security_log.record_alone(
        session, SecurityKind.PHONE_SEARCH, now=now, actor_id=actor.id, ip=ip, detail=detail
    )
