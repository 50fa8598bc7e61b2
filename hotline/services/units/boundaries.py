"""Loading jurisdiction boundaries (GeoJSON or Shapefile) into the districts table."""

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
from shapely.geometry import mapping
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.units.kinds import STREET
from hotline.database import write_transaction
from hotline.models import Department, District
from hotline.services.errors import ValidationFailed
from hotline.services.reference import cache


@dataclass(frozen=True)
class ImportSummary:
    """How many districts (or 街乡镇 boundaries) were added and updated, and the codes of the
    file that name no 街乡镇 unit."""

    added: int
    updated: int
    unknown: tuple[str, ...] = ()


def read_boundaries(path: Path, code_field: str, name_field: str) -> gpd.GeoDataFrame:
    """Read any OGR format, reproject to WGS84, keep valid polygons with a code and a name."""
    frame = gpd.read_file(path)
    missing = [f for f in (code_field, name_field) if f not in frame.columns]
    if missing:
        raise ValidationFailed({"fields": "missing: " + ", ".join(missing)})
    if frame.crs is None:
        raise ValidationFailed({"crs": "missing"})
    frame = frame.to_crs(epsg=4326)
    frame = frame[frame.geometry.notna()]
    frame = frame[frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    frame["geometry"] = frame.geometry.make_valid()
    if frame.empty:
        raise ValidationFailed({"geometry": "no_polygons"})
    if frame[code_field].astype(str).duplicated().any():
        raise ValidationFailed({code_field: "duplicate_codes"})
    return frame


def import_boundaries(
    session: Session, path: Path, code_field: str = "code", name_field: str = "name"
) -> ImportSummary:
    """Upsert districts by code from a boundary file; every process reloads its routing index."""
    frame = read_boundaries(path, code_field, name_field)
    added = updated = 0
    with write_transaction(session):
        existing = {d.code: d for d in session.scalars(select(District))}
        for _, row in frame.iterrows():
            code, name = str(row[code_field]), str(row[name_field])
            point = row.geometry.representative_point()
            geojson = json.dumps(mapping(row.geometry), ensure_ascii=False)
            district = existing.get(code)
            if district is None:
                session.add(
                    District(
                        code=code,
                        name=name,
                        geometry_geojson=geojson,
                        label_lon=row.get("label_lon", point.x),
                        label_lat=row.get("label_lat", point.y),
                    )
                )
                added += 1
            else:
                district.name, district.geometry_geojson = name, geojson
                updated += 1
        cache.bump_version(session)
    return ImportSummary(added, updated)


def import_street_boundaries(
    session: Session, path: Path, code_field: str = "code"
) -> ImportSummary:
    """Set the boundary of each 街乡镇 unit whose official code the file names; from then on a
    point in it decides the 街乡镇 (services/orders/routing.py). A code that names no unit is
    reported, not added: units come from the official list (hotline seed-streets)."""
    frame = read_boundaries(path, code_field, code_field)
    updated, unknown = 0, []
    with write_transaction(session):
        units = {
            d.code: d
            for d in session.scalars(
                select(Department).where(Department.level == STREET, Department.code.is_not(None))
            )
        }
        for _, row in frame.iterrows():
            code = str(row[code_field])
            unit = units.get(code)
            if unit is None:
                unknown.append(code)
                continue
            unit.geometry_geojson = json.dumps(mapping(row.geometry), ensure_ascii=False)
            updated += 1
        cache.bump_version(session)
    return ImportSummary(0, updated, tuple(sorted(unknown)))
