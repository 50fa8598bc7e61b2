#!/usr/bin/env bash
# Build a raster MBTiles base map for the hotline's maps from the city's own georeferenced
# image (GeoTIFF, in WGS84/CGCS2000 or any CRS GDAL knows), offline, with Debian's GDAL:
#   apt-get install gdal-bin
#   deploy/basemap/raster_mbtiles.sh city.tif /srv/hotline/basemap/beijing.mbtiles "© 北京市规划和自然资源委员会"
# Then set BASEMAP_FILE=/srv/hotline/basemap/beijing.mbtiles (and BASEMAP_ATTRIBUTION) in
# hotline.env and restart. See docs/BASEMAP.md for licences and the map-approval rules.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 SOURCE.tif OUT.mbtiles [ATTRIBUTION]" >&2
  exit 2
fi
source=$1 out=$2 attribution=${3:-}
command -v gdal_translate >/dev/null || { echo "gdal_translate missing: apt-get install gdal-bin" >&2; exit 1; }
rm -f "$out"
# Web-mercator PNG tiles at the image's own resolution (the highest zoom it supports)...
gdal_translate -q -of MBTILES -co TILE_FORMAT=PNG -co NAME=hotline-basemap "$source" "$out"
# ...and the overview zooms down to the whole city (each level half the previous).
gdaladdo -q -r average "$out" 2 4 8 16 32 64
if [ -n "$attribution" ]; then
  python3 - "$out" "$attribution" <<'PY'
import sqlite3, sys
with sqlite3.connect(sys.argv[1]) as db:
    db.execute("DELETE FROM metadata WHERE name = 'attribution'")
    db.execute("INSERT INTO metadata VALUES ('attribution', ?)", (sys.argv[2],))
PY
fi
python3 - "$out" <<'PY'
import sqlite3, sys
with sqlite3.connect(sys.argv[1]) as db:
    low, high, count = db.execute("SELECT min(zoom_level), max(zoom_level), count(*) FROM tiles").fetchone()
    print(f"{sys.argv[1]}: {count} tiles, zoom {low} to {high}")
PY
