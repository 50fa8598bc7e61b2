"""120 emergency dispatch: stations, hospitals, ambulances, incidents and assignments."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
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
    # The phone on board (a work number, not a person's): the dispatcher calls the crew on it.
    phone: Mapped[str] = mapped_column(String(20), default="")
    synthetic: Mapped[bool] = mapped_column(default=False)

    station = relationship("Station", lazy="joined")

    @property
    def status_enum(self) -> VehicleStatus:
        """The stored status as the enum."""
        return VehicleStatus(self.status)


class Incident(db.Model):
    """One 120 call that needs (or needed) an ambulance."""

    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_state_created", "state", "created_at"),
        Index("ix_incidents_created", "created_at"),
        # A linked centre's reference names one incident of that account's: a repeated POST
        # finds it again (keyed by the account, not its name, which may change or repeat).
        Index(
            "uq_incidents_source_ref",
            "created_by_id",
            "source_ref",
            unique=True,
            sqlite_where=text("source_ref != ''"),
            postgresql_where=text("source_ref != ''"),
        ),
    )

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
    # 联动: "" when this centre's console took the call; else the linked centre's name
    # (110, 119, 122...) and its own reference for the case.
    source: Mapped[str] = mapped_column(String(64), default="")
    source_ref: Mapped[str] = mapped_column(String(64), default="")
    synthetic: Mapped[bool] = mapped_column(default=False)

    @property
    def is_open(self) -> bool:
        """Still open (not closed or withdrawn)."""
        return self.state == IncidentState.OPEN


class Assignment(db.Model):
    """One vehicle on one incident, with its monotonic timestamps."""

    __tablename__ = "assignments"
    __table_args__ = (
        # The jobs a crew has not acknowledged yet (the dispatcher's alert, every few seconds).
        Index(
            "ix_assignments_unacknowledged",
            "dispatched_at",
            sqlite_where=text("cleared_at IS NULL AND acknowledged_at IS NULL"),
            postgresql_where=text("cleared_at IS NULL AND acknowledged_at IS NULL"),
        ),
        # The open jobs of every vehicle (the crew terminals' streams, twice a second).
        Index(
            "ix_assignments_open_vehicle",
            "vehicle_id",
            sqlite_where=text("cleared_at IS NULL"),
            postgresql_where=text("cleared_at IS NULL"),
        ),
        # A hospital desk's incoming patients (polled every few seconds).
        Index(
            "ix_assignments_open_hospital",
            "hospital_id",
            sqlite_where=text("cleared_at IS NULL"),
            postgresql_where=text("cleared_at IS NULL"),
        ),
        # Settled trips not measured yet (the measure_trips job).
        Index(
            "ix_assignments_unmeasured",
            "cleared_at",
            sqlite_where=text("track_m IS NULL"),
            postgresql_where=text("track_m IS NULL"),
        ),
    )

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
    # 接单: the crew acknowledged the job on its terminal (the terminal's own time).
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the dispatcher was alerted that the job was not acknowledged (once per job).
    ack_overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The destination hospital, and its receiving desk's acknowledgement of the pre-alert.
    hospital_id: Mapped[int | None] = mapped_column(ForeignKey("hospitals.id"), index=True)
    hospital_acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hospital_acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Metres driven from dispatch to clearing, measured from the GPS track once the trip has
    # settled (services/ems/trips.py): the director's kilometres read this, not the fixes.
    track_m: Mapped[float | None]

    vehicle = relationship("Vehicle", lazy="joined")
    hospital = relationship("Hospital", lazy="joined")


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


class Patient(db.Model):
    """院前急救病历: one patient of an incident, filled by the crew. Personal health data:
    everything that could name the patient or describe them is sealed; the codes are plain
    because the director's statistics count by them."""

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicles.id"))  # the crew's
    name: Mapped[str] = mapped_column(Sealed("patients.name"), default="")  # "" unknown
    sex: Mapped[str] = mapped_column(String(8), default="unknown")
    age_years: Mapped[int | None]
    age_estimated: Mapped[bool] = mapped_column(default=False)
    complaint_code: Mapped[str] = mapped_column(String(16), default="")
    history: Mapped[str] = mapped_column(Sealed("patients.history"), default="")  # 现病史
    diagnosis_code: Mapped[str] = mapped_column(String(16), default="")  # ICD-10
    diagnosis_note: Mapped[str] = mapped_column(Sealed("patients.diagnosis_note"), default="")
    refusal: Mapped[str] = mapped_column(String(16), default="")  # "", treatment, transport
    refusal_reason: Mapped[str] = mapped_column(Sealed("patients.refusal_reason"), default="")
    handover_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    receiving_doctor: Mapped[str] = mapped_column(Sealed("patients.receiving_doctor"), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)


class PatientEntry(db.Model):
    """A timed entry of a patient record: vital signs, or a treatment or medication. The
    values are sealed JSON (core/ems/patients.py says what each kind holds)."""

    __tablename__ = "patient_entries"
    __table_args__ = (Index("ix_patient_entries_patient_at", "patient_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    kind: Mapped[str] = mapped_column(String(16))  # vitals, treatment, medication
    at: Mapped[datetime] = mapped_column(UTCDateTime)  # when measured or given
    values: Mapped[str] = mapped_column(Sealed("patient_entries.values"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TerminalReceipt(db.Model):
    """What a terminal's update with an Idempotency-Key did: a queued update sent twice
    (the connection dropped before the answer) is answered from here, not done again."""

    __tablename__ = "terminal_receipts"
    __table_args__ = (UniqueConstraint("vehicle_id", "key", name="uq_terminal_receipts_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"))
    key: Mapped[str] = mapped_column(String(64))
    # SHA-256 of the request's method, path and body: a key sent again with another request
    # is refused, not answered with the first request's answer.
    request_digest: Mapped[str] = mapped_column(String(64), default="")
    status_code: Mapped[int]
    body: Mapped[str] = mapped_column(Text)  # the JSON answer (ids and states, no health data)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
