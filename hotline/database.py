"""Engine set-up (SQLite pragmas, write transactions) and the UTC datetime column type."""

import contextvars
import fcntl
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import DateTime, event
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
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


def raw_utc(dialect_name: str, value: datetime) -> datetime | str:
    """`value` as UTCDateTime stores it, for statements on untyped columns (bulk writes)."""
    naive = value.astimezone(UTC).replace(tzinfo=None)
    # SQLAlchemy's SQLite DATETIME format, microseconds always included: the column is
    # compared as text, so the format must match exactly.
    return naive.strftime("%Y-%m-%d %H:%M:%S.%f") if dialect_name == "sqlite" else naive


class WriterQueue:
    """Lets one SQLite write transaction at a time start, across threads and processes.

    SQLite itself allows one writer; the others retry on a sleeping busy handler that backs
    off to 100 ms, which wastes most of the time under load. Waiting on a thread lock and
    an flock() next to the database hands the turn over the moment the writer finishes.
    """

    def __init__(self, database: str | None) -> None:
        self._thread_lock = threading.Lock()
        self._fd: int | None = None
        if database and database != ":memory:":
            self._fd = os.open(f"{database}-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)
            weakref.finalize(self, os.close, self._fd)

    def acquire(self) -> None:
        """Wait for the turn to write."""
        self._thread_lock.acquire()
        if self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            except BaseException:
                self._thread_lock.release()
                raise

    def release(self) -> None:
        """Give the turn to the next writer."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._thread_lock.release()


def _sqlite_table_hint(_compiler, _table, text: str | None) -> str | None:
    return text


# SQLAlchemy drops table hints on SQLite; pass them through so that a query can name its
# index (`INDEXED BY`), as the report queries do where SQLite's planner guesses wrong.
SQLiteCompiler.get_from_hint_text = _sqlite_table_hint


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, busy timeout, foreign keys, synchronous=FULL, sorter threads; BEGIN IMMEDIATE."""
    writers = WriterQueue(engine.url.database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's begin event, not pysqlite, decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        # Large GROUP BYs (a year's report) sort with a helper thread: a quarter faster.
        cursor.execute("PRAGMA threads=2")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # A read transaction that later writes fails at once with "database is locked";
        # a write transaction must take the lock up front and wait for it.
        if not _write_intent.get():
            connection.exec_driver_sql("BEGIN")
            return
        info = connection.connection.info
        if not info.get("writer_turn"):
            writers.acquire()
            info["writer_turn"] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            info.pop("writer_turn")
            writers.release()
            raise

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record) -> None:
        # Back in the pool means committed or rolled back: the next writer may start.
        if record.info.pop("writer_turn", False):
            writers.release()


@contextmanager
def write_intent() -> Iterator[None]:
    """Transactions begun inside this block take SQLite's write lock up front."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """One write transaction: begins fresh (IMMEDIATE on SQLite), commits or rolls back."""
    # End the request's read snapshot (if any): the write must see the latest data. A commit,
    # not a rollback, so that loaded objects (the logged-in user) stay loaded.
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("unsaved changes outside a write transaction")
    session.commit()
    with write_intent():
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# Tables that belong to PostGIS, not to us: migrations leave them alone.
EXTENSION_TABLES = frozenset({"spatial_ref_sys", "geometry_columns", "geography_columns"})


def include_name(name: str | None, type_: str, _parent_names: dict) -> bool:
    """Alembic filter: compare and autogenerate only this application's tables."""
    return not (type_ == "table" and name in EXTENSION_TABLES)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)
