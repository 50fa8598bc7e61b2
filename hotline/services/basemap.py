"""Tiles from the configured MBTiles file (raster): read-only, one connection per process."""

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from hotline.core.basemap import RASTER_FORMATS, BasemapError, tms_row


@dataclass(frozen=True)
class TileFile:
    """What the map needs to know of a tile file."""

    path: Path
    media_type: str
    min_zoom: int
    max_zoom: int
    attribution: str


_lock = threading.Lock()
_open: dict[Path, sqlite3.Connection] = {}


def _connection(path: Path) -> sqlite3.Connection:
    with _lock:
        if path not in _open:
            uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
            _open[path] = sqlite3.connect(uri, uri=True, check_same_thread=False)
        return _open[path]


def describe(path: Path) -> TileFile:
    """The tile file's format and zoom range from its metadata; BasemapError if it is not
    a raster MBTiles file this server can serve."""
    if not path.is_file():
        raise BasemapError(f"BASEMAP_FILE {path} does not exist")
    try:
        rows = dict(_connection(path).execute("SELECT name, value FROM metadata").fetchall())
        zooms = (
            _connection(path)
            .execute("SELECT min(zoom_level), max(zoom_level) FROM tiles")
            .fetchone()
        )
    except sqlite3.Error as exc:
        raise BasemapError(f"BASEMAP_FILE {path} is not an MBTiles file: {exc}") from exc
    kind = str(rows.get("format", "png")).lower()
    if kind not in RASTER_FORMATS:
        raise BasemapError(
            f"BASEMAP_FILE holds {kind} tiles: only raster tiles (png, jpg, webp) are served"
        )
    low, high = (zooms[0] or 0), (zooms[1] or 0)
    return TileFile(
        path, RASTER_FORMATS[kind], int(low), int(high), str(rows.get("attribution", ""))
    )


def tile(path: Path, zoom: int, x: int, y: int) -> bytes | None:
    """One tile's bytes (XYZ numbering), or None when the file has none there."""
    row = (
        _connection(path)
        .execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            (zoom, x, tms_row(zoom, y)),
        )
        .fetchone()
    )
    return None if row is None else bytes(row[0])
