"""Supervision notices (督办单) on orders."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.database import UTCDateTime
from hotline.plugins import db


class SupervisionNotice(db.Model):
    """A supervisor's instruction to the unit handling an order, and the unit's answer."""

    __tablename__ = "supervision_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # 督〔2026〕第0007号
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    instruction: Mapped[str] = mapped_column(Text)
    respond_by: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order = relationship("WorkOrder", lazy="joined")
    department = relationship("Department", lazy="joined")
    issued_by = relationship("User", foreign_keys=[issued_by_id], lazy="joined")
    answered_by = relationship("User", foreign_keys=[answered_by_id], lazy="joined")
