"""Exactly one scheduler leads: a PostgreSQL advisory lock, or a file lock on SQLite.

PostgreSQL: the leader holds a session-level advisory lock on its own connection for as long
as it lives. A killed leader's connection closes and the server frees the lock at once; a
leader cut off from the network is dropped by the server within about 25 s (keepalives with
TCP_USER_TIMEOUT on every connection, hotline/database.py), so a waiting host takes over
within a minute (tests/integration/test_scheduler_cut_off.py). The leader checks its lock
every few seconds and runs no job unless the last check is recent; a job already running
when the lock was lost finishes. Every job is idempotent (compare-and-set on the rows it
moves), so such an overlap changes nothing twice.

A leader that hangs without dying (a frozen virtual machine) keeps its connection open while
its kernel answers keepalives: when its heartbeat is older than SCHEDULER_TAKEOVER_SECONDS, a
waiting process ends the hung leader's database session, which frees the lock.

SQLite is one host: an exclusive `flock` on the instance folder keeps a second scheduler
process from running beside the first.
"""

import contextlib
import fcntl
import logging
import os
import socket
from pathlib import Path
from typing import Protocol

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from hotline.database import POSTGRES_CONNECT_ARGS

log = logging.getLogger(__name__)

# The advisory lock's key: any constant the application uses for nothing else ("hotline").
LOCK_KEY = 0x686F746C696E65


def holder_name() -> str:
    """This process, as the leader row names it: host:pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Leadership(Protocol):
    """Who may run the jobs; one implementation per database."""

    def try_acquire(self) -> bool:
        """Lead if nobody does; True when this process now leads."""

    def still_held(self) -> bool:
        """Whether this process still leads (a check of the lock's connection)."""

    def release(self) -> None:
        """Stop leading (a waiting process takes over)."""

    def end_silent_holder(self, silent_for_s: int) -> bool:
        """End the session of a leader that has held the lock for longer than
        `silent_for_s` (its heartbeat being that old); True when one was ended."""


class AdvisoryLock:
    """Leadership by a session-level PostgreSQL advisory lock on a connection of its own."""

    def __init__(self, url: str, check_timeout_s: int = 5) -> None:
        self._engine: Engine = create_engine(
            url,
            poolclass=NullPool,
            connect_args={
                **POSTGRES_CONNECT_ARGS,  # the server frees the lock of a leader it lost
                "connect_timeout": 10,
                "application_name": "hotline-scheduler",
            },
        )
        self._check_timeout_ms = check_timeout_s * 1000
        self._connection: Connection | None = None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; keep the connection that holds it."""
        if self._connection is not None:
            return self.still_held()
        try:
            connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            connection.execute(
                text("SELECT set_config('statement_timeout', :timeout, false)"),
                {"timeout": str(self._check_timeout_ms)},
            )
            taken = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}
            ).scalar()
        except Exception as error:  # noqa: BLE001 - the database is away: try again later
            log.warning("scheduler: cannot reach the database to lead (%s)", type(error).__name__)
            return False
        if not taken:
            connection.close()
            return False
        self._connection = connection
        return True

    def still_held(self) -> bool:
        """The lock lives as long as this session: one query on it shows the session lives."""
        if self._connection is None:
            return False
        try:
            held = self._connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND pid = pg_backend_pid() AND granted "
                    "AND ((classid::bigint << 32) | objid::bigint) = :key"
                ),
                {"key": LOCK_KEY},
            ).scalar()
        except Exception as error:  # noqa: BLE001 - a lost connection means a lost lock
            log.error("scheduler: lost the leader's connection (%s)", type(error).__name__)
            self._drop()
            return False
        if not held:
            self._drop()
        return bool(held)

    def release(self) -> None:
        """Close the connection: the server frees the lock."""
        self._drop()

    def end_silent_holder(self, silent_for_s: int) -> bool:
        """A hung leader (a frozen virtual machine, a stopped process) keeps its connection
        and its lock while its kernel still answers: end its session so that the lock frees.
        Only a session older than `silent_for_s` is ended, never one that just took the lock
        and has not yet written its first heartbeat. Every host connects as the same role,
        which may end its own role's sessions."""
        try:
            with self._engine.connect() as connection:
                ended = connection.execute(
                    text(
                        "SELECT pg_terminate_backend(l.pid) FROM pg_locks l "
                        "JOIN pg_stat_activity a ON a.pid = l.pid "
                        "WHERE l.locktype = 'advisory' AND l.granted "
                        "AND ((l.classid::bigint << 32) | l.objid::bigint) = :key "
                        "AND a.backend_start < now() - make_interval(secs => :silent)"
                    ),
                    {"key": LOCK_KEY, "silent": silent_for_s},
                ).all()
                connection.commit()
        except Exception as error:  # noqa: BLE001 - the database is away: try again later
            log.warning("scheduler: could not end a silent leader (%s)", type(error).__name__)
            return False
        return any(row[0] for row in ended)

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            # Closing a connection the network already lost may fail; it is gone either way.
            with contextlib.suppress(Exception):
                connection.close()


class FileLock:
    """Leadership on one host (SQLite): an exclusive flock on a file in the instance folder."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        """Lock the file without waiting."""
        if self._fd is not None:
            return True
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def still_held(self) -> bool:
        """A flock lasts as long as its descriptor."""
        return self._fd is not None

    def release(self) -> None:
        """Unlock (closing the descriptor frees the flock)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def end_silent_holder(self, silent_for_s: int) -> bool:
        """On one host a hung scheduler is the host's own problem: nothing is ended."""
        return False


def for_database(url: str, instance_path: str) -> Leadership:
    """The advisory lock on PostgreSQL, a file lock beside the SQLite database."""
    if url.startswith("postgresql"):
        return AdvisoryLock(url)
    return FileLock(Path(instance_path) / "scheduler.lock")
