"""The leader's heartbeat and each job's run counts, in the database for every host to read."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hotline.database import write_transaction
from hotline.models import SchedulerJob, SchedulerLeader

LEADER_ROW = 1


def beat(session: Session, holder: str, now: datetime) -> None:
    """The leader is alive: refresh its row (a new holder starts its own `since`)."""
    with write_transaction(session):
        row = session.get(SchedulerLeader, LEADER_ROW, with_for_update=True)
        if row is None:
            session.add(SchedulerLeader(id=LEADER_ROW, holder=holder, since=now, heartbeat_at=now))
        elif row.holder != holder:
            row.holder, row.since, row.heartbeat_at = holder, now, now
        else:
            row.heartbeat_at = now


def started(session: Session, job: str, holder: str, now: datetime) -> None:
    """A run of `job` begins."""
    with write_transaction(session):
        changed = session.execute(
            update(SchedulerJob)
            .where(SchedulerJob.job == job)
            .values(last_started_at=now, last_run_by=holder)
        ).rowcount
        if not changed:
            session.add(
                SchedulerJob(job=job, runs=0, failures=0, last_started_at=now, last_run_by=holder)
            )


def finished(session: Session, job: str, now: datetime, error: BaseException | None) -> None:
    """A run of `job` ended, well or with `error` (only its class is kept: no data)."""
    with write_transaction(session):
        row = session.get(SchedulerJob, job, with_for_update=True)
        if row is None:
            return
        row.runs += 1
        row.last_finished_at = now
        if row.last_started_at is not None:
            row.last_duration_ms = int((now - row.last_started_at).total_seconds() * 1000)
        if error is None:
            row.last_success_at, row.last_error = now, None
        else:
            row.failures += 1
            row.last_error = type(error).__name__[:200]


@dataclass(frozen=True)
class Status:
    """What readiness and the health page say of the scheduler."""

    holder: str | None
    since: datetime | None
    heartbeat_at: datetime | None
    fresh: bool
    jobs: list[SchedulerJob]


def status(session: Session, now: datetime, stale_after: timedelta) -> Status:
    """The leader and its heartbeat's age, and every job's last run."""
    leader = session.get(SchedulerLeader, LEADER_ROW)
    jobs = list(session.scalars(select(SchedulerJob).order_by(SchedulerJob.job)))
    if leader is None:
        return Status(None, None, None, False, jobs)
    fresh = now - leader.heartbeat_at <= stale_after
    return Status(leader.holder, leader.since, leader.heartbeat_at, fresh, jobs)
