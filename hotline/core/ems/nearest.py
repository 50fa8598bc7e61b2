"""The nearest available vehicles, exact in great-circle terms.

Distances are chords between 3D unit vectors: the chord grows with the great-circle
distance, so ranking by chord ranks exactly as the sphere does, where a flat projection
mis-ranks near-ties.

The available vehicles sit in the cells of a longitude/latitude grid sized so that a cell
holds about two of them. A query reads the rings of cells around the point, nearest first,
and stops once the k-th best chord is shorter than the shortest possible way out of the
cells read (a great-circle lower bound: to a parallel it is the difference in latitude, to
a meridian asin(cos(lat)·sin(Δlon))). A status change or a GPS move moves one entry between
cells: nothing is ever rebuilt except when the fleet's size changes several-fold. The
database stays the source of truth: services feed changes in.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from hotline.core.geo import EARTH_RADIUS_M

PER_CELL = 1.5  # available vehicles per cell the grid aims at
MIN_STEP, MAX_STEP = 0.002, 2.0  # degrees


def _ring(r: int) -> list[tuple[int, int]]:
    """The cell offsets at Chebyshev distance r."""
    return [
        (di, dj) for di in range(-r, r + 1) for dj in range(-r, r + 1) if max(abs(di), abs(dj)) == r
    ]


RINGS = [_ring(r) for r in range(16)]


def _clipped_ring(ci: int, cj: int, r: int, bounds: list[int]) -> list[tuple[int, int]]:
    """The cells of ring r around (ci, cj) that lie within the occupied bounds."""
    i_min, i_max, j_min, j_max = bounds
    keys = []
    for i in range(max(ci - r, i_min), min(ci + r, i_max) + 1):
        if abs(i - ci) == r:
            keys += [(i, j) for j in range(max(cj - r, j_min), min(cj + r, j_max) + 1)]
        else:
            keys += [(i, j) for j in (cj - r, cj + r) if j_min <= j <= j_max]
    return keys


def _vector(lon: float, lat: float) -> tuple[float, float, float]:
    lon_r, lat_r = math.radians(lon), math.radians(lat)
    cos_lat = math.cos(lat_r)
    return (cos_lat * math.cos(lon_r), cos_lat * math.sin(lon_r), math.sin(lat_r))


def _chord2(arc: float) -> float:
    """The squared chord of an angle (radians) on the unit sphere."""
    half = math.sin(min(arc, math.pi) / 2)
    return 4 * half * half


class Nearby(NamedTuple):
    """One recommended vehicle (a named tuple: made on every query, it must be cheap)."""

    vehicle_id: int
    distance_m: float


@dataclass(frozen=True)
class VehiclePoint:
    """What the index needs of a vehicle."""

    vehicle_id: int
    lon: float
    lat: float
    available: bool


class FleetIndex:
    """k nearest available vehicles to a point; follows status changes and moves."""

    def __init__(self, vehicles: Iterable[VehiclePoint] = ()) -> None:
        self._lonlat: dict[int, tuple[float, float]] = {}
        self._available: set[int] = set()
        for v in vehicles:
            self._lonlat[v.vehicle_id] = (v.lon, v.lat)
            if v.available:
                self._available.add(v.vehicle_id)
        self._rebuild()

    def __len__(self) -> int:
        return len(self._lonlat)

    def _rebuild(self) -> None:
        points = [self._lonlat[i] for i in self._available]
        if points:
            lons, lats = [p[0] for p in points], [p[1] for p in points]
            area = max(max(lons) - min(lons), 0.01) * max(max(lats) - min(lats), 0.01)
            step = math.sqrt(area * PER_CELL / len(points))
        else:
            step = 0.05
        self._step = min(MAX_STEP, max(MIN_STEP, step))
        self._built_for = max(1, len(points))
        self._cells: dict[tuple[int, int], dict[int, tuple[float, float, float]]] = {}
        self._cell_of: dict[int, tuple[int, int]] = {}
        self._bounds = [0, -1, 0, -1]  # i_min, i_max, j_min, j_max of cells ever used
        for vehicle_id in self._available:
            self._insert(vehicle_id)

    def _key(self, lon: float, lat: float) -> tuple[int, int]:
        return math.floor(lon / self._step), math.floor(lat / self._step)

    def _insert(self, vehicle_id: int) -> None:
        lon, lat = self._lonlat[vehicle_id]
        key = self._key(lon, lat)
        self._cells.setdefault(key, {})[vehicle_id] = _vector(lon, lat)
        self._cell_of[vehicle_id] = key
        bounds = self._bounds
        if bounds[1] < bounds[0]:
            self._bounds = [key[0], key[0], key[1], key[1]]
        else:
            bounds[0], bounds[1] = min(bounds[0], key[0]), max(bounds[1], key[0])
            bounds[2], bounds[3] = min(bounds[2], key[1]), max(bounds[3], key[1])

    def _remove(self, vehicle_id: int) -> None:
        key = self._cell_of.pop(vehicle_id, None)
        if key is not None:
            cell = self._cells[key]
            del cell[vehicle_id]
            if not cell:
                del self._cells[key]

    def _maybe_resize(self) -> None:
        count = len(self._available)
        if count > 4 * self._built_for or 4 * count < self._built_for:
            self._rebuild()

    def set_available(self, vehicle_id: int, available: bool) -> None:
        """A status change: one entry in or out of its cell."""
        if vehicle_id not in self._lonlat:
            raise KeyError(vehicle_id)
        if available and vehicle_id not in self._available:
            self._available.add(vehicle_id)
            self._insert(vehicle_id)
        elif not available and vehicle_id in self._available:
            self._available.discard(vehicle_id)
            self._remove(vehicle_id)
        self._maybe_resize()

    def move(self, vehicle_id: int, lon: float, lat: float, available: bool | None = None) -> None:
        """A new position (or a new vehicle), and its status if given."""
        self._remove(vehicle_id)
        self._lonlat[vehicle_id] = (lon, lat)
        if available is not None:
            (self._available.add if available else self._available.discard)(vehicle_id)
        if vehicle_id in self._available:
            self._insert(vehicle_id)
        self._maybe_resize()

    def remove(self, vehicle_id: int) -> None:
        """A vehicle leaves the fleet."""
        self._remove(vehicle_id)
        self._available.discard(vehicle_id)
        del self._lonlat[vehicle_id]

    def nearest(self, lon: float, lat: float, k: int = 3) -> list[Nearby]:
        """The k nearest available vehicles, nearest first; equal distances by id."""
        if k <= 0 or not self._cells:
            return []
        qx, qy, qz = _vector(lon, lat)
        step, cells = self._step, self._cells
        ci, cj = self._key(lon, lat)
        i_min, i_max, j_min, j_max = self._bounds
        lat_r, cos_lat = math.radians(lat), math.cos(math.radians(lat))
        found: list[tuple[float, int]] = []
        # Rings nearer than the occupied cells are empty: a query far from the fleet starts
        # at the first ring that can hold a vehicle.
        r = max(0, i_min - ci, ci - i_max, j_min - cj, cj - j_max)
        while True:
            inside = ci - r >= i_min and ci + r <= i_max and cj - r >= j_min and cj + r <= j_max
            if inside and r < len(RINGS):
                keys = [(ci + di, cj + dj) for di, dj in RINGS[r]]
            else:
                keys = _clipped_ring(ci, cj, r, self._bounds)
            for key in keys:
                cell = cells.get(key)
                if cell:
                    for vid, (x, y, z) in cell.items():
                        dx, dy, dz = x - qx, y - qy, z - qz
                        found.append((dx * dx + dy * dy + dz * dz, vid))
            if ci - r <= i_min and ci + r >= i_max and cj - r <= j_min and cj + r >= j_max:
                break  # every occupied cell has been read
            if len(found) >= k:
                found.sort()
                # The shortest way out of the cells read so far.
                south = lat_r - math.radians((cj - r) * step)
                north = math.radians((cj + r + 1) * step) - lat_r
                west = math.radians(lon - (ci - r) * step)
                east = math.radians((ci + r + 1) * step - lon)
                sideways = math.asin(min(1.0, cos_lat * math.sin(min(west, east, math.pi / 2))))
                # (a hair less than the bound, so that rounding never cuts off a tie)
                if _chord2(min(south, north, sideways)) * (1 - 1e-9) > found[k - 1][0]:
                    break
            r += 1
        found.sort()
        return [
            Nearby(vid, 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(d2) / 2)))
            for d2, vid in found[:k]
        ]


def estimated_minutes(distance_m: float, speed_kmh: float, detour_factor: float) -> float:
    """An estimate of the driving time: great-circle distance times a detour factor, at an
    average speed. Shown as an estimate, never as a route."""
    if speed_kmh <= 0 or detour_factor < 1:
        raise ValueError("speed must be positive and the detour factor at least 1")
    return distance_m * detour_factor / (speed_kmh * 1000 / 60)
