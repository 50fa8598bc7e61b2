"""Synthetic 120 demo data on the real district polygons: stations, ambulances, hospitals and
past incidents with full timelines. Everything here is labelled 合成 (synthetic)."""

import json
import random
from datetime import datetime, timedelta

from shapely.geometry import Point
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.core.ems.codes import flags as code_flags
from hotline.core.ems.vehicles import VehicleStatus
from hotline.core.ems.vocabulary import Capability
from hotline.database import write_transaction
from hotline.models import (
    Assignment,
    District,
    Hospital,
    Incident,
    Patient,
    PatientEntry,
    Station,
    User,
    Vehicle,
    VehiclePosition,
)
from hotline.services.ems import fleet, incidents
from hotline.services.ems.hospitals import suitable_hospitals
from hotline.services.reference import cache

SEED = 120
# What the caller says, the triage level, and what the crew records: the complaint category
# and the preliminary diagnosis (core/ems/data).
COMPLAINTS = [
    ("胸痛伴大汗30分钟", 1, "C01", "I21.9"), ("突发意识不清", 1, "C03", "R40.2"),
    ("车祸外伤，腿部出血", 2, "C15", "T14.9"), ("高热抽搐（儿童）", 2, "C23", "R56.0"),
    ("孕妇腹痛见红", 2, "C22", "O46.9"), ("老人跌倒后无法站立", 3, "C16", "S72.0"),
    ("呼吸困难", 1, "C02", "J44.1"), ("腹痛呕吐", 3, "C11", "R10.4"),
    ("头晕乏力", 4, "C08", "R69"), ("烫伤（手臂）", 3, "C18", "T30.0"),
    ("突发言语不清，右侧肢体无力", 1, "C04", "I63.9"),
]  # fmt: skip
TRACK_POINTS = 8  # GPS fixes per leg (station to scene, scene to hospital)


def _inside(rng: random.Random, geometry) -> tuple[float, float]:
    min_x, min_y, max_x, max_y = geometry.bounds
    while True:
        lon, lat = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        if geometry.contains(Point(lon, lat)):
            return round(lon, 6), round(lat, 6)


def seed_ems(session: Session, now: datetime, timezone: str) -> tuple[int, int, int]:
    """Stations, vehicles and hospitals (idempotent); returns how many of each were added."""
    if session.scalar(select(func.count(Station.id))):
        return 0, 0, 0
    rng = random.Random(SEED)
    ctx = cache.context(session)
    stations = vehicles = hospitals = 0
    with write_transaction(session):
        for district in session.scalars(select(District).order_by(District.code)):
            geometry = ctx.index.get(district.code).geometry
            seat = (district.label_lon, district.label_lat)
            if seat[0] is None:
                seat = _inside(rng, geometry)
            points = [seat] + [_inside(rng, geometry) for _ in range(rng.randint(2, 4))]
            for number, point in enumerate(points):
                vehicles += _station(session, rng, district, number, point, now)
                stations += 1
            hospitals += _hospitals(session, rng, district, geometry)
    fleet.forget_indexes()
    return stations, vehicles, hospitals


def _station(
    session: Session,
    rng: random.Random,
    district: District,
    number: int,
    point: tuple[float, float],
    now: datetime,
) -> int:
    """A synthetic station with 3 to 6 ambulances; returns how many ambulances."""
    lon, lat = point
    label = "急救中心站" if number == 0 else f"第{number}急救站"
    station = Station(
        name=f"{district.name}{label}（合成）",
        district_id=district.id,
        lon=lon,
        lat=lat,
        synthetic=True,
    )
    session.add(station)
    session.flush()
    units = rng.randint(3, 6)
    for unit in range(1, units + 1):
        out = rng.random() < 0.08
        status = VehicleStatus.OUT_OF_SERVICE if out else VehicleStatus.AVAILABLE
        session.add(
            Vehicle(
                call_sign=f"{district.code[-2:]}{number:02d}-{unit}",
                lon=lon,
                lat=lat,
                station_id=station.id,
                status=status.value,
                changed_at=now,
                change_seq=0,
                synthetic=True,
            )
        )
    return units


def _hospitals(session: Session, rng: random.Random, district: District, geometry) -> int:
    """Two synthetic hospitals in the district with 2 to 4 capabilities each."""
    capabilities = [c.value for c in Capability]
    for number in range(1, 3):
        lon, lat = _inside(rng, geometry)
        chosen = sorted(rng.sample(capabilities, rng.randint(2, 4)))
        session.add(
            Hospital(
                name=f"{district.name}第{number}医院（合成）",
                district_id=district.id,
                lon=lon,
                lat=lat,
                capabilities=",".join(chosen),
                synthetic=True,
            )
        )
    return 2


# The crew's statuses after dispatch, each some seconds (low, high) after the one before.
RUN = (
    (VehicleStatus.EN_ROUTE, 30, 120),
    (VehicleStatus.ON_SCENE, 240, 1000),
    (VehicleStatus.TRANSPORTING, 300, 900),
    (VehicleStatus.AT_HOSPITAL, 600, 1500),
    (VehicleStatus.RETURNING, 600, 1200),
    (VehicleStatus.AVAILABLE, 600, 1800),
)


