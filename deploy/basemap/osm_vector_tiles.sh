#!/usr/bin/env bash
# Build a vector base map for the hotline's maps from an OpenStreetMap extract, offline:
#   apt-get install tilemaker            (Debian's tilemaker 2.2)
#   pip install pmtiles                  (in the app's venv: it is one of its dependencies)
#   deploy/basemap/osm_vector_tiles.sh beijing.osm.pbf /srv/hotline/basemap/beijing.pmtiles
# tilemaker writes vector MBTiles in the OpenMapTiles schema (config and Lua profile next to
# this script: Chinese names as name:zh), then pmtiles-convert packs them into one PMTiles
# file; the MBTiles file (OUT with .mbtiles) is kept and can be served as well. Both carry
# the credit "© OpenStreetMap contributors" (BASEMAP_ATTRIBUTION overrides it). Then set
# BASEMAP_FILE to either in hotline.env and restart. See docs/BASEMAP.md for the ODbL and
# the map-approval rules.
# BBOX=minlon,minlat,maxlon,maxlat is needed only when the extract's header has no box.
# MAXZOOM=13 (or lower) caps the zooms (default 14, the map overzooms beyond): tilemaker 2.2
# spends time in proportion to 4^MAXZOOM whatever the extract's size (3 s at 14, 0.8 s at 13).
set -euo pipefail
if [ $# -ne 2 ] || [[ $2 != *.pmtiles ]]; then
  echo "usage: $0 EXTRACT.osm.pbf OUT.pmtiles" >&2
  exit 2
fi
extract=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
mbtiles=${out%.pmtiles}.mbtiles
command -v tilemaker >/dev/null || { echo "tilemaker missing: apt-get install tilemaker" >&2; exit 1; }
command -v pmtiles-convert >/dev/null || { echo "pmtiles-convert missing: pip install pmtiles (the app's venv)" >&2; exit 1; }
rm -f "$mbtiles" "$out"
config=$here/config-openmaptiles.json
if [ -n "${MAXZOOM:-}" ]; then
  config=$(mktemp --suffix=.json)
  trap 'rm -f "$config"' EXIT
  python3 - "$here/config-openmaptiles.json" "$config" "$MAXZOOM" <<'PY'
import json, sys
config, top = json.load(open(sys.argv[1])), int(sys.argv[3])
for layer in config["layers"].values():
    layer["minzoom"], layer["maxzoom"] = min(layer["minzoom"], top), min(layer["maxzoom"], top)
config["settings"]["maxzoom"] = config["settings"]["basezoom"] = top
config["settings"]["combine_below"] = min(config["settings"]["combine_below"], top)
json.dump(config, open(sys.argv[2], "w"))
PY
fi
tilemaker --input "$extract" --output "$mbtiles" \
  --config "$config" --process "$here/process-openmaptiles.lua" ${BBOX:+--bbox "$BBOX"}
python3 - "$mbtiles" "$out" <<'PY'
import os, sqlite3, subprocess, sys
with sqlite3.connect(sys.argv[1]) as db:
    # The ODbL's credit, shown in the map's corner (tilemaker 2.2 does not write it).
    db.execute("DELETE FROM metadata WHERE name = 'attribution'")
    db.execute("INSERT INTO metadata VALUES ('attribution', '© OpenStreetMap contributors')")
subprocess.run(["pmtiles-convert", sys.argv[1], sys.argv[2]], check=True)
with sqlite3.connect(sys.argv[1]) as db:
    low, high, count = db.execute("SELECT min(zoom_level), max(zoom_level), count(*) FROM tiles").fetchone()
print(f"{sys.argv[1]}: {count} vector tiles, zoom {low} to {high}")
print(f"{sys.argv[2]}: {os.path.getsize(sys.argv[2])} bytes")
PY
