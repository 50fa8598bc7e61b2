"""Tile files written in a test: a small raster MBTiles of plain PNG tiles around
Tiananmen, and vector MBTiles and PMTiles made by tilemaker from an OpenStreetMap extract
around 工人体育场 written with pyosmium."""

import io
import math
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

TIANANMEN = (116.3975, 39.9087)


def tile_of(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """The XYZ tile holding a point."""
    n = 1 << zoom
    x = int((lon + 180) / 360 * n)
    rad = math.radians(lat)
    y = int((1 - math.log(math.tan(rad) + 1 / math.cos(rad)) / math.pi) / 2 * n)
    return x, y


def write(path: Path, zooms=range(8, 13), around: int = 2, kind: str = "png") -> Path:
    """Tiles of a plain colour at `zooms`, `around` tiles each side of Tiananmen's."""
    image = io.BytesIO()
    Image.new("RGB", (256, 256), (232, 226, 214)).save(image, "PNG")
    png = image.getvalue()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        db.execute(
            "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
            "tile_data BLOB)"
        )
        meta = {"name": "test", "format": kind, "attribution": "合成测试底图"}
        db.executemany("INSERT INTO metadata VALUES (?, ?)", meta.items())
        for zoom in zooms:
            cx, cy = tile_of(*TIANANMEN, zoom)
            for x in range(cx - around, cx + around + 1):
                for y in range(cy - around, cy + around + 1):
                    row = (1 << zoom) - 1 - y  # MBTiles rows count from the bottom
                    db.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (zoom, x, row, png))
    return path


# --- Vector tiles from a tiny OpenStreetMap extract (deploy/basemap/osm_vector_tiles.sh) ---

GONGTI = (116.447, 39.930)  # 工人体育场
TILEMAKER = Path("/usr/bin/tilemaker")
SCRIPT = Path(__file__).resolve().parents[1] / "deploy" / "basemap" / "osm_vector_tiles.sh"
# Ways around the stadium: (OSM id, tags, [(lon, lat), ...]); a closed way repeats its start.
WAYS = [
    (1, {"highway": "primary", "name": "工人体育场北路"}, [(116.436, 39.9335), (116.458, 39.9335)]),
    (
        2,
        {"highway": "secondary", "name": "工人体育场东路"},
        [(116.4525, 39.924), (116.4525, 39.937)],
    ),
    (
        3,
        {"highway": "secondary", "name": "工人体育场西路"},
        [(116.4415, 39.924), (116.4415, 39.937)],
    ),
    (
        4,
        {"highway": "tertiary", "name": "Sanlitun Road", "name:zh": "三里屯路"},
        [(116.4555, 39.924), (116.4555, 39.940)],
    ),
    (5, {"highway": "residential", "name": "工体南路"}, [(116.436, 39.9262), (116.458, 39.9262)]),
    (
        6,
        {"leisure": "park", "name": "工体公园"},
        [
            (116.4430, 39.9275),
            (116.4510, 39.9275),
            (116.4510, 39.9325),
            (116.4430, 39.9325),
            (116.4430, 39.9275),
        ],
    ),
]
PLACE = {"place": "suburb", "name": "三里屯"}, (116.455, 39.936)
_built: dict[str, tuple[Path, Path]] = {}


def write_osm(path: Path) -> Path:
    """The ways and place above as an .osm.pbf whose header carries its bounding box."""
    import osmium  # a dev dependency: only the tests that build tiles import it

    header = osmium.io.Header()
    header.add_box(
        osmium.osm.Box(osmium.osm.Location(116.43, 39.92), osmium.osm.Location(116.46, 39.94))
    )
    ids: dict[tuple[float, float], int] = {}
    for _way, _tags, points in WAYS:
        for point in points:
            ids.setdefault(point, len(ids) + 1)
    with osmium.SimpleWriter(str(path), header=header) as writer:
        for (lon, lat), node_id in ids.items():
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=(lon, lat), version=1))
        tags, point = PLACE
        writer.add_node(
            osmium.osm.mutable.Node(id=len(ids) + 1, location=point, version=1, tags=tags)
        )
        for way_id, way_tags, points in WAYS:
            refs = [ids[p] for p in points]
            writer.add_way(osmium.osm.mutable.Way(id=way_id, nodes=refs, tags=way_tags, version=1))
    return path


def vector_tiles(tmp_path_factory) -> tuple[Path, Path]:
    """(MBTiles, PMTiles) of the extract, made by deploy/basemap/osm_vector_tiles.sh with
    Debian's tilemaker: once per test process (about a second at zoom 13)."""
    if "files" not in _built:
        if not TILEMAKER.exists():
            pytest.skip("/usr/bin/tilemaker is missing (apt-get install tilemaker; make does)")
        folder = tmp_path_factory.mktemp("osm_tiles")
        extract = write_osm(folder / "gongti.osm.pbf")
        # pmtiles-convert is in this venv's bin; MAXZOOM 13: see the script.
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
        env = {**os.environ, "PATH": path, "MAXZOOM": "13"}
        out = folder / "gongti.pmtiles"
        subprocess.run(
            [str(SCRIPT), str(extract), str(out)], check=True, capture_output=True, env=env
        )
        _built["files"] = (folder / "gongti.mbtiles", out)
    return _built["files"]
