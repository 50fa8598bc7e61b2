"""Tasks on work orders: assistance from other units and second-level dispatch."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.database import UTCDateTime
from hotline.plugins import db


class OrderTask(db.Model):
    """A piece of an order's work held by another unit (协办) or by a sub-unit or staff
    member of the lead unit (二级派单), with its instruction, due time and reply."""

    __tablename__ = "order_tasks"
    __table_args__ = (
        # A unit's (or person's) open tasks: its queue and what its staff may see.
        Index("ix_order_tasks_department_state", "department_id", "state"),
        Index("ix_order_tasks_assignee_state", "assignee_id", "state"),
        # The assisting units' figures of a period, read from the index alone.
        Index(
            "ix_order_tasks_report",
            "kind",
            "created_at",
            "department_id",
            "state",
            "whistle",
            "accepted_at",
            "finished_at",
            "due_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    kind: Mapped[str] = mapped_column(String(8))  # core/orders/tasks.TaskKind
    # The unit asking: the order's lead unit (主办) when the task was made.
    lead_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    # The unit holding the task: an assisting unit, a sub-unit, or the lead unit itself when
    # a named staff member (`assignee_id`) holds it.
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    whistle: Mapped[bool] = mapped_column(default=False)  # 吹哨: may not be declined
    instruction: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(12), default="open")
    reply_text: Mapped[str] = mapped_column(Text, default="")  # the reply, or why declined
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When it left the open states (replied, declined or withdrawn), and by whom.
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # When the scheduler told the holder and the lead that the task is past due (once).
    overdue_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order = relationship("WorkOrder", lazy="select")
    department = relationship("Department", foreign_keys=[department_id], lazy="joined")
    lead_department = relationship("Department", foreign_keys=[lead_department_id], lazy="joined")
    assignee = relationship("User", foreign_keys=[assignee_id], lazy="joined")
    finished_by = relationship("User", foreign_keys=[finished_by_id], lazy="joined")

    __mapper_args__ = {"version_id_col": version}
