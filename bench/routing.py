"""Point-in-district routing on the real 16 Beijing districts: µs per point.

Compares the JurisdictionIndex (STRtree over prepared polygons) with a naive loop over
unprepared shapely polygons and with geopandas `GeoSeries.contains`, on the same points.
Run: .venv/bin/python bench/routing.py [--points 20000]
"""

import argparse
import random
import sys
import time
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point, shape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hotline.core.geo import JurisdictionIndex, load_geojson  # noqa: E402

BOUNDARIES = ROOT / "gis_data" / "beijing_districts.geojson"


def timed(label: str, fn, points, repeat: int = 3) -> tuple[list, float]:
    """Best of `repeat` runs: results and µs per point."""
    best = float("inf")
    results = []
    for _ in range(repeat):
        start = time.perf_counter()
        results = [fn(lon, lat) for lon, lat in points]
        best = min(best, time.perf_counter() - start)
    per_point = best / len(points) * 1e6
    print(f"{label:<42} {per_point:9.2f} µs/point")
    return results, per_point


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=20000)
    args = parser.parse_args()
    rng = random.Random(42)
    jurisdictions = load_geojson(BOUNDARIES)
    index = JurisdictionIndex(jurisdictions)
    min_x, min_y, max_x, max_y = index.bounds()
    points = [(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)) for _ in range(args.points)]
    naive_polygons = [(j.code, shape(j.geometry.__geo_interface__)) for j in jurisdictions]
    series = gpd.GeoSeries([g for _, g in naive_polygons], crs="EPSG:4326")
    codes = [c for c, _ in naive_polygons]

    def indexed(lon, lat):
        found = index.locate(lon, lat)
        return found.code if found else None

    def naive(lon, lat):
        point = Point(lon, lat)
        for code, polygon in naive_polygons:
            if polygon.intersects(point):
                return code
        return None

    def geopandas_contains(lon, lat):
        hits = series.intersects(Point(lon, lat))
        return codes[int(hits.values.argmax())] if hits.any() else None

    print(f"{len(jurisdictions)} districts, {len(points)} random points in the city's bounding box")
    fast, fast_us = timed("JurisdictionIndex.locate (STRtree+prepared)", indexed, points)
    slow, slow_us = timed("naive loop, unprepared polygons", naive, points)
    few = points[: max(1, len(points) // 10)]
    pandas, pandas_us = timed(
        "geopandas GeoSeries.intersects per point", geopandas_contains, few, 1
    )
    inside = sum(r is not None for r in fast)
    assert fast == slow, "the index and the naive loop disagree"
    assert fast[: len(few)] == pandas, "the index and geopandas disagree"
    print(f"points inside a district: {inside} ({inside / len(points):.0%}); all methods agree")
    print(f"ratio naive/index:     {slow_us / fast_us:6.1f}x")
    print(f"ratio geopandas/index: {pandas_us / fast_us:6.1f}x")
    print(f"target <= 20 µs/point: {'met' if fast_us <= 20 else 'NOT met'}")


if __name__ == "__main__":
    main()
