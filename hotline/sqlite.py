"""What the application does differently on SQLite, and why. Nothing here acts on PostgreSQL.

Connection pragmas (`configure_sqlite`, on every new connection):

- `journal_mode=WAL`: readers never block the writer nor the writer the readers.
- `busy_timeout`: a writer that finds the database locked waits instead of failing at once
  (the configured milliseconds; the writer queue below makes the wait rare).
- `foreign_keys=ON`: SQLite ignores foreign keys unless asked, per connection.
- `synchronous=FULL`: every commit is on disk before it is acknowledged, for the promise that
  no acknowledged order is lost (in WAL mode NORMAL may lose the last commits on power loss).
- `secure_delete=ON`: deleted and overwritten content is zeroed, so a page of the file never
  keeps a caller's data after it was removed (retention) or re-sealed (key rotation).
- `threads=2`: large GROUP BYs sort with a helper thread; a year's report queries took 40 s
  instead of 50 s (docs/PERFORMANCE.md). The page cache and temp storage stay at SQLite's
  defaults on purpose: a 128 MB cache with temp storage in memory made the same 85 s.

Write transactions start with `BEGIN IMMEDIATE` (SQLAlchemy's documented pysqlite recipe, in
the `begin` event; pysqlite's own transaction handling is switched off). A read transaction
that later writes fails at once with "database is locked", whatever the busy timeout; one
that takes the write lock up front waits for it instead. Which transactions write is said by
`write_intent()`, which `hotline.database.write_transaction` enters.

The writer queue (`WriterQueue`): before `BEGIN IMMEDIATE` a writer takes a thread lock and
an `flock()` on a file next to the database, so one writer at a time starts, across threads
and processes. SQLite allows one writer anyway; without the queue the others retry on the
busy handler, which sleeps in steps backing off to 100 ms and so wastes most of the time
under load. With the queue the turn passes the moment the writer commits: the intake
benchmark's p99 fell from 1,030 ms to 142 ms (docs/PERFORMANCE.md). The turn is given back
when the connection returns to the pool, that is after the commit or rollback.

`INDEXED BY` pass-through: SQLAlchemy drops table hints on SQLite. They are passed through so
that a query can name its index where SQLite's planner guesses wrong: the reports' join to
the order through the narrow `ix_work_orders_owner` (`with_hint(..., dialect_name="sqlite")`)
is 2x faster than the planner's choice of the wide table.
"""

import contextvars
import fcntl
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import Engine

_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)


@contextmanager
def write_intent() -> Iterator[None]:
    """Transactions begun inside this block take SQLite's write lock up front."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


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


def _table_hint(_compiler, _table, text: str | None) -> str | None:
    return text


# SQLAlchemy drops table hints on SQLite; pass them through so that a query can name its
# index (`INDEXED BY`), as the report queries do where SQLite's planner guesses wrong.
SQLiteCompiler.get_from_hint_text = _table_hint


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
        cursor.execute("PRAGMA secure_delete=ON")
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
