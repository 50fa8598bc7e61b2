"""A synthetic day of orders with planted hotspots, for the hotspot test and bench/hotspots.py.

Orders are spread at random over Beijing in 20 categories (a day of the
hotline: 60,000 by default), and each planted cluster puts `size` orders of one category
within `spread_m` metres of a point within a few hours. Rows are inserted in bulk and marked
synthetic.
"""

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from hotline.database import column_defaults
from hotline.models import Category, Department, WorkOrder

WEST, SOUTH, EAST, NORTH = 115.7, 39.6, 117.2, 40.6  # Beijing's extent
URBAN = (116.2, 39.8, 116.6, 40.05)  # where the clusters are planted


@dataclass(frozen=True)
class Planted:
    """One planted cluster: its category, centre and member order numbers."""

    category_id: int
    lon: float
    lat: float
    numbers: frozenset[str]


def leaf_categories(session, count: int = 20) -> list[int]:
    """The first `count` routable minor categories."""
    query = select(Category.id).where(Category.parent_id.is_not(None)).order_by(Category.code)
    return list(session.scalars(query.limit(count)))


def generate(
    session,
    *,
    start: datetime,
    orders: int = 60_000,
    clusters: int = 10,
    size: int = 8,
    spread_m: float = 150.0,
    seed: int = 7,
    prefix: str = "H",
) -> list[Planted]:
    """Insert a day of orders from `start` with `clusters` planted; the planted clusters."""
    rng = random.Random(seed)
    categories = leaf_categories(session)
    department_id = session.scalar(select(Department.id).limit(1))
    table = WorkOrder.__table__
    fixed = {
        **column_defaults(table),
        "channel": "phone",
        "order_type": "complaint",
        "description": "合成热点测试工单",
        "department_id": department_id,
        "time_limit": 15,
        "state": "routed",
        "synthetic": True,
    }
    rows, planted = [], []
    for c in range(clusters):
        category_id = categories[c % len(categories)]
        lon, lat = rng.uniform(URBAN[0], URBAN[2]), rng.uniform(URBAN[1], URBAN[3])
        hour = rng.uniform(0, 20)
        numbers = []
        for k in range(size):
            d_lon, d_lat = _jitter(rng, lat, spread_m)
            at = start + timedelta(hours=hour + rng.uniform(0, 3))
            number = f"{prefix}C{c:02d}{k:03d}"
            numbers.append(number)
            rows.append(_row(fixed, number, category_id, lon + d_lon, lat + d_lat, at))
        planted.append(Planted(category_id, lon, lat, frozenset(numbers)))
    for i in range(orders - clusters * size):
        at = start + timedelta(seconds=rng.uniform(0, 86_400))
        lon, lat = rng.uniform(WEST, EAST), rng.uniform(SOUTH, NORTH)
        rows.append(_row(fixed, f"{prefix}{i:08d}", rng.choice(categories), lon, lat, at))
    rows.sort(key=lambda r: r["created_at"])  # ids in arrival order, as at the hotline
    connection = session.connection()
    for i in range(0, len(rows), 20_000):
        connection.execute(table.insert(), rows[i : i + 20_000])
    session.commit()
    return planted


def _jitter(rng: random.Random, lat: float, spread_m: float) -> tuple[float, float]:
    """A random offset within `spread_m` metres, in degrees."""
    r = spread_m * math.sqrt(rng.random())
    angle = rng.uniform(0, 2 * math.pi)
    d_lat = math.degrees(r * math.sin(angle) / 6_371_008.8)
    d_lon = math.degrees(r * math.cos(angle) / 6_371_008.8) / math.cos(math.radians(lat))
    return d_lon, d_lat


def _row(fixed: dict, number: str, category_id: int, lon: float, lat: float, at: datetime):
    return {
        **fixed,
        "number": number,
        "category_id": category_id,
        "lon": lon,
        "lat": lat,
        "created_at": at,
        "updated_at": at,
        "routed_at": at,
        "due_at": at + timedelta(days=15),
        "warn_at": at + timedelta(days=12),
    }
