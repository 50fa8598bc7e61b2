"""Surveys (回访): one task per closure of an order that may be called back."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.database import UTCDateTime
from hotline.plugins import db


class Survey(db.Model):
    """A survey task and, once done, its answers; `round` 2 follows a reopen."""

    __tablename__ = "surveys"
    __table_args__ = (
        UniqueConstraint("order_id", "round", name="uq_surveys_order_round"),
        Index("ix_surveys_state_due", "state", "due_at"),
        # The KPI counts read surveys of a period from these indexes alone.
        Index("ix_surveys_created", "created_at", "state", "department_id", "district_id"),
        Index(
            "ix_surveys_answers",
            "state",
            "completed_at",
            "department_id",
            "district_id",
            "resolved",
            "satisfaction",
            "reopened",
        ),
        Index("ix_surveys_completed", "completed_at"),
        # The report's excerpts: the latest surveys with words, without reading the rest.
        Index(
            "ix_surveys_commented",
            "completed_at",
            sqlite_where=text("comment != ''"),
            postgresql_where=text("comment != ''"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"))
    # The department whose handling the caller rates, and the order's district, when the
    # survey was planned (the order may later move on): KPIs count surveys by these.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    round: Mapped[int] = mapped_column(default=1)
    state: Mapped[str] = mapped_column(String(16), default="due")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)  # times not reached
    last_attempt_day: Mapped[str] = mapped_column(String(10), default="")  # local ISO date

    resolved: Mapped[bool | None]
    satisfaction: Mapped[str | None] = mapped_column(String(16))
    attitude: Mapped[str | None] = mapped_column(String(16))
    score: Mapped[int | None]
    comment: Mapped[str] = mapped_column(Text, default="")
    reopened: Mapped[bool] = mapped_column(default=False)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    order = relationship("WorkOrder", lazy="joined")

    __mapper_args__ = {"version_id_col": version}
