"""Jurisdiction polygons, loaded once and indexed for point-in-polygon routing."""

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

EARTH_RADIUS_M = 6_371_008.8

# Beijing's extent with a margin; used only to reject typos early with a clear message.
VALID_LON = (-180.0, 180.0)
VALID_LAT = (-90.0, 90.0)


@dataclass(frozen=True)
class Jurisdiction:
    """One district: its code, name and polygon in WGS84 (lon, lat)."""

    code: str
    name: str
    geometry: BaseGeometry


class JurisdictionIndex:
    """An STRtree over prepared polygons; answers 'which district is this point in?'."""

    def __init__(self, jurisdictions: Iterable[Jurisdiction]) -> None:
        # Sorted by code so that a point on a shared border always goes to the same district.
        self._items = sorted(jurisdictions, key=lambda j: j.code)
        self._geoms = [j.geometry for j in self._items]
        for geom in self._geoms:
            shapely.prepare(geom)
        self._tree = shapely.STRtree(self._geoms)
        self._by_code = {j.code: j for j in self._items}

    def __len__(self) -> int:
        return len(self._items)

    @property
    def jurisdictions(self) -> list[Jurisdiction]:
        """All jurisdictions, ordered by code."""
        return list(self._items)

    def get(self, code: str) -> Jurisdiction | None:
        """The jurisdiction with this code, if any."""
        return self._by_code.get(code)

    def locate(self, lon: float, lat: float) -> Jurisdiction | None:
        """The jurisdiction that covers the point, or None outside every polygon."""
        # The tree narrows by bounding box; the exact test runs on the prepared polygon.
        # query(predicate=...) would do both in GEOS but costs twice as much per call.
        for i in sorted(self._tree.query(Point(lon, lat)).tolist()):
            if shapely.intersects_xy(self._geoms[i], lon, lat):
                return self._items[i]
        return None

    def bounds(self) -> tuple[float, float, float, float]:
        """(min_lon, min_lat, max_lon, max_lat) of all polygons."""
        return tuple(shapely.total_bounds(self._geoms))  # type: ignore[return-value]


def load_geojson(path: Path) -> list[Jurisdiction]:
    """Read a GeoJSON FeatureCollection with `code` and `name` properties."""
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    return jurisdictions_from_features(data["features"])


def jurisdictions_from_features(features: list[dict]) -> list[Jurisdiction]:
    """Build jurisdictions from GeoJSON features (WGS84)."""
    result = []
    for feature in features:
        props = feature["properties"]
        result.append(
            Jurisdiction(
                code=str(props["code"]),
                name=str(props["name"]),
                geometry=shape(feature["geometry"]),
            )
        )
    return result


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def valid_coordinates(lon: float, lat: float) -> bool:
    """True for finite WGS84 coordinates."""
    return (
        math.isfinite(lon)
        and math.isfinite(lat)
        and VALID_LON[0] <= lon <= VALID_LON[1]
        and VALID_LAT[0] <= lat <= VALID_LAT[1]
    )
