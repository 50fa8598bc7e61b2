"""Version tokens in app_settings: a process keeps a cache of shared data and checks with one
small query that no process has changed the data since (several hosts, one database)."""

import uuid

from sqlalchemy import text, update
from sqlalchemy.orm import Session

from hotline.models import AppSetting

VERSION_SQL = text("SELECT value FROM app_settings WHERE key = :key")


def bump(session: Session, key: str) -> None:
    """A new token for `key`, inside the caller's write transaction: every process that
    cached the data under the old token reads it again."""
    # A random token, not a counter: two databases never share a version by accident.
    token = uuid.uuid4().hex
    updated = session.execute(update(AppSetting).where(AppSetting.key == key).values(value=token))
    if updated.rowcount == 0:
        session.add(AppSetting(key=key, value=token))


def current(session: Session, key: str) -> str | None:
    """The token of `key` (None: never bumped); plain SQL, it runs on hot paths."""
    return session.connection().execute(VERSION_SQL, {"key": key}).scalar()
