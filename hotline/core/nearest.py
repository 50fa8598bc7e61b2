"""The nearest available vehicles, exact in great-circle terms.

Positions become 3D unit vectors: the straight-line (chord) distance between two of them
grows with the great-circle distance, so a k-d tree over the vectors ranks vehicles exactly
as the sphere does, where a flat projection mis-ranks near-ties.

The tree holds every vehicle's position at build time. Availability is a mask, so a status
change costs O(1); a vehicle that moved since the build is left out of the tree's answers
and searched directly among the (few) moved ones; the tree is rebuilt once enough have
moved. The database stays the source of truth: services feed changes in.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from hotline.core.geo import EARTH_RADIUS_M

MIN_MOVED_BEFORE_REBUILD = 64


def unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """(n, 3) unit vectors for longitudes and latitudes in degrees."""
    lon_r, lat_r = np.radians(lon), np.radians(lat)
    cos_lat = np.cos(lat_r)
    return np.column_stack((cos_lat * np.cos(lon_r), cos_lat * np.sin(lon_r), np.sin(lat_r)))


@dataclass(frozen=True)
class Nearby:
    """One recommended vehicle."""

    vehicle_id: int
    distance_m: float


@dataclass(frozen=True)
class VehiclePoint:
    """What the index needs of a vehicle."""

    vehicle_id: int
    lon: float
    lat: float
    available: bool


def _vector(lon: float, lat: float) -> tuple[float, float, float]:
    lon_r, lat_r = math.radians(lon), math.radians(lat)
    cos_lat = math.cos(lat_r)
    return (cos_lat * math.cos(lon_r), cos_lat * math.sin(lon_r), math.sin(lat_r))


def _arc_m(chord: float) -> float:
    """The great-circle distance for a chord of the unit sphere, in metres."""
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, chord / 2))


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
        ids = np.fromiter(self._lonlat, dtype=np.int64, count=len(self._lonlat))
        coords = np.array(list(self._lonlat.values()), dtype=float).reshape(-1, 2)
        self._ids = ids
        self._row = dict(zip(ids.tolist(), range(len(ids)), strict=True))
        self._tree = cKDTree(unit_vectors(coords[:, 0], coords[:, 1])) if len(ids) else None
        self._usable = np.isin(ids, np.fromiter(self._available, dtype=np.int64))
        # Vehicles that moved since the build, searched directly: slot arrays, no copies.
        capacity = max(MIN_MOVED_BEFORE_REBUILD, len(ids) // 16) + 1
        self._slot: dict[int, int] = {}
        self._moved_ids = np.zeros(capacity, dtype=np.int64)
        self._moved_vecs = np.zeros((capacity, 3))
        self._moved_usable = np.zeros(capacity, dtype=bool)

    def set_available(self, vehicle_id: int, available: bool) -> None:
        """A status change: O(1)."""
        if vehicle_id not in self._lonlat:
            raise KeyError(vehicle_id)
        (self._available.add if available else self._available.discard)(vehicle_id)
        slot = self._slot.get(vehicle_id)
        if slot is not None:
            self._moved_usable[slot] = available
        else:
            row = self._row.get(vehicle_id)
            if row is not None:
                self._usable[row] = available

    def move(self, vehicle_id: int, lon: float, lat: float, available: bool | None = None) -> None:
        """A new position (or a new vehicle); rebuilds the tree once enough have moved."""
        self._lonlat[vehicle_id] = (lon, lat)
        if available is not None:
            (self._available.add if available else self._available.discard)(vehicle_id)
        row = self._row.get(vehicle_id)
        if row is not None:
            self._usable[row] = False  # the tree's position is stale: searched directly
        slot = self._slot.get(vehicle_id)
        if slot is None:
            if len(self._slot) + 1 >= len(self._moved_ids):
                self._rebuild()
                return
            slot = self._slot[vehicle_id] = len(self._slot)
        self._moved_ids[slot] = vehicle_id
        self._moved_vecs[slot] = _vector(lon, lat)
        self._moved_usable[slot] = vehicle_id in self._available

    def remove(self, vehicle_id: int) -> None:
        """A vehicle leaves the fleet."""
        self.move(vehicle_id, 0.0, 0.0, available=False)
        del self._lonlat[vehicle_id]
        self._rebuild()

    def nearest(self, lon: float, lat: float, k: int = 3) -> list[Nearby]:
        """The k nearest available vehicles, nearest first; equal distances by id."""
        if k <= 0:
            return []
        query = _vector(lon, lat)
        found = self._from_tree(query, k)
        if self._slot:
            found += self._from_moved(query, k)
        found.sort()
        return [Nearby(vid, _arc_m(chord)) for chord, vid in found[:k]]

    def _from_tree(self, query: tuple[float, float, float], k: int) -> list[tuple[float, int]]:
        if self._tree is None:
            return []
        total = len(self._ids)
        wanted = min(total, max(4 * k, 16))
        while True:
            distances, rows = self._tree.query(query, k=wanted)
            distances, rows = np.atleast_1d(distances), np.atleast_1d(rows)
            keep = self._usable[rows]
            if wanted >= total:
                break
            hits = distances[keep]
            # Enough, and no tie with the k-th could hide beyond what was returned.
            if len(hits) >= k and distances[-1] > hits[k - 1]:
                break
            wanted = min(total, wanted * 4)
        return list(zip(distances[keep].tolist(), self._ids[rows[keep]].tolist(), strict=True))

    def _from_moved(self, query: tuple[float, float, float], k: int) -> list[tuple[float, int]]:
        count = len(self._slot)
        usable = self._moved_usable[:count]
        diff = self._moved_vecs[:count][usable] - query
        squared = np.einsum("ij,ij->i", diff, diff)
        ids = self._moved_ids[:count][usable]
        if len(squared) > k:
            # The k smallest and everything tied with the k-th (ties are then broken by id).
            keep = squared <= np.partition(squared, k - 1)[k - 1]
            squared, ids = squared[keep], ids[keep]
        return list(zip(np.sqrt(squared).tolist(), ids.tolist(), strict=True))


def estimated_minutes(distance_m: float, speed_kmh: float, detour_factor: float) -> float:
    """An estimate of the driving time: great-circle distance times a detour factor, at an
    average speed. Shown as an estimate, never as a route."""
    if speed_kmh <= 0 or detour_factor < 1:
        raise ValueError("speed must be positive and the detour factor at least 1")
    return distance_m * detour_factor / (speed_kmh * 1000 / 60)
