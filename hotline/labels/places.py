"""Labels of the gazetteer (地名库): kinds of place, how a suggestion matched, import errors."""

from flask_babel import lazy_gettext as _l

from hotline.core.places.keys import MatchKind, PlaceKind
from hotline.labels.registry import register

PLACE_KIND_LABELS = register(
    PlaceKind,
    {
        PlaceKind.COMPOUND: _l("Residential compound"),
        PlaceKind.ROAD: _l("Road"),
        PlaceKind.JUNCTION: _l("Road junction"),
        PlaceKind.HOSPITAL: _l("Hospital"),
        PlaceKind.SCHOOL: _l("School"),
        PlaceKind.MARKET: _l("Market"),
        PlaceKind.BUILDING: _l("Building or organisation"),
        PlaceKind.BUS_STOP: _l("Bus stop"),
        PlaceKind.OTHER: _l("Other place"),
    },
)
MATCH_KIND_LABELS = register(
    MatchKind,
    {
        MatchKind.PREFIX: _l("Starts with what was typed"),
        MatchKind.TEXT: _l("Contains what was typed"),
        MatchKind.PINYIN: _l("Pinyin starts with what was typed"),
        MatchKind.INITIALS: _l("Pinyin initials match what was typed"),
    },
)
# The import's own refusals (the common ones are in errors.ERROR_LABELS).
PLACE_IMPORT_ERRORS = {
    "unknown_kind": _l("Unknown kind of place."),
    "too_many_aliases": _l("At most 10 aliases of at most 100 characters."),
    "invalid_number": _l("Not a number in the allowed range."),
    "not_utf8": _l("The file is not UTF-8 text."),
    "unknown_format": _l("Upload a .csv, .geojson or .json file."),
    "not_geojson": _l("The file is not a GeoJSON FeatureCollection."),
    "missing_columns": _l("The first line must name the columns: name, lon and lat at least."),
    "too_many_rows": _l("Too many rows in one file."),
}
