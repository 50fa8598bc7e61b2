"""A PMTiles file read on the server with the `pmtiles` package, so that the browser asks
/tiles/{z}/{x}/{y} like any tile service and never makes range requests on the file."""

import mmap
from functools import lru_cache
from pathlib import Path

from pmtiles.reader import Reader
from pmtiles.tile import (
    Compression,
    Entry,
    MagicNumberNotFound,
    SpecVersionUnsupported,
    TileType,
    deserialize_directory,
    find_tile,
    zxy_to_tileid,
)

from hotline.core.basemap import RASTER_FORMATS, VECTOR_MEDIA_TYPE, BasemapError

MEDIA_TYPES = {
    TileType.MVT: VECTOR_MEDIA_TYPE,
    TileType.PNG: RASTER_FORMATS["png"],
    TileType.JPEG: RASTER_FORMATS["jpg"],
    TileType.WEBP: RASTER_FORMATS["webp"],
}
# Browsers accept gzip everywhere; brotli only over HTTPS and zstd only in recent ones.
SERVED_COMPRESSIONS = {Compression.NONE, Compression.GZIP}


class Archive(Reader):
    """One PMTiles file, memory-mapped read-only, its header and directories cached."""

    def __init__(self, path: Path) -> None:
        with path.open("rb") as handle:
            # The mapping outlives the file object: the kernel pages the file in on demand.
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        super().__init__(lambda offset, length: self._map[offset : offset + length])
        try:
            self._header = super().header()
        except (MagicNumberNotFound, SpecVersionUnsupported, ValueError) as exc:
            # ValueError: a tile type or compression byte this version does not know.
            raise BasemapError(
                f"BASEMAP_FILE {path} is not a PMTiles version 3 file this server reads "
                f"({type(exc).__name__}: {exc})"
            ) from exc
        # Every tile looks up the root directory: decode it (and leaves) once, not per tile.
        self._directory = lru_cache(maxsize=256)(self._read_directory)

    def header(self) -> dict:
        """The file's header, read once."""
        return dict(self._header)

    def _read_directory(self, offset: int, length: int) -> list[Entry]:
        return deserialize_directory(self.get_bytes(offset, length))

    def get(self, z: int, x: int, y: int) -> bytes | None:
        """One tile's stored bytes (still compressed as the header says), or None."""
        tile_id = zxy_to_tileid(z, x, y)
        offset, length = self._header["root_offset"], self._header["root_length"]
        for _depth in range(4):  # the specification's maximum depth
            entry = find_tile(self._directory(offset, length), tile_id)
            if entry is None:
                return None
            if entry.run_length:
                return self.get_bytes(self._header["tile_data_offset"] + entry.offset, entry.length)
            offset = self._header["leaf_directory_offset"] + entry.offset
            length = entry.length
        return None


def media_type(archive: Archive, path: Path) -> str:
    """The tiles' content type from the header; BasemapError for a type or a compression
    the maps cannot use."""
    header = archive.header()
    if header["tile_type"] not in MEDIA_TYPES:
        raise BasemapError(
            f"BASEMAP_FILE {path} holds tiles of type {header['tile_type'].name}: "
            "only vector (MVT) or raster (png, jpg, webp) tiles are served"
        )
    if header["tile_compression"] not in SERVED_COMPRESSIONS:
        raise BasemapError(
            f"BASEMAP_FILE {path}'s tiles are compressed with "
            f"{header['tile_compression'].name}: convert it with gzip or none"
        )
    return MEDIA_TYPES[header["tile_type"]]


def attribution(archive: Archive) -> str:
    """The credit in the file's metadata, or ''."""
    try:
        return str(archive.metadata().get("attribution", ""))
    except (ValueError, OSError):  # metadata that is not JSON: no credit, still tiles
        return ""
