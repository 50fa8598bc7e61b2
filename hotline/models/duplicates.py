"""Duplicate orders (并单): merges and their undo, and a category's candidate rule."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.database import UTCDateTime
from hotline.plugins import db


class OrderMerge(db.Model):
    """One merge of an order into a master, with what an unmerge gives back."""

    __tablename__ = "order_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    master_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    prior_state: Mapped[str] = mapped_column(String(24))
    prior_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DuplicateRule(db.Model):
    """A category's radius and time window for duplicate candidates (none: the defaults)."""

    __tablename__ = "duplicate_rules"

    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), primary_key=True)
    radius_m: Mapped[int]
    window_hours: Mapped[int]
