"""Finding hotspots: at least N orders of one category within R metres and T hours.

Pure: a grid of cells R metres wide over the points, so that a point's neighbours are in
its own and the eight cells around it; distances are great-circle metres (haversine).
Only the points that are new since the last run start a search (incremental); the older
points of the window are there to be found as their neighbours.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from hotline.core.geo import EARTH_RADIUS_M, haversine_m

# Folds a cell's (column, row) into one integer: rows of a city never reach 2**31.
_CODE = 2**32


@dataclass(frozen=True)
class Rule:
    """When orders make a hotspot: at least `min_orders` within `radius_m` and `window`."""

    min_orders: int = 5
    radius_m: float = 300.0
    window: timedelta = timedelta(hours=24)

    def __post_init__(self) -> None:
        if self.min_orders < 2 or self.radius_m <= 0 or self.window <= timedelta(0):
            raise ValueError("a hotspot needs two orders or more, a radius and a window")


@dataclass(frozen=True)
class Sighting:
    """One order as the search sees it: its id, where and when."""

    order_id: int
    lon: float
    lat: float
    at: datetime


@dataclass(frozen=True)
class Cluster:
    """Orders that belong together: their ids, centre (mean point) and time span."""

    members: frozenset[int]
    lon: float
    lat: float
    first_at: datetime
    last_at: datetime


class Grid:
    """Points bucketed into cells about `radius_m` wide (longitude scaled at the set's
    pole-ward latitude), so that every neighbour within the radius is in the 3 x 3 cells
    around. Given `around`, only the cells next to those points are filled: the others
    can hold no neighbour of theirs (the cells are computed at once with numpy)."""

    def __init__(
        self,
        points: Sequence[Sighting],
        radius_m: float,
        around: Sequence[Sighting] | None = None,
    ) -> None:
        self._dlat = math.degrees(radius_m / EARTH_RADIUS_M)
        pole = max((abs(p.lat) for p in points), default=0.0)
        self._dlon = self._dlat / max(math.cos(math.radians(min(pole, 89.0))), 1e-6)
        self._cells: dict[tuple[int, int], list[Sighting]] = defaultdict(list)
        if not points:
            return
        lon = np.fromiter((p.lon for p in points), float, len(points))
        lat = np.fromiter((p.lat for p in points), float, len(points))
        cols = np.floor(lon / self._dlon).astype(np.int64)
        rows = np.floor(lat / self._dlat).astype(np.int64)
        keep = np.arange(len(points))
        if around is not None:
            wanted = {
                (i + di, j + dj)
                for i, j in map(self._key, around)
                for di in (-1, 0, 1)
                for dj in (-1, 0, 1)
            }
            codes = cols * _CODE + rows
            chosen = np.fromiter((i * _CODE + j for i, j in wanted), np.int64, len(wanted))
            keep = np.nonzero(np.isin(codes, chosen))[0]
        for k in keep.tolist():
            self._cells[(int(cols[k]), int(rows[k]))].append(points[k])

    def _key(self, point: Sighting) -> tuple[int, int]:
        return math.floor(point.lon / self._dlon), math.floor(point.lat / self._dlat)

    def around(self, point: Sighting) -> Iterable[Sighting]:
        """The points in the 3 x 3 cells around `point`'s."""
        i, j = self._key(point)
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                yield from self._cells.get((i + di, j + dj), ())


def neighbours(grid: Grid, point: Sighting, rule: Rule) -> list[Sighting]:
    """The points within the rule's radius and window of `point` (itself included)."""
    return [
        other
        for other in grid.around(point)
        if abs(other.at - point.at) <= rule.window
        and haversine_m(point.lon, point.lat, other.lon, other.lat) <= rule.radius_m
    ]


def find(points: Sequence[Sighting], new_ids: Iterable[int], rule: Rule) -> list[Cluster]:
    """The clusters the new points take part in: each new point with enough neighbours
    makes a group, and groups that share an order are one cluster."""
    by_id = {p.order_id: p for p in points}
    starts = [by_id[i] for i in new_ids if i in by_id]
    if not starts:
        return []
    grid = Grid(points, rule.radius_m, around=starts)
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    grouped: set[int] = set()
    for point in starts:
        order_id = point.order_id
        near = neighbours(grid, point, rule)
        if len(near) < rule.min_orders:
            continue
        for other in near:
            parent[root(other.order_id)] = root(order_id)
            grouped.add(other.order_id)
    groups: dict[int, list[Sighting]] = defaultdict(list)
    for order_id in grouped:
        groups[root(order_id)].append(by_id[order_id])
    return [_cluster(members) for members in groups.values()]


def _cluster(members: list[Sighting]) -> Cluster:
    return Cluster(
        members=frozenset(p.order_id for p in members),
        lon=sum(p.lon for p in members) / len(members),
        lat=sum(p.lat for p in members) / len(members),
        first_at=min(p.at for p in members),
        last_at=max(p.at for p in members),
    )


def same_place(a_lon: float, a_lat: float, b_lon: float, b_lat: float, rule: Rule) -> bool:
    """Whether two hotspots' centres are close enough to be one hotspot."""
    return haversine_m(a_lon, a_lat, b_lon, b_lat) <= rule.radius_m
