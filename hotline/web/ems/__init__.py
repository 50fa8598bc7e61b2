"""The 120 pages: one blueprint, "ems", whose routes live in this package's modules.

Paths keep their places: the console and incidents under /ems, the live map's feeds under
/api/v1/map (they use the login session, not a token) and the resources under /admin/ems.
"""

from flask import Blueprint

bp = Blueprint("ems", __name__)

# The modules attach their routes to `bp`; imported last because they import `bp`.
from hotline.web.ems import (  # noqa: E402
    bookings,
    console,
    director,
    hospital_desk,
    incidents,
    locks,
    map,
    patients,
    resources,
    station,
    terminal,
    tracks,
)

__all__ = [
    "bp",
    "bookings",
    "console",
    "director",
    "hospital_desk",
    "incidents",
    "locks",
    "map",
    "patients",
    "resources",
    "station",
    "terminal",
    "tracks",
]
