"""通告: the notices that dispatchers and stations see."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.accounts.permissions import Permission, allows
from hotline.database import write_transaction
from hotline.models import Bulletin, User
from hotline.services.errors import Forbidden, ValidationFailed

MAX_TEXT = 2000


def post_bulletin(session: Session, *, actor_id: int, text: str, now: datetime) -> Bulletin:
    """A notice for dispatchers and stations (supervisors post them)."""
    actor = session.get(User, actor_id)
    if actor is None or not allows(actor.role_enum, Permission.POST_BULLETINS):
        raise Forbidden()
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        raise ValidationFailed({"text": "required" if not text else "too_long"})
    with write_transaction(session):
        bulletin = Bulletin(text=text, created_by_id=actor_id, created_at=now)
        session.add(bulletin)
    return bulletin


def bulletins(session: Session, limit: int = 20) -> list[Bulletin]:
    """The latest notices."""
    return list(session.scalars(select(Bulletin).order_by(Bulletin.created_at.desc()).limit(limit)))
