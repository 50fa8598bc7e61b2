"""Rotating the data key: a new current key, then every sealed value re-sealed in batches."""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import ColumnElement, Table, Text, func, literal, select, type_coerce, update
from sqlalchemy.orm import Session

from hotline.core import crypto
from hotline.core.accounts.security import SecurityKind
from hotline.database import write_transaction
from hotline.encryption import (
    Sealed,
    keyring_from_json,
    keyring_to_json,
    new_key_id,
    write_private,
)
from hotline.plugins import db
from hotline.services.accounts import security_log
from hotline.services.notifications.outbox import RECIPIENT, SEALED_CHANNELS


@dataclass(frozen=True)
class SealedColumn:
    """A column whose values are sealed, and the purpose they are bound to."""

    table: Table
    column: str
    purpose: str
    only: ColumnElement[bool] | None = None  # only the rows this condition selects

    @property
    def raw(self) -> ColumnElement[str]:
        """The column as stored (sealed), without the model type's opening."""
        return type_coerce(self.table.c[self.column], Text)

    @property
    def name(self) -> str:
        """table.column."""
        return f"{self.table.name}.{self.column}"


def sealed_columns() -> list[SealedColumn]:
    """Every sealed column of the models, and the outbox's SMS recipients."""
    found = [
        SealedColumn(table, column.name, column.type.purpose)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, Sealed)
    ]
    notes = db.metadata.tables["notifications"]
    sms = notes.c.channel.in_(sorted(SEALED_CHANNELS))
    found.append(SealedColumn(notes, "recipient", RECIPIENT, sms))
    return found


@contextmanager
def _editing(path: Path) -> Iterator[crypto.Keyring]:
    """The key file's ring, read while holding a lock beside it: two edits at once (two
    rotations) must not each write back what the other has not seen."""
    fd = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield keyring_from_json(path.read_text(encoding="utf-8"))
    finally:
        os.close(fd)  # closing releases the lock


def add_key(path: Path, *, now: datetime) -> crypto.Keyring:
    """Add a new data key to the key file and make it the current one; returns the ring."""
    with _editing(path) as ring:
        key_id = new_key_id(now, ring.keys)
        rotated = crypto.Keyring(key_id, {**ring.keys, key_id: crypto.new_key()}, ring.index_key)
        write_private(path, keyring_to_json(rotated))
    return rotated


def reseal(
    session: Session, ring: crypto.Keyring, *, now: datetime, batch: int = 1000
) -> dict[str, int]:
    """Re-seal every value not sealed with the current key (or not sealed at all), a batch
    per transaction; how many values per column."""
    counts = {
        target.name: sum(_reseal_batches(session, ring, target, batch))
        for target in sealed_columns()
    }
    with write_transaction(session):
        detail = f"current={ring.current} " + " ".join(f"{k}={v}" for k, v in counts.items())
        security_log.record(session, SecurityKind.KEY_ROTATED, now=now, detail=detail)
    return counts


def _stale(target: SealedColumn, ring: crypto.Keyring) -> list[ColumnElement[bool]]:
    """Rows with a value not sealed with the current key."""
    conditions = [
        target.raw.is_not(None),
        target.raw != "",
        target.raw.not_like(f"{crypto.PREFIX}:{ring.current}:%"),
    ]
    return conditions + ([target.only] if target.only is not None else [])


def _reseal_batches(
    session: Session, ring: crypto.Keyring, target: SealedColumn, batch: int
) -> Iterator[int]:
    table = target.table
    key = next(iter(table.primary_key.columns))  # id, or agents' user_id
    last = 0
    while True:
        with write_transaction(session):
            rows = session.execute(
                select(key, target.raw)
                .where(key > last, *_stale(target, ring))
                .order_by(key)
                .limit(batch)
            ).all()
            if not rows:
                return
            for row_id, stored in rows:
                plain = ring.open(stored, target.purpose) if crypto.is_sealed(stored) else stored
                sealed = literal(ring.seal(plain, target.purpose), Text)
                session.execute(update(table).where(key == row_id).values({target.column: sealed}))
        last = rows[-1][0]
        yield len(rows)


def keys_in_use(session: Session) -> set[str]:
    """The key ids some stored value is still sealed with."""
    used = set()
    for target in sealed_columns():
        head = func.substr(target.raw, 1, 40)
        query = select(head).distinct().where(target.raw.like(f"{crypto.PREFIX}:%"))
        if target.only is not None:
            query = query.where(target.only)
        used.update(crypto.key_id_of(value) for value in session.scalars(query))
    return used


def retire_unused(path: Path, session: Session) -> list[str]:
    """Remove from the key file the keys no stored value uses any more; their ids.

    Only after every process was restarted on the current key: one still sealing with an
    old key would otherwise write values nobody can open once that key is gone.
    """
    with _editing(path) as ring:
        used = keys_in_use(session) | {ring.current}
        retired = sorted(set(ring.keys) - used)
        if retired:
            kept = {key_id: key for key_id, key in ring.keys.items() if key_id in used}
            ring = crypto.Keyring(ring.current, kept, ring.index_key)
            write_private(path, keyring_to_json(ring))
    return retired
