"""Accounts of the people who use the system."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.core.accounts.roles import Role
from hotline.database import UTCDateTime
from hotline.plugins import db


class User(UserMixin, db.Model):
    """One person; department staff belong to exactly one department."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when an administrator chose the password (a new account, a reset) or it expired:
    # the user may do nothing but change it.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # JSON list of the hashes of earlier passwords, newest first, so that none is reused.
    previous_password_hashes: Mapped[str] = mapped_column(Text, default="[]")
    role: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    # The station of a station duty-room account, the hospital of a hospital desk's.
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    hospital_id: Mapped[int | None] = mapped_column(ForeignKey("hospitals.id"))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped on password change or deactivation so old sessions stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # SHA-256 of the user's API token for /api/v1 (None: no token issued).
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    api_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Synthetic demo staff (one handler per department): kept out of the admin user list.
    synthetic: Mapped[bool] = mapped_column(default=False)

    department = relationship("Department", lazy="select")

    @property
    def role_enum(self) -> Role:
        """The role as an enum."""
        return Role(self.role)

    @property
    def workplace(self) -> dict[str, int | None]:
        """The ids of the station or hospital a 120 desk account works at, by field."""
        return {"station_id": self.station_id, "hospital_id": self.hospital_id}

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    def get_id(self) -> str:
        """Session identity: id plus session version, so a bump logs out old sessions."""
        return f"{self.id}:{self.session_version}"
