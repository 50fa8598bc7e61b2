"""What every host reads of the others: the scheduler's leader, its job runs, the last errors."""

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.database import UTCDateTime
from hotline.plugins import db


class SchedulerLeader(db.Model):
    """The one row (id 1) the leading scheduler refreshes; readiness reads its heartbeat."""

    __tablename__ = "scheduler_leader"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holder: Mapped[str] = mapped_column(String(128))  # host:pid
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SchedulerJob(db.Model):
    """One scheduled job's run counts and its last run, whichever host ran it."""

    __tablename__ = "scheduler_jobs"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    runs: Mapped[int] = mapped_column(default=0)
    failures: Mapped[int] = mapped_column(default=0)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_duration_ms: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(200))  # the exception's class only
    last_run_by: Mapped[str | None] = mapped_column(String(128))


class ErrorRecord(db.Model):
    """An unexpected failure on any host (a 500 or a failed job): where, when, which kind.
    No message, no parameters: those may hold personal data; the request id finds the log."""

    __tablename__ = "system_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    host: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(128))  # an endpoint or a job's name
    error: Mapped[str] = mapped_column(String(200))  # the exception's class
    request_id: Mapped[str | None] = mapped_column(String(64))
