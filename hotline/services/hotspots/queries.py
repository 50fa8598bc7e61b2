"""Reading hotspots: the list page, the API and the maps' layer."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Hotspot, HotspotOrder, WorkOrder

MAX_LISTED = 500


@dataclass(frozen=True)
class HotspotView:
    """A hotspot with its member orders' numbers (oldest first)."""

    hotspot: Hotspot
    numbers: list[str]


def since(
    session: Session, moment: datetime | None, *, open_only: bool = False
) -> list[HotspotView]:
    """Hotspots raised or grown since `moment` (all when None), newest change first."""
    query = select(Hotspot).order_by(Hotspot.updated_at.desc(), Hotspot.id.desc())
    if moment is not None:
        query = query.where(Hotspot.updated_at >= moment)
    if open_only:
        query = query.where(Hotspot.state == "open")
    hotspots = list(session.scalars(query.limit(MAX_LISTED)))
    numbers: dict[int, list[str]] = {h.id: [] for h in hotspots}
    if hotspots:
        rows = session.execute(
            select(HotspotOrder.hotspot_id, WorkOrder.number)
            .join(WorkOrder, WorkOrder.id == HotspotOrder.order_id)
            .where(HotspotOrder.hotspot_id.in_(list(numbers)))
            .order_by(WorkOrder.created_at)
        )
        for hotspot_id, number in rows:
            numbers[hotspot_id].append(number)
    return [HotspotView(h, numbers[h.id]) for h in hotspots]


def open_now(session: Session, limit: int = 20) -> list[HotspotView]:
    """The open hotspots, largest first (the wallboard's map)."""
    query = (
        select(Hotspot)
        .where(Hotspot.state == "open")
        .order_by(Hotspot.order_count.desc(), Hotspot.id)
        .limit(limit)
    )
    return [HotspotView(h, []) for h in session.scalars(query)]


def marker(view: HotspotView) -> dict:
    """A hotspot as a dot on a map: where, how wide, and a plain-text label."""
    h = view.hotspot
    return {
        "lon": round(h.lon, 6),
        "lat": round(h.lat, 6),
        "radius_m": h.radius_m,
        "label": f"{h.category.name} · {h.order_count}",
    }


def document(view: HotspotView) -> dict:
    """One hotspot as the API and the map layer give it."""
    h = view.hotspot
    return {
        "id": h.id,
        "state": h.state,
        "category": {"code": h.category.code, "name": h.category.name},
        "district": None
        if h.district is None
        else {"code": h.district.code, "name": h.district.name},
        "lon": round(h.lon, 6),
        "lat": round(h.lat, 6),
        "radius_m": h.radius_m,
        "orders": h.order_count,
        "growth": h.last_growth,
        "first_at": h.first_at.isoformat(),
        "last_at": h.last_at.isoformat(),
        "updated_at": h.updated_at.isoformat(),
        "order_numbers": view.numbers,
    }


def feature_collection(views: list[HotspotView]) -> dict:
    """The hotspots as GeoJSON points (radius, state and a plain-text label)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [v.hotspot.lon, v.hotspot.lat]},
                "properties": {
                    "id": v.hotspot.id,
                    "state": v.hotspot.state,
                    "radius_m": v.hotspot.radius_m,
                    "label": f"{v.hotspot.category.name} · {v.hotspot.order_count}",
                },
            }
            for v in views
        ],
    }
