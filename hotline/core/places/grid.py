"""Reverse lookup's grid: the nearest named place to a point, exact in great-circle terms.

Places carry the cell of a longitude/latitude grid (CELL degrees); a query reads the square
of cells around the point, ring by ring, and stops once the nearest place found is nearer
than the shortest way out of the square (the same great-circle bound as the 120 index in
`core/ems/nearest.py`: to a parallel the difference in latitude, to a meridian
asin(cos(lat)·sin(Δlon))). The database holds the cells; this module only does the sums.
"""

import math

from hotline.core.geo import EARTH_RADIUS_M

CELL = 0.01  # degrees: about 1.1 km north-south, 0.85 km east-west in Beijing


def cell_of(lon: float, lat: float) -> tuple[int, int]:
    """The (x, y) cell of a point."""
    return math.floor(lon / CELL), math.floor(lat / CELL)


def square(lon: float, lat: float, r: int) -> tuple[int, int, int, int]:
    """The cells within r rings of the point's cell: x_min, x_max, y_min, y_max."""
    x, y = cell_of(lon, lat)
    return x - r, x + r, y - r, y + r


def way_out_m(lon: float, lat: float, r: int) -> float:
    """A lower bound of the distance from the point to any place outside its r-ring square."""
    x, y = cell_of(lon, lat)
    south = math.radians(lat - (y - r) * CELL)
    north = math.radians((y + r + 1) * CELL - lat)
    west = math.radians(lon - (x - r) * CELL)
    east = math.radians((x + r + 1) * CELL - lon)
    sideways = math.asin(
        min(1.0, math.cos(math.radians(lat)) * math.sin(min(west, east, math.pi / 2)))
    )
    return EARTH_RADIUS_M * min(south, north, sideways)


def rings_for(radius_m: float, lat: float) -> int:
    """How many rings a search of `radius_m` may need at latitude `lat` (at least 1)."""
    metres_per_cell = EARTH_RADIUS_M * math.radians(CELL) * max(math.cos(math.radians(lat)), 0.01)
    return max(1, math.ceil(radius_m / metres_per_cell) + 1)
