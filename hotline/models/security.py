"""The security log, login sessions and login throttling."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.database import UTCDateTime
from hotline.models.audit import make_append_only
from hotline.plugins import db


class SecurityEvent(db.Model):
    """Who did what that matters for security (logins, grants, reads of protected data)."""

    __tablename__ = "security_events"
    __table_args__ = (Index("ix_security_events_at", "at", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    # Who acted (None: an anonymous request, a scheduled job).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The account acted upon (a changed user) or tried (a failed login).
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The name typed at a failed login, cut short; never a password.
    username: Mapped[str] = mapped_column(String(64), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    # Never a phone number or a message text: masked values and counts only.
    detail: Mapped[str] = mapped_column(Text, default="")


make_append_only(SecurityEvent.__table__)


class LoginSession(db.Model):
    """One logged-in browser session, so that logout and time-outs end it on the server."""

    __tablename__ = "login_sessions"

    # SHA-256 of the random token the session cookie carries.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str] = mapped_column(String(64), default="")


class LoginThrottle(db.Model):
    """Recent failed logins from one address or for one username, and when to answer again."""

    __tablename__ = "login_throttles"

    bucket: Mapped[str] = mapped_column(String(128), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_allowed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # For a username that has no account: the lock-out a real account would get, so that
    # nobody learns from the answers which usernames exist.
    lock_failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
