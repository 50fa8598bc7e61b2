"""Timed reminders (定时催办) set on an order by an operator or a supervisor."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.database import UTCDateTime
from hotline.plugins import db


class Reminder(db.Model):
    """At `remind_at` the order shows in its setter's reminder list and its department's queue."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_setter_time", "set_by_id", "remind_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)
    remind_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")

    order = relationship("WorkOrder", lazy="joined")
