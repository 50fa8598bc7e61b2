"""120 emergency dispatch: stations, hospitals, ambulances, incidents and assignments."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.core.ems.vehicles import VehicleStatus
from hotline.core.ems.vocabulary import BookingState, IncidentState
from hotline.database import UTCDateTime
from hotline.encryption import Sealed
from hotline.models.audit import make_append_only
from hotline.plugins import db


class Station(db.Model):
    """An ambulance station (急救站)."""

    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    lon: Mapped[float]
    lat: Mapped[float]
    synthetic: Mapped[bool] = mapped_column(default=False)

    district = relationship("District", lazy="joined")


class Hospital(db.Model):
    """A receiving hospital and what it can treat."""

    __tablename__ = "hospitals"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    lon: Mapped[float]
    lat: Mapped[float]
    capabilities: Mapped[str] = mapped_column(String(255), default="")  # comma-separated
    synthetic: Mapped[bool] = mapped_column(default=False)


class Vehicle(db.Model):
    """An ambulance; `status` and `incident_id` change only by compare-and-set."""

    __tablename__ = "vehicles"
    __table_args__ = (Index("ix_vehicles_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sign: Mapped[str] = mapped_column(String(32), unique=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    status: Mapped[str] = mapped_column(String(16), default=VehicleStatus.AVAILABLE.value)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    lon: Mapped[float]
    lat: Mapped[float]
    position_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Taken from one counter in the changing transaction: every process's index catches up
    # by reading the vehicles with a higher number than it has seen.
    change_seq: Mapped[int] = mapped_column(default=0, index=True)
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # terminal
    synthetic: Mapped[bool] = mapped_column(default=False)

    station = relationship("Station", lazy="joined")

    @property
    def status_enum(self) -> VehicleStatus:
        """The stored status as the enum."""
        return VehicleStatus(self.status)


class Incident(db.Model):
    """One 120 call that needs (or needed) an ambulance."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_state_created", "state", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    caller_phone: Mapped[str] = mapped_column(Sealed("incidents.caller_phone"), default="")
    lon: Mapped[float]
    lat: Mapped[float]
    address: Mapped[str] = mapped_column(String(255), default="")
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    complaint: Mapped[str] = mapped_column(Text)
    triage_level: Mapped[int]  # 1 (most urgent) to 4
    state: Mapped[str] = mapped_column(String(16), default=IncidentState.OPEN.value)
    withdraw_reason: Mapped[str] = mapped_column(String(16), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the call
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    synthetic: Mapped[bool] = mapped_column(default=False)

    @property
    def is_open(self) -> bool:
        """Still open (not closed or withdrawn)."""
        return self.state == IncidentState.OPEN


class Assignment(db.Model):
    """One vehicle on one incident, with its monotonic timestamps."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    override_reason: Mapped[str] = mapped_column(Text, default="")
    distance_m: Mapped[float | None]
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    en_route_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    on_scene_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    transporting_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    at_hospital_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    vehicle = relationship("Vehicle", lazy="joined")


class IncidentEvent(db.Model):
    """The append-only trail of an incident and its vehicles."""

    __tablename__ = "incident_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicles.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")


make_append_only(IncidentEvent.__table__)


class VehiclePosition(db.Model):
    """A GPS fix from a vehicle terminal: the track a supervisor can replay."""

    __tablename__ = "vehicle_positions"
    __table_args__ = (Index("ix_vehicle_positions_vehicle_at", "vehicle_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    lon: Mapped[float]
    lat: Mapped[float]


class MaliciousNumber(db.Model):
    """恶意电话锁定: a number a supervisor flagged until a time, with a reason."""

    __tablename__ = "malicious_numbers"
    __table_args__ = (Index("ix_malicious_numbers_phone_until", "phone", "until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20))
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The phone line sends this number's calls to a supervisor instead of the queue.
    to_supervisor: Mapped[bool] = mapped_column(default=False)


class Bulletin(db.Model):
    """通告: a notice that dispatchers and stations see."""

    __tablename__ = "bulletins"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    created_by = relationship("User", lazy="joined")


class Booking(db.Model):
    """约车: a scheduled non-emergency transport; a job dispatches it shortly before."""

    __tablename__ = "bookings"
    __table_args__ = (Index("ix_bookings_state_pickup", "state", "pickup_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    caller_phone: Mapped[str] = mapped_column(Sealed("bookings.caller_phone"), default="")
    lon: Mapped[float]
    lat: Mapped[float]
    address: Mapped[str] = mapped_column(String(255), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    pickup_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default=BookingState.PENDING.value)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # no vehicle was free
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def is_dispatched(self) -> bool:
        """A vehicle was sent."""
        return self.state == BookingState.DISPATCHED
