"""Jurisdiction polygons, loaded once and indexed for point-in-polygon routing."""

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
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
    """Answers 'which district is this point in?' in a few microseconds.

    An STRtree over prepared polygons classifies the cells of a grid over the city once:
    a cell strictly inside one polygon answers at once; a border cell keeps its few
    candidate polygons for an exact test; an empty cell answers 'outside'. Per point the
    work is two multiplications and, near a border, one prepared point-in-polygon test.
    """

    def __init__(self, jurisdictions: Iterable[Jurisdiction], grid_size: int = 64) -> None:
        # Sorted by code so that a point on a shared border always goes to the same district.
        self._items = sorted(jurisdictions, key=lambda j: j.code)
        self._geoms = [j.geometry for j in self._items]
        for geom in self._geoms:
            shapely.prepare(geom)
        self._tree = shapely.STRtree(self._geoms)
        self._by_code = {j.code: j for j in self._items}
        self._build_grid(grid_size)

    def _build_grid(self, n: int) -> None:
        self._n = n
        self._cells: list[int | tuple[int, ...] | None] = [None] * (n * n)
        if not self._geoms:
            self._min_x = self._min_y = self._max_x = self._max_y = 0.0
            self._scale_x = self._scale_y = 0.0
            return
        min_x, min_y, max_x, max_y = (float(v) for v in shapely.total_bounds(self._geoms))
        self._min_x, self._min_y, self._max_x, self._max_y = min_x, min_y, max_x, max_y
        width, height = (max_x - min_x) / n, (max_y - min_y) / n
        self._scale_x, self._scale_y = 1 / width, 1 / height
        cols, rows = np.meshgrid(np.arange(n), np.arange(n))
        cols, rows = cols.ravel(), rows.ravel()
        boxes = shapely.box(
            min_x + cols * width,
            min_y + rows * height,
            min_x + (cols + 1) * width,
            min_y + (rows + 1) * height,
        )
        cell_ids, geom_ids = self._tree.query(boxes, predicate="intersects")
        candidates: dict[int, list[int]] = {}
        for cell, geom in zip(cell_ids.tolist(), geom_ids.tolist(), strict=True):
            candidates.setdefault(cell, []).append(geom)
        for cell, geoms in candidates.items():
            geoms.sort()
            if len(geoms) == 1 and shapely.contains_properly(self._geoms[geoms[0]], boxes[cell]):
                self._cells[cell] = geoms[0]
            else:
                self._cells[cell] = tuple(geoms)

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
        if not (self._min_x <= lon <= self._max_x and self._min_y <= lat <= self._max_y):
            return None
        col = min(int((lon - self._min_x) * self._scale_x), self._n - 1)
        row = min(int((lat - self._min_y) * self._scale_y), self._n - 1)
        cell = self._cells[row * self._n + col]
        if cell is None:
            return None
        if isinstance(cell, int):
            return self._items[cell]
        for i in cell:
            if shapely.intersects_xy(self._geoms[i], lon, lat):
                return self._items[i]
        return None

    def locate_exhaustive(self, lon: float, lat: float) -> Jurisdiction | None:
        """The same answer as locate(), from the STRtree alone (for checks and benchmarks)."""
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
