"""The director's incident history: search by dates, district, triage, complaint category,
destination hospital, vehicle and outcome; a page of rows, or every row for a CSV export
(never the caller's phone; the patients' complaint categories and the complaint text only for
those who may read medical data; each export in the security log, as other exports of
personal data are)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from hotline.core.accounts.security import SecurityKind
from hotline.core.ems import codes
from hotline.core.ems.vocabulary import IncidentState, WithdrawReason
from hotline.core.reports.periods import Period, PeriodKind
from hotline.database import write_transaction
from hotline.labels import chinese
from hotline.labels.ems_patients import HISTORY_EXPORT_LABELS, chinese_of
from hotline.models import Assignment, District, Hospital, Incident, Patient, Vehicle
from hotline.services.accounts import security_log
from hotline.services.ems import terminals
from hotline.services.reports.scope import bounds

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class Filters:
    """What the director searches by (None: any); the complaint category only for those who
    may read medical data (the web layer leaves it None for the others)."""

    date_from: date | None = None
    date_to: date | None = None
    district_code: str | None = None
    triage: int | None = None
    complaint_code: str | None = None
    hospital_id: int | None = None
    vehicle_id: int | None = None
    outcome: str | None = None  # an IncidentState value

    def described(self) -> str:
        """The filters set, for the security log."""
        return " ".join(f"{k}={v}" for k, v in vars(self).items() if v not in (None, ""))


@dataclass(frozen=True)
class Found:
    """An incident of the history with its vehicles, hospitals and its patients' complaint
    codes (empty unless read for someone who may read medical data)."""

    incident: Incident
    district: str
    vehicles: list[str]
    hospitals: list[str]
    complaint_codes: list[str]


def _query(filters: Filters, timezone: str) -> Select:
    f = filters
    query = select(Incident)
    if f.date_from or f.date_to:
        first, last = f.date_from or date(1900, 1, 1), f.date_to or date(2999, 12, 31)
        start, end = bounds(Period(PeriodKind.RANGE, first, max(first, last)), timezone=timezone)
        query = query.where(Incident.created_at >= start, Incident.created_at < end)
    if f.district_code:
        district = select(District.id).where(District.code == f.district_code)
        query = query.where(Incident.district_id.in_(district))
    if f.triage is not None:
        query = query.where(Incident.triage_level == f.triage)
    if f.outcome:
        query = query.where(Incident.state == f.outcome)
    if f.complaint_code:
        patients = select(Patient.incident_id).where(Patient.complaint_code == f.complaint_code)
        query = query.where(Incident.id.in_(patients))
    by_assignment = ((Assignment.hospital_id, f.hospital_id), (Assignment.vehicle_id, f.vehicle_id))
    for column, value in by_assignment:
        if value is not None:
            sent = select(Assignment.incident_id).where(column == value)
            query = query.where(Incident.id.in_(sent))
    return query


def _found(session: Session, incidents: list[Incident], medical: bool) -> list[Found]:
    """The incidents with what hangs on them, in three reads for the lot (the patients'
    complaint codes only when `medical`)."""
    ids = [i.id for i in incidents]
    vehicles, hospitals, codes = defaultdict(list), defaultdict(list), defaultdict(list)
    for incident_id, sign, hospital in session.execute(
        select(Assignment.incident_id, Vehicle.call_sign, Hospital.name)
        .join(Vehicle, Vehicle.id == Assignment.vehicle_id)
        .outerjoin(Hospital, Hospital.id == Assignment.hospital_id)
        .where(Assignment.incident_id.in_(ids))
        .order_by(Assignment.id)
    ):
        vehicles[incident_id].append(sign)
        if hospital and hospital not in hospitals[incident_id]:
            hospitals[incident_id].append(hospital)
    patients = (
        session.execute(
            select(Patient.incident_id, Patient.complaint_code)
            .where(Patient.incident_id.in_(ids), Patient.complaint_code != "")
            .order_by(Patient.id)
        )
        if medical
        else []
    )
    for incident_id, code in patients:
        codes[incident_id].append(code)
    names = dict(session.execute(select(District.id, District.name)).all())
    return [
        Found(i, names.get(i.district_id, ""), vehicles[i.id], hospitals[i.id], codes[i.id])
        for i in incidents
    ]


def search(
    session: Session, filters: Filters, *, timezone: str, medical: bool, page: int = 1
) -> tuple[int, list[Found]]:
    """How many incidents match, and the page's (newest call first); the patients' complaint
    codes only when `medical`."""
    query = _query(filters, timezone)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Incident.created_at.desc(), Incident.id.desc())
        .offset((max(1, page) - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return total, _found(session, list(rows), medical)


# Health data (HISTORY_EXPORT_LABELS' other keys are dispatch data): for EMS_MEDICAL only.
MEDICAL_COLUMNS = ("complaint_codes", "complaint")


def header(medical: bool) -> list[str]:
    """The export's column names in Chinese (the medical ones only when `medical`)."""
    keys = [k for k in HISTORY_EXPORT_LABELS if medical or k not in MEDICAL_COLUMNS]
    return [chinese_of(HISTORY_EXPORT_LABELS, k) for k in keys]


def _complaint_zh(code: str) -> str:
    entry = codes.complaint(code)
    return entry.zh if entry else code


def _row(found: Found, zone: ZoneInfo, medical: bool) -> list:
    i = found.incident
    complaints = "、".join(_complaint_zh(c) for c in found.complaint_codes)
    row = {
        "number": i.number,
        "called_at": f"{i.created_at.astimezone(zone):%Y-%m-%d %H:%M:%S}",
        "district": found.district,
        "triage": i.triage_level,
        "outcome": chinese(IncidentState, i.state, i.state),
        "withdraw_reason": chinese(WithdrawReason, i.withdraw_reason, i.withdraw_reason),
        "vehicles": "、".join(found.vehicles),
        "hospitals": "、".join(found.hospitals),
        "complaint_codes": complaints,
        "source": i.source,
        "complaint": i.complaint,
    }
    return [row[k] for k in HISTORY_EXPORT_LABELS if medical or k not in MEDICAL_COLUMNS]


def export(
    session: Session,
    filters: Filters,
    *,
    timezone: str,
    medical: bool,
    actor_id: int,
    ip: str,
    now: datetime,
) -> list[list]:
    """Every matching incident (up to EXPORT_LIMIT) as rows under a header, without the
    caller's phone; the complaint categories and text only when `medical`. Logged."""
    query = _query(filters, timezone).order_by(Incident.created_at.desc(), Incident.id.desc())
    found = _found(session, list(session.scalars(query.limit(EXPORT_LIMIT)).all()), medical)
    zone = ZoneInfo(timezone)
    rows = [header(medical)] + [_row(f, zone, medical) for f in found]
    detail = f"ems incidents export {len(found)} rows {filters.described()}".strip()
    with write_transaction(session):
        security_log.record(
            session,
            SecurityKind.PERSONAL_DATA_EXPORT,
            now=now,
            actor_id=actor_id,
            ip=ip,
            detail=detail,
        )
    return rows


@dataclass(frozen=True)
class Choices:
    """The search form's lists."""

    districts: list[District]
    hospitals: list[Hospital]
    vehicles: list[Vehicle]


def choices(session: Session) -> Choices:
    """Districts, hospitals and vehicles by name."""
    return Choices(
        list(session.scalars(select(District).order_by(District.code))),
        list(session.scalars(select(Hospital).order_by(Hospital.name))),
        terminals.vehicles(session),
    )
