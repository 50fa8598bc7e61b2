"""The notification outbox: every message is written here first, then delivered."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.database import UTCDateTime
from hotline.plugins import db


class Notification(db.Model):
    """One message to one recipient on one channel, kept until it is delivered."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_pending", "state", "next_attempt_at"),
        Index("ix_notifications_inbox", "recipient", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))  # in_app, sms, email
    recipient: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending, delivered
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order = relationship("WorkOrder", lazy="joined")
