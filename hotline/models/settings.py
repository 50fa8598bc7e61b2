"""Small key/value settings shared by every process."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.plugins import db


class AppSetting(db.Model):
    """One setting; `routing_version` tells every process to reload its routing index."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))
