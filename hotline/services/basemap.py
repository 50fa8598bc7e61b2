"""Tiles from the configured tile file, MBTiles or PMTiles, raster or vector: read-only,
opened once per process."""

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from hotline.core.basemap import (
    RASTER_FORMATS,
    VECTOR_MEDIA_TYPE,
    BasemapError,
    file_kind,
    tms_row,
)
from hotline.services import basemap_pmtiles


@dataclass(frozen=True)
class TileFile:
    """What the map needs to know of a tile file."""

    path: Path
    media_type: str
    min_zoom: int
    max_zoom: int
    attribution: str
    kind: str = "mbtiles"  # or "pmtiles"

    @property
    def vector(self) -> bool:
        """Whether the browser draws the tiles (protomaps-leaflet) rather than shows them."""
        return self.media_type == VECTOR_MEDIA_TYPE


_lock = threading.Lock()
_open: dict[Path, sqlite3.Connection] = {}
_archives: dict[Path, basemap_pmtiles.Archive] = {}


def _connection(path: Path) -> sqlite3.Connection:
    with _lock:
        if path not in _open:
            uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
            _open[path] = sqlite3.connect(uri, uri=True, check_same_thread=False)
        return _open[path]


def _archive(path: Path) -> basemap_pmtiles.Archive:
    with _lock:
        if path not in _archives:
            _archives[path] = basemap_pmtiles.Archive(path)
        return _archives[path]


def describe(path: Path) -> TileFile:
    """The tile file's format and zoom range from its header or metadata; BasemapError if
    it is not an MBTiles or PMTiles file of tiles this server can serve."""
    if not path.is_file():
        raise BasemapError(f"BASEMAP_FILE {path} does not exist")
    with path.open("rb") as handle:
        kind = file_kind(handle.read(16))
    if kind == "pmtiles":
        archive = _archive(path)
        header = archive.header()
        media_type = basemap_pmtiles.media_type(archive, path)
        credit = basemap_pmtiles.attribution(archive)
        return TileFile(path, media_type, header["min_zoom"], header["max_zoom"], credit, kind)
    return _describe_mbtiles(path)


def _describe_mbtiles(path: Path) -> TileFile:
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
    media_types = {**RASTER_FORMATS, "pbf": VECTOR_MEDIA_TYPE}
    if kind not in media_types:
        raise BasemapError(
            f"BASEMAP_FILE holds {kind} tiles: only vector (pbf) or raster (png, jpg, webp) "
            "tiles are served"
        )
    low, high = (zooms[0] or 0), (zooms[1] or 0)
    return TileFile(path, media_types[kind], int(low), int(high), str(rows.get("attribution", "")))


def tile(tiles: TileFile, zoom: int, x: int, y: int) -> bytes | None:
    """One tile's bytes as stored (XYZ numbering), or None when the file has none there."""
    if tiles.kind == "pmtiles":
        return _archive(tiles.path).get(zoom, x, y)
    path = tiles.path
    row = (
        _connection(path)
        .execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            (zoom, x, tms_row(zoom, y)),
        )
        .fetchone()
    )
    return None if row is None else bytes(row[0])
