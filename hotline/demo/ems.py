"""Synthetic 120 demo data on the real district polygons: stations, ambulances, hospitals and
past incidents with full timelines. Everything here is labelled 合成 (synthetic)."""

import random
from datetime import datetime, timedelta

from shapely.geometry import Point
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.core.ems.vehicles import VehicleStatus
from hotline.core.ems.vocabulary import Capability
from hotline.database import write_transaction
from hotline.models import District, Hospital, Incident, Station, User, Vehicle
from hotline.services.ems import fleet, incidents
from hotline.services.reference import cache

SEED = 120
COMPLAINTS = [
    ("胸痛伴大汗30分钟", 1), ("突发意识不清", 1), ("车祸外伤，腿部出血", 2),
    ("高热抽搐（儿童）", 2), ("孕妇腹痛见红", 2), ("老人跌倒后无法站立", 3), ("呼吸困难", 1),
    ("腹痛呕吐", 3), ("头晕乏力", 4), ("烫伤（手臂）", 3),
]  # fmt: skip


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
        complaint, level = rng.choice(COMPLAINTS)
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
        _run(session, rng, dispatcher, incident, called)
    return count


def _run(
    session: Session, rng: random.Random, dispatcher: int, incident: Incident, called: datetime
) -> None:
    """Send the nearest vehicle, take it through RUN and close the incident."""
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
    incidents.close_incident(session, actor_id=dispatcher, incident_id=incident.id, now=moment)
