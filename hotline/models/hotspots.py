"""Hotspots (热点): clusters of orders of one category, found by the scheduler."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.database import UTCDateTime
from hotline.plugins import db


class Hotspot(db.Model):
    """Orders of one category close in space and time: where, since when, how many."""

    __tablename__ = "hotspots"
    __table_args__ = (
        Index("ix_hotspots_state_category", "state", "category_id"),
        Index("ix_hotspots_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    lon: Mapped[float]
    lat: Mapped[float]
    radius_m: Mapped[float]
    order_count: Mapped[int]
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the earliest member's time
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the latest member's time
    state: Mapped[str] = mapped_column(String(8), default="open")  # open, closed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The orders that joined in the last run: the trend (growing or not).
    last_growth: Mapped[int] = mapped_column(default=0)

    category = relationship("Category", lazy="joined")
    district = relationship("District", lazy="joined")


class HotspotOrder(db.Model):
    """An order's membership of a hotspot: an order belongs to one hotspot at most."""

    __tablename__ = "hotspot_orders"

    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), primary_key=True)
    hotspot_id: Mapped[int] = mapped_column(ForeignKey("hotspots.id"), index=True)
