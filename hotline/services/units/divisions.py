"""Loading Beijing's official division names (districts and 街乡镇) for the address parser."""

import csv
import json
from pathlib import Path

from hotline.core.units.address import Division

# Levels of the 街乡镇 units in beijing_streets.csv; `special_zone` rows (development zones,
# the airport) are administered outside the 街乡镇 system and are never loaded.
STREET_LEVELS = frozenset({"street", "area", "township", "town"})


def load_divisions(gis_dir: Path) -> tuple[list[Division], list[Division]]:
    """Districts from beijing_districts.geojson and 街乡镇 from beijing_streets.csv."""
    collection = json.loads((gis_dir / "beijing_districts.geojson").read_text(encoding="utf-8"))
    districts = [
        Division(str(f["properties"]["code"]), str(f["properties"]["name"]), None)
        for f in collection["features"]
    ]
    with (gis_dir / "beijing_streets.csv").open(encoding="utf-8", newline="") as handle:
        streets = [
            Division(row["code"], row["name"], row["district_code"])
            for row in csv.DictReader(handle)
            if row["level"] in STREET_LEVELS
        ]
    return districts, streets
