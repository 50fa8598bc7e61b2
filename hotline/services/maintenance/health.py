"""Is this host fit to serve, and what does the system look like: for the load balancer's
readiness check, the Prometheus figures and the administrators' health page."""

import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import delete, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from hotline.core.ems.vehicles import VehicleStatus
from hotline.core.maintenance.health import HealthCheck
from hotline.core.orders.workflow import OPEN_STATES
from hotline.database import database_now
from hotline.models import ErrorRecord, Notification, Vehicle, WorkOrder
from hotline.services.deadlines.escalation import RUNNING
from hotline.services.scheduling import runs

ERRORS_KEPT = 1000  # the health page shows the newest; older rows are dropped as new come


@lru_cache(maxsize=4)
def head_revision(migrations: Path) -> str | None:
    """The newest schema revision this code knows (read once per process)."""
    return ScriptDirectory(str(migrations)).get_current_head()


def schema_revision(session: Session) -> str | None:
    """The migration the database is at (None: never migrated)."""
    try:
        return session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 - no version table: never migrated
        session.rollback()
        return None


def schema_current(session: Session, migrations: Path) -> bool:
    """Whether the database is at the newest migration this code knows."""
    return schema_revision(session) == head_revision(migrations)


@dataclass(frozen=True)
class Check:
    """One readiness check: its name, whether it passed and a short reason (no data)."""

    name: HealthCheck
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class Readiness:
    """Every check; ready when all passed."""

    checks: list[Check] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """True when every check passed."""
        return all(c.ok for c in self.checks)


def readiness(
    session: Session,
    *,
    migrations: Path,
    scheduler_stale_after: timedelta,
    scheduler_required: bool,
) -> Readiness:
    """The database answers, its schema is this code's, and a scheduler leads (if required)."""
    try:
        session.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        session.rollback()
        return Readiness([Check(HealthCheck.DATABASE, False, type(error).__name__)])
    checks = [Check(HealthCheck.DATABASE, True)]
    current, head = schema_revision(session), head_revision(migrations)
    checks.append(Check(HealthCheck.MIGRATIONS, current == head, f"{current or 'none'} / {head}"))
    if scheduler_required:
        try:
            now = database_now(session)  # the heartbeat was written by the database's clock
            state = runs.status(session, now, scheduler_stale_after)
        except Exception as error:  # noqa: BLE001 - an old schema has no leader table
            session.rollback()
            checks.append(Check(HealthCheck.SCHEDULER, False, type(error).__name__))
            return Readiness(checks)
        age = "" if state.heartbeat_at is None else f"{(now - state.heartbeat_at).seconds}s"
        checks.append(Check(HealthCheck.SCHEDULER, state.fresh, age or "no leader"))
    return Readiness(checks)


@dataclass(frozen=True)
class Figures:
    """The state of the work, counted by the database at one moment."""

    open_by_state: dict[str, int]
    overdue: int
    outbox_backlog: int
    vehicles_by_status: dict[str, int]


def figures(session: Session, now: datetime) -> Figures:
    """Open orders by state, overdue orders, pending notices and vehicles by status."""
    by_state = dict(
        session.execute(
            select(WorkOrder.state, func.count())
            .where(WorkOrder.state.in_([s.value for s in OPEN_STATES]))
            .group_by(WorkOrder.state)
        ).all()
    )
    overdue = session.scalar(
        select(func.count()).where(WorkOrder.state.in_(RUNNING), WorkOrder.due_at < now)
    )
    backlog = session.scalar(
        select(func.count()).select_from(Notification).where(Notification.state == "pending")
    )
    vehicles = dict(
        session.execute(select(Vehicle.status, func.count()).group_by(Vehicle.status)).all()
    )
    for status in VehicleStatus:
        vehicles.setdefault(status.value, 0)
    return Figures(by_state, overdue or 0, backlog or 0, vehicles)


class FiguresCache:
    """The figures at most `max_age` seconds old: several scrapers cost one count."""

    def __init__(self, max_age: float = 10.0) -> None:
        self._max_age = max_age
        self._lock = threading.Lock()
        self._values: dict[str, tuple[float, Figures]] = {}

    def get(self, session: Session, now: datetime) -> Figures:
        """Cached figures of this database, counted again when older than max_age."""
        key = str(session.get_bind().url)
        with self._lock:
            cached = self._values.get(key)
            if cached and time.monotonic() - cached[0] < self._max_age:
                return cached[1]
            value = figures(session, now)
            self._values = {key: (time.monotonic(), value)}
            return value


def record_error(
    engine: Engine, *, source: str, error: BaseException, request_id: str | None, now: datetime
) -> None:
    """Keep an unexpected failure's kind and place, on a connection of its own (the failing
    request's session may be unusable); only the newest ERRORS_KEPT rows stay."""
    table = ErrorRecord.__table__
    with engine.begin() as connection:
        connection.execute(
            table.insert().values(
                at=now,
                host=socket.gethostname()[:128],
                source=source[:128],
                error=type(error).__name__[:200],
                request_id=request_id,
            )
        )
        newest = connection.execute(
            select(table.c.id).order_by(table.c.id.desc()).offset(ERRORS_KEPT).limit(1)
        ).scalar()
        if newest is not None:
            connection.execute(delete(table).where(table.c.id <= newest))


def last_errors(session: Session, limit: int = 50) -> list[ErrorRecord]:
    """The newest errors first."""
    return list(session.scalars(select(ErrorRecord).order_by(ErrorRecord.id.desc()).limit(limit)))
