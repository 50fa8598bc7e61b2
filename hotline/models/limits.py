"""Admin-configured time limits per order type, category and priority."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.plugins import db


class TimeLimitRule(db.Model):
    """A time limit for the orders it matches; an empty field matches anything."""

    __tablename__ = "time_limit_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_type: Mapped[str | None] = mapped_column(String(16))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    priority: Mapped[str | None] = mapped_column(String(8))
    amount: Mapped[int]
    unit: Mapped[str] = mapped_column(String(16))
    warning_percent: Mapped[int] = mapped_column(default=80)

    category = relationship("Category", lazy="joined")
