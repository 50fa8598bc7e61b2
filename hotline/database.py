"""Engine set-up (SQLite pragmas, write transactions) and the UTC datetime column type."""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC: one meaning on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, busy timeout, foreign keys, synchronous=FULL; BEGIN IMMEDIATE for writes."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's begin event, not pysqlite, decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # A read transaction that later writes fails at once with "database is locked";
        # a write transaction must take the lock up front and wait for it.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """One write transaction: begins fresh (IMMEDIATE on SQLite), commits or rolls back."""
    # End the request's read snapshot (if any); the write must see the latest data.
    session.rollback()
    token = _write_intent.set(True)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _write_intent.reset(token)


# Tables that belong to PostGIS, not to us: migrations leave them alone.
EXTENSION_TABLES = frozenset({"spatial_ref_sys", "geometry_columns", "geography_columns"})


def include_name(name: str | None, type_: str, _parent_names: dict) -> bool:
    """Alembic filter: compare and autogenerate only this application's tables."""
    return not (type_ == "table" and name in EXTENSION_TABLES)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)