def seed_incidents(session: Session, count: int, now: datetime, timezone: str) -> int:
    """Past synthetic incidents taken through dispatch to the vehicle's return."""
    if session.scalar(select(func.count(Incident.id)).where(Incident.synthetic)):
        return 0
    dispatcher = session.scalar(select(User.id).where(User.username == "ems"))
    if dispatcher is None:
        return 0
    rng = random.Random(SEED + 1)
    ctx = cache.context(session)
    start = now - timedelta(days=7)
    for called in sorted(
        start + timedelta(seconds=rng.uniform(0, 6.5 * 86400)) for _ in range(count)
    ):
        jurisdiction = rng.choice(ctx.index.jurisdictions)
        lon, lat = _inside(rng, jurisdiction.geometry)
        complaint, level, *codes = rng.choice(COMPLAINTS)
        call = incidents.Call(
            caller_phone=f"139{rng.randrange(10**8):08d}",
            lon=lon,
            lat=lat,
            complaint=f"【合成演示数据】{complaint}",
            triage_level=level,
        )
        incident = incidents.create_incident(
            session,
            actor_id=dispatcher,
            call=call,
            now=called,
            timezone=timezone,
            synthetic=True,
        )
        _run(session, rng, dispatcher, incident, called, codes)
    return count


def _run(
    session: Session,
    rng: random.Random,
    dispatcher: int,
    incident: Incident,
    called: datetime,
    codes: list[str],
) -> None:
    """Send the nearest vehicle, take it through RUN (the crew acknowledging, a patient
    recorded, the way there and to the hospital on the track) and close the incident."""
    best = fleet.recommend(
        session, lon=incident.lon, lat=incident.lat, k=1, speed_kmh=40, detour_factor=1.3
    )
    if not best:
        return
    vehicle_id = best[0].vehicle_id
    moment = called + timedelta(seconds=rng.uniform(40, 230))
    fleet.dispatch(
        session, actor_id=dispatcher, incident_id=incident.id, vehicle_ids=[vehicle_id], now=moment
    )
    for status, low, high in RUN:
        moment += timedelta(seconds=rng.uniform(low, high))
        fleet.change_status(
            session, actor_id=dispatcher, vehicle_id=vehicle_id, wanted=status, at=moment
        )
    _crew_side(session, rng, incident, vehicle_id, codes)
    incidents.close_incident(session, actor_id=dispatcher, incident_id=incident.id, now=moment)


def _crew_side(
    session: Session, rng: random.Random, incident: Incident, vehicle_id: int, codes: list[str]
) -> None:
    """What the crew's terminal would have added: the acknowledgement, the destination, the
    patient (synthetic) with the scene's vital signs, and the GPS track of both legs."""
    complaint_code, diagnosis_code = codes
    wanted = next(iter(code_flags(complaint_code, diagnosis_code)), None)
    hospital = suitable_hospitals(session, lon=incident.lon, lat=incident.lat, capability=wanted)
    with write_transaction(session):
        job = session.scalar(select(Assignment).where(Assignment.incident_id == incident.id))
        job.acknowledged_at = job.dispatched_at + timedelta(seconds=rng.uniform(6, 45))
        job.hospital = hospital[0].hospital if hospital else None
        patient = Patient(
            incident_id=incident.id,
            vehicle_id=vehicle_id,
            sex=rng.choice(["male", "female"]),
            age_years=rng.randint(2, 90),
            complaint_code=complaint_code,
            diagnosis_code=diagnosis_code,
            history=f"【合成演示数据】{incident.complaint}",
            handover_at=job.at_hospital_at,
            created_at=job.on_scene_at,
            updated_at=job.at_hospital_at,
        )
        session.add(patient)
        session.flush()
        vitals = {"sbp": rng.randint(95, 170), "dbp": rng.randint(60, 95), "phase": "scene"}
        vitals |= {"pulse": rng.randint(60, 120), "resp": rng.randint(14, 26), "spo2": 96}
        vitals |= {"temp": 36.8, "glucose": 6.1, "gcs": 15}
        session.add(
            PatientEntry(
                patient_id=patient.id,
                kind="vitals",
                at=job.on_scene_at + timedelta(minutes=3),
                values=json.dumps(vitals),
                recorded_at=job.on_scene_at + timedelta(minutes=3),
            )
        )
        _track(session, vehicle_id, incident, job)


def _track(session: Session, vehicle_id: int, incident: Incident, job: Assignment) -> None:
    """The GPS fixes of the way to the scene and on to the hospital, evenly spaced."""
    station = session.get(Vehicle, vehicle_id).station
    scene = (incident.lon, incident.lat)
    legs = [((station.lon, station.lat), scene, job.en_route_at, job.on_scene_at)]
    if job.hospital is not None:
        hospital = (job.hospital.lon, job.hospital.lat)
        legs.append((scene, hospital, job.transporting_at, job.at_hospital_at))
    for (lon0, lat0), (lon1, lat1), start, end in legs:
        for step in range(TRACK_POINTS + 1):
            share = step / TRACK_POINTS
            session.add(
                VehiclePosition(
                    vehicle_id=vehicle_id,
                    at=start + (end - start) * share,
                    lon=round(lon0 + (lon1 - lon0) * share, 6),
                    lat=round(lat0 + (lat1 - lat0) * share, 6),
                )
            )
