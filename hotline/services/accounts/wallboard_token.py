"""The one read-only wallboard token: a screen in the hall opens the wallboard with it once,
and its browser session may then read the wallboard and nothing else.

Only the token's SHA-256 is stored, with its expiry, in app_settings (no table of its own:
there is one token at a time). The screen's session holds a *grant* derived from that hash,
so issuing a new token or revoking this one ends every screen's session at its next poll.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hotline.core.accounts.permissions import Permission
from hotline.core.accounts.security import SecurityKind
from hotline.database import write_transaction
from hotline.models import AppSetting
from hotline.services.accounts import security_log
from hotline.services.accounts.credentials import digest
from hotline.services.accounts.users import require_permission

HASH = "wallboard_token.sha256"
EXPIRES = "wallboard_token.expires_at"
ISSUED = "wallboard_token.issued_at"
KEYS = (HASH, EXPIRES, ISSUED)
MAX_DAYS = 366
MAX_TOKEN_LENGTH = 100  # longer is no token of ours: refused before hashing


@dataclass(frozen=True)
class Status:
    """The token in force: when it was issued and until when it opens the wallboard."""

    issued_at: datetime
    expires_at: datetime


def _stored(session: Session) -> dict[str, str]:
    rows = session.execute(select(AppSetting.key, AppSetting.value).where(AppSetting.key.in_(KEYS)))
    return dict(rows.all())


def status(session: Session) -> Status | None:
    """The token in force, or None (never issued, or revoked)."""
    stored = _stored(session)
    if not all(key in stored for key in KEYS):
        return None
    return Status(datetime.fromisoformat(stored[ISSUED]), datetime.fromisoformat(stored[EXPIRES]))


def _grant(token_hash: str) -> str:
    """What a screen's session holds: derived from the hash, never the hash itself."""
    return hashlib.sha256(f"wallboard-grant:{token_hash}".encode()).hexdigest()


def issue(
    session: Session, *, now: datetime, days: int, actor_id: int | None = None, ip: str = ""
) -> str:
    """A new token (replacing the old one, whose screens stop), valid `days` days; the
    token itself is returned once and never stored."""
    days = max(1, min(int(days), MAX_DAYS))
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(days=days)
    with write_transaction(session):
        require_permission(session, actor_id, Permission.MANAGE_KEYS_AND_TOKENS)
        session.execute(delete(AppSetting).where(AppSetting.key.in_(KEYS)))
        values = {HASH: digest(token), EXPIRES: expires_at.isoformat(), ISSUED: now.isoformat()}
        session.add_all(AppSetting(key=k, value=v) for k, v in values.items())
        security_log.record(
            session,
            SecurityKind.WALLBOARD_TOKEN_ISSUED,
            now=now,
            actor_id=actor_id,
            ip=ip,
            detail=f"valid until {expires_at.isoformat()}",
        )
    return token


def revoke(session: Session, *, now: datetime, actor_id: int | None = None, ip: str = "") -> bool:
    """The token stops opening the wallboard, and every screen's session ends; False when
    there was none."""
    with write_transaction(session):
        require_permission(session, actor_id, Permission.MANAGE_KEYS_AND_TOKENS)
        removed = session.execute(delete(AppSetting).where(AppSetting.key.in_(KEYS))).rowcount
        if removed:
            security_log.record(
                session, SecurityKind.WALLBOARD_TOKEN_REVOKED, now=now, actor_id=actor_id, ip=ip
            )
    return bool(removed)


def redeem(session: Session, token: str, *, now: datetime, ip: str = "") -> str | None:
    """The grant for a screen's session if `token` is the token in force (logged as used),
    else None (logged as refused)."""
    stored = _stored(session)
    ok = (
        0 < len(token) <= MAX_TOKEN_LENGTH
        and HASH in stored
        and EXPIRES in stored
        and hmac.compare_digest(digest(token), stored[HASH])
        and now < datetime.fromisoformat(stored[EXPIRES])
    )
    kind = SecurityKind.WALLBOARD_TOKEN_USED if ok else SecurityKind.WALLBOARD_TOKEN_REFUSED
    security_log.record_alone(session, kind, now=now, ip=ip)
    return _grant(stored[HASH]) if ok else None


def grant_valid(session: Session, grant: str | None, *, now: datetime) -> bool:
    """Whether a screen's session grant still stands: the same token, not expired."""
    if not grant:
        return False
    stored = _stored(session)
    if HASH not in stored or EXPIRES not in stored:
        return False
    return hmac.compare_digest(grant, _grant(stored[HASH])) and now < datetime.fromisoformat(
        stored[EXPIRES]
    )
