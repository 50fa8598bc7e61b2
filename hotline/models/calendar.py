"""Local changes to the working-day calendar: a city's own holiday, a typhoon day."""

from datetime import date

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.plugins import db


class CalendarOverride(db.Model):
    """This day is (or is not) a working day, whatever the official calendar says."""

    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    note: Mapped[str] = mapped_column(String(128), default="")
