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
from hotline.services.ems import fleet
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
    capabilities = [c.value for c in Capability]
    stations = vehicles = hospitals = 0
    with write_transaction(session):
        for district in session.scalars(select(District).order_by(District.code)):
            geometry = ctx.index.get(district.code).geometry
            seat = (district.label_lon, district.label_lat)
            if seat[0] is None:
                seat = _inside(rng, geometry)
            points = [seat] + [_inside(rng, geometry) for _ in range(rng.randint(2, 4))]
            for number, (lon, lat) in enumerate(points):
                label = "急救中心站" if number == 0 else f"第{number}急救站"
                station = Station(
                    name=f"{district.name}{label}（合成）", district_id=district.id, lon=lon,
                    lat=lat, synthetic=True,
                )  # fmt: skip
                session.add(station)
                session.flush()
                stations += 1
                for unit in range(1, rng.randint(3, 6) + 1):
                    status = "out_of_service" if rng.random() < 0.08 else "available"
                    session.add(
                        Vehicle(
                            call_sign=f"{district.code[-2:]}{number:02d}-{unit}", lon=lon,
                            lat=lat, station_id=station.id, status=status, changed_at=now,
                            change_seq=0, synthetic=True,
                        )
                    )  # fmt: skip
                    vehicles += 1
            for number in range(1, 3):
                lon, lat = _inside(rng, geometry)
                chosen = sorted(rng.sample(capabilities, rng.randint(2, 4)))
                session.add(
                    Hospital(
                        name=f"{district.name}第{number}医院（合成）", district_id=district.id,
                        lon=lon, lat=lat, capabilities=",".join(chosen), synthetic=True,
                    )
                )  # fmt: skip
                hospitals += 1
    fleet.forget_indexes()
    return stations, vehicles, hospitals


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
        incident = fleet.create_incident(
            session, dispatcher, f"139{rng.randrange(10**8):08d}", lon, lat,
            f"【合成演示数据】{complaint}", level, called, timezone, synthetic=True,
        )  # fmt: skip
        best = fleet.recommend(session, lon, lat, 1, 40, 1.3)
        if not best:
            continue
        moment = called + timedelta(seconds=rng.uniform(40, 230))
        fleet.dispatch(session, dispatcher, incident.id, [best[0].vehicle_id], moment)
        for status, low, high in (
            (VehicleStatus.EN_ROUTE, 30, 120), (VehicleStatus.ON_SCENE, 240, 1000),
            (VehicleStatus.TRANSPORTING, 300, 900), (VehicleStatus.AT_HOSPITAL, 600, 1500),
            (VehicleStatus.RETURNING, 600, 1200), (VehicleStatus.AVAILABLE, 600, 1800),
        ):  # fmt: skip
            moment += timedelta(seconds=rng.uniform(low, high))
            fleet.change_status(session, dispatcher, best[0].vehicle_id, status, moment)
        fleet.close_incident(session, dispatcher, incident.id, moment)
    return count
