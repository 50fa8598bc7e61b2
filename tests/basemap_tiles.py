"""A small raster MBTiles file written in a test: PNG tiles around Tiananmen, synthetic."""

import io
import math
import sqlite3
from pathlib import Path

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
