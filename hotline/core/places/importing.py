"""Reading a gazetteer file: CSV (UTF-8, with or without BOM) or GeoJSON, into checked rows
and the problems of the bad ones (line or feature number, column, code)."""

import csv
import io
import json
import math
import re
from dataclasses import dataclass

from hotline.core.geo import valid_coordinates
from hotline.core.places.keys import KIND_WORDS, PlaceKind, normalize

MAX_NAME = 100
MAX_ALIASES = 10
MAX_DISTRICT = 32
MAX_ROWS = 200_000
MAX_PROBLEMS = 100  # reported; the rest are counted
HEADERS = {
    "name": "name",
    "名称": "name",
    "aliases": "aliases",
    "别名": "aliases",
    "kind": "kind",
    "类型": "kind",
    "lon": "lon",
    "经度": "lon",
    "lat": "lat",
    "纬度": "lat",
    "district": "district",
    "区": "district",
    "weight": "weight",
    "热度": "weight",
}
_ALIAS_SEPARATORS = re.compile(r"[|;；、,，]")


@dataclass(frozen=True)
class PlaceRow:
    """A checked place of an import."""

    line: int
    name: str
    aliases: tuple[str, ...]
    kind: str
    lon: float
    lat: float
    district: str
    weight: int = 0


@dataclass(frozen=True)
class Problem:
    """Why a row was refused: its line (CSV) or feature number (GeoJSON), column, code."""

    line: int
    column: str
    code: str


class ImportFailed(Exception):
    """The file as a whole cannot be read (not CSV or GeoJSON, no name column...)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def check_row(line: int, raw: dict) -> tuple[PlaceRow | None, list[Problem]]:
    """One row's fields as strings (or numbers, from GeoJSON) -> a PlaceRow or its problems."""
    problems = []
    name = str(raw.get("name") or "").strip()
    if not normalize(name):
        problems.append(Problem(line, "name", "required"))
    elif len(name) > MAX_NAME:
        problems.append(Problem(line, "name", "too_long"))
    aliases_raw = raw.get("aliases") or ""
    if isinstance(aliases_raw, list):
        aliases = tuple(str(a).strip() for a in aliases_raw)
    else:
        aliases = tuple(_ALIAS_SEPARATORS.split(str(aliases_raw)))
    aliases = tuple(a.strip() for a in aliases if normalize(a) and a.strip() != name)
    if len(aliases) > MAX_ALIASES or any(len(a) > MAX_NAME for a in aliases):
        problems.append(Problem(line, "aliases", "too_many_aliases"))
    kind_text = str(raw.get("kind") or "").strip().lower() or PlaceKind.OTHER.value
    kind = KIND_WORDS.get(kind_text)
    if kind is None:
        problems.append(Problem(line, "kind", "unknown_kind"))
    lon, lat = _number(raw.get("lon")), _number(raw.get("lat"))
    if lon is None or lat is None or not valid_coordinates(lon, lat):
        problems.append(Problem(line, "lon/lat", "invalid_coordinates"))
    district = str(raw.get("district") or "").strip()
    if len(district) > MAX_DISTRICT:
        problems.append(Problem(line, "district", "too_long"))
    weight = _number(raw.get("weight") or 0)
    if weight is None or not 0 <= weight <= 1_000_000:
        problems.append(Problem(line, "weight", "invalid_number"))
    if problems:
        return None, problems
    return PlaceRow(line, name, aliases, kind.value, lon, lat, district, int(weight)), []


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def read(data: bytes, filename: str) -> tuple[list[PlaceRow], list[Problem]]:
    """The good rows and the bad rows' problems of a CSV or GeoJSON file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed("not_utf8") from exc
    lowered = filename.lower()
    if lowered.endswith((".geojson", ".json")):
        raws = _geojson(text)
    elif lowered.endswith(".csv"):
        raws = _csv(text)
    else:
        raise ImportFailed("unknown_format")
    rows, problems = [], []
    for line, raw in raws:
        if len(rows) + len(problems) >= MAX_ROWS:
            raise ImportFailed("too_many_rows")
        row, found = check_row(line, raw)
        if row is not None:
            rows.append(row)
        problems += found
    return rows, problems


def _csv(text: str) -> list[tuple[int, dict]]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise ImportFailed("empty_file")
    columns = [HEADERS.get(h.strip().lower()) for h in header]
    if "name" not in columns or "lon" not in columns or "lat" not in columns:
        raise ImportFailed("missing_columns")
    found = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        raw = {c: v for c, v in zip(columns, values, strict=False) if c}
        found.append((reader.line_num, raw))
    return found


def _geojson(text: str) -> list[tuple[int, dict]]:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise ImportFailed("not_geojson") from exc
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        raise ImportFailed("not_geojson")
    found = []
    for number, feature in enumerate(features, start=1):
        raw: dict = {}
        if isinstance(feature, dict):
            properties = feature.get("properties")
            raw = {HEADERS.get(str(k).lower()): v for k, v in (properties or {}).items()}
            geometry = feature.get("geometry") or {}
            coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
            if (
                isinstance(geometry, dict)
                and geometry.get("type") == "Point"
                and isinstance(coordinates, list)
                and len(coordinates) >= 2
            ):
                raw["lon"], raw["lat"] = coordinates[0], coordinates[1]
        found.append((number, raw))
    return found
