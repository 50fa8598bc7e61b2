"""Tile files the app accepts at start (MBTiles or PMTiles, raster or vector) and those it
refuses with the reason: neither format, an unknown tile type, a compression browsers may
not take, a PMTiles version it cannot read."""

import gzip
import sqlite3
from contextlib import closing

import pytest
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import write

from hotline.core.basemap import VECTOR_MEDIA_TYPE, BasemapError, file_kind, gzipped
from hotline.services import basemap
from tests import basemap_tiles

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


def _pmtiles(path, tile_type=TileType.PNG, compression=Compression.NONE, data=PNG):
    """A PMTiles file of one tile at 10/843/388 (Beijing)."""
    with write(str(path)) as writer:
        writer.write_tile(zxy_to_tileid(10, 843, 388), data)
        header = {
            "tile_type": tile_type,
            "tile_compression": compression,
            "min_zoom": 10,
            "max_zoom": 10,
            "min_lon_e7": 1160000000,
            "min_lat_e7": 396000000,
            "max_lon_e7": 1170000000,
            "max_lat_e7": 402000000,
            "center_zoom": 10,
            "center_lon_e7": 1164000000,
            "center_lat_e7": 399000000,
        }
        writer.finalize(header, {"attribution": "测试"})
    return path


def _patch(path, offset: int, value: int):
    """The file with one header byte changed (what a writer of another version might do)."""
    data = bytearray(path.read_bytes())
    data[offset] = value
    path.write_bytes(bytes(data))
    return path


def test_a_raster_pmtiles_file_is_described_and_its_tiles_read(tmp_path):
    path = _pmtiles(tmp_path / "city.pmtiles")
    tiles = basemap.describe(path)
    assert (tiles.kind, tiles.media_type, tiles.min_zoom, tiles.max_zoom) == (
        "pmtiles",
        "image/png",
        10,
        10,
    )
    assert tiles.attribution == "测试" and not tiles.vector
    assert basemap.tile(tiles, 10, 843, 388) == PNG
    assert basemap.tile(tiles, 10, 844, 388) is None


def test_a_vector_pmtiles_or_mbtiles_file_is_vector(tmp_path):
    packed = gzip.compress(b"\x1a\x00")  # an (empty) layer field, gzipped as tilemaker does
    path = _pmtiles(tmp_path / "v.pmtiles", TileType.MVT, Compression.GZIP, packed)
    tiles = basemap.describe(path)
    assert tiles.vector and tiles.media_type == VECTOR_MEDIA_TYPE
    assert gzipped(basemap.tile(tiles, 10, 843, 388))
    mbtiles = basemap.describe(basemap_tiles.write(tmp_path / "v.mbtiles", [8], kind="pbf"))
    assert mbtiles.kind == "mbtiles" and mbtiles.vector


@pytest.mark.parametrize(
    ("offset", "value", "reason"),
    [
        (99, TileType.UNKNOWN.value, "tiles of type UNKNOWN"),
        (99, 42, "not a PMTiles version 3 file"),  # a type this reader does not know
        (98, Compression.BROTLI.value, "compressed with BROTLI"),
        (98, Compression.ZSTD.value, "compressed with ZSTD"),
        (7, 2, "not a PMTiles version 3 file"),  # version 2
    ],
)
def test_a_pmtiles_file_the_maps_cannot_use_is_refused(tmp_path, offset, value, reason):
    path = _patch(_pmtiles(tmp_path / "x.pmtiles"), offset, value)
    with pytest.raises(BasemapError, match=reason):
        basemap.describe(path)


def test_files_that_are_no_tile_files_are_refused(tmp_path):
    text = tmp_path / "a.mbtiles"
    text.write_text("城市底图", encoding="utf-8")
    empty = tmp_path / "empty.pmtiles"
    empty.write_bytes(b"")
    other = tmp_path / "other.mbtiles"
    with closing(sqlite3.connect(other)) as connection:
        connection.execute("CREATE TABLE t (a)")
    tiff = basemap_tiles.write(tmp_path / "t.mbtiles", [8], kind="tiff")
    for path, reason in (
        (text, "neither an MBTiles"),
        (empty, "neither an MBTiles"),
        (other, "is not an MBTiles file"),
        (tiff, "holds tiff tiles"),
        (tmp_path / "missing.pmtiles", "does not exist"),
    ):
        with pytest.raises(BasemapError, match=reason):
            basemap.describe(path)


def test_file_kind_reads_the_magic_bytes():
    assert file_kind(b"SQLite format 3\x00") == "mbtiles"
    assert file_kind(b"PMTiles\x03") == "pmtiles"
    with pytest.raises(BasemapError):
        file_kind(b"\x89PNG\r\n\x1a\n")
    assert gzipped(gzip.compress(b"x")) and not gzipped(PNG)
