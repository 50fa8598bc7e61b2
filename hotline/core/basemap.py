"""The maps' base layer, from configuration: the district polygons alone (the default), a
tile file on this server (MBTiles or PMTiles, raster or vector, served under /tiles/), or
an intranet tile service whose origin alone the Content-Security-Policy then allows. Never
the internet."""

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# Host names taken for intranet ones when the setting names no IP address.
DEFAULT_INTRANET_SUFFIXES = (".intranet", ".internal", ".lan", ".local")
_UNSAFE = re.compile(r"[\s'\";,\\]")
_HOST = re.compile(r"[a-z0-9.-]+|[0-9a-f:.]+", re.IGNORECASE)  # a name, IPv4 or IPv6
RASTER_FORMATS = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}
# Mapbox Vector Tiles (MBTiles says "pbf"), drawn in the browser by protomaps-leaflet.
VECTOR_MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
_GZIP_MAGIC = b"\x1f\x8b"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_PMTILES_MAGIC = b"PMTiles"


class BasemapError(ValueError):
    """A base-map setting that cannot be used; the message says why."""


@dataclass(frozen=True)
class TileService:
    """An intranet tile service: its URL template and its origin (for the CSP)."""

    template: str
    origin: str


def intranet_service(template: str, suffixes: tuple[str, ...] = DEFAULT_INTRANET_SUFFIXES):
    """The tile service a template names, if it is http(s), has {z}, {x} and {y}, and its
    host is a private or loopback address or a name under an intranet suffix."""
    if _UNSAFE.search(template):
        # It goes into the Content-Security-Policy header: no character that could end
        # the source or add a directive, and no backslash a browser reads as a slash.
        raise BasemapError("BASEMAP_URL may not contain spaces, quotes, ';', ',' or '\\'")
    parts = urlsplit(template)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise BasemapError("BASEMAP_URL must be an http or https URL")
    if parts.username or parts.password or not _HOST.fullmatch(parts.hostname):
        raise BasemapError("BASEMAP_URL's host must be a plain name or address")
    if any(f"{{{name}}}" not in template for name in "zxy"):
        raise BasemapError("BASEMAP_URL must contain {z}, {x} and {y}")
    host = parts.hostname.lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if not host.endswith(tuple(s.lower() for s in suffixes)):
            raise BasemapError(
                f"BASEMAP_URL's host {host} is not an intranet name ({', '.join(suffixes)}) "
                "nor a private address: the maps load nothing from the internet"
            ) from None
    else:
        if not (address.is_private or address.is_loopback):
            raise BasemapError(f"BASEMAP_URL's address {host} is not a private one")
    port = f":{parts.port}" if parts.port else ""
    shown = f"[{host}]" if ":" in host else host  # an IPv6 address in brackets
    return TileService(template, f"{parts.scheme}://{shown}{port}")


def file_kind(head: bytes) -> str:
    """ "mbtiles" or "pmtiles" from a file's first 16 bytes; BasemapError for anything else."""
    if head.startswith(_SQLITE_MAGIC):
        return "mbtiles"
    if head.startswith(_PMTILES_MAGIC):
        return "pmtiles"
    raise BasemapError("BASEMAP_FILE is neither an MBTiles (SQLite) nor a PMTiles file")


def gzipped(data: bytes) -> bool:
    """Whether a tile is gzip-compressed (tilemaker and PMTiles store vector tiles so)."""
    return data[:2] == _GZIP_MAGIC


def tms_row(zoom: int, y: int) -> int:
    """MBTiles stores rows bottom-up (TMS); maps ask top-down (XYZ)."""
    return (1 << zoom) - 1 - y


def valid_tile(zoom: int, x: int, y: int) -> bool:
    """Whether (z, x, y) names a tile of the web mercator pyramid (zoom 0 to 22)."""
    return 0 <= zoom <= 22 and 0 <= x < (1 << zoom) and 0 <= y < (1 << zoom)
