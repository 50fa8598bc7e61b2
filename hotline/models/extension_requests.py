"""Requests by a department for more time (延期), decided by a supervisor."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.database import UTCDateTime
from hotline.plugins import db


class ExtensionRequest(db.Model):
    """One request to move an order's due time; the order keeps being worked on meanwhile."""

    __tablename__ = "extension_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    previous_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")

    order = relationship("WorkOrder", lazy="joined")
    requested_by = relationship("User", foreign_keys=[requested_by_id], lazy="joined")
