"""Offline maps: folium on vendored Leaflet, the district polygons over the configured base
map (none, a tile file served under /tiles/, or an intranet tile service)."""

import gzip
import html
import json
from functools import lru_cache
from pathlib import Path

from branca.element import MacroElement
from flask import Blueprint, Flask, Response, abort, current_app, request, url_for
from jinja2 import Template
from shapely.geometry import mapping

from hotline.core import basemap
from hotline.core.accounts.permissions import Permission
from hotline.plugins import db
from hotline.services import basemap as tile_files
from hotline.services.reference import cache
from hotline.web.headers import csp_nonce, with_nonce
from hotline.web.helpers import requires

bp = Blueprint("maps", __name__)

SIMPLIFY_DEGREES = 0.001  # about 100 m: plenty for a base map, a tenth of the bytes


class _ExposeMap(MacroElement):
    """Publishes the Leaflet map as window.hotlineMap for the page's own script."""

    _template = Template(
        "{% macro script(this, kwargs) %}window.hotlineMap = {{ this._parent.get_name() }};"
        "{% endmacro %}"
    )


@lru_cache(maxsize=4)
def _districts_geojson(version: str) -> dict:
    ctx = cache.context(db.session)
    features = []
    for jurisdiction in ctx.index.jurisdictions:
        geometry = jurisdiction.geometry.simplify(SIMPLIFY_DEGREES, preserve_topology=True)
        features.append(
            {
                "type": "Feature",
                # Folium's tooltips insert properties as HTML: escape them here.
                "properties": {"code": jurisdiction.code, "name": html.escape(jurisdiction.name)},
                "geometry": mapping(geometry),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def districts_geojson() -> dict:
    """Simplified district polygons for display (routing uses the full geometry)."""
    return _districts_geojson(cache.context(db.session).version)


def district_map(height: str = "420px") -> dict[str, str]:
    """A folium map of the districts, split into header, body and script for a page.

    folium's <style> and <script> blocks are made per request: each carries the request's
    CSP nonce (hotline/web/headers.py); `script` is whole <script> elements (the map's, then
    a vector base map's renderer and options).
    """
    import folium  # here, not at the top: it pulls in pandas, and workers start faster

    ctx = cache.context(db.session)
    min_x, min_y, max_x, max_y = ctx.index.bounds() if len(ctx.index) else (115, 39, 118, 41)
    fmap = folium.Map(
        location=[(min_y + max_y) / 2, (min_x + max_x) / 2],
        zoom_start=9,
        tiles=None,
        height=height,
        control_scale=True,
    )
    fmap.default_js = [("leaflet", url_for("static", filename="vendor/leaflet/leaflet.js"))]
    fmap.default_css = [("leaflet_css", url_for("static", filename="vendor/leaflet/leaflet.css"))]
    under = _base_layer()
    if under is not None and "tiles" in under:
        folium.TileLayer(**under).add_to(fmap)
    folium.GeoJson(
        districts_geojson(),
        name="districts",
        style_function=lambda _f: {
            "color": "#2b6cb0",
            "weight": 1,
            "fillColor": "#bee3f8",
            # Over a base map the districts are outlines with a tint, not a cover.
            "fillOpacity": 0.08 if under is not None else 0.35,
        },
        highlight_function=lambda _f: {"weight": 2, "fillOpacity": 0.55},
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
    ).add_to(fmap)
    fmap.fit_bounds([[min_y, min_x], [max_y, max_x]])
    fmap.add_child(_ExposeMap())
    root = fmap.get_root()
    root.render()
    script = f'<script nonce="{csp_nonce()}">{root.script.render()}</script>'
    if under is not None and "vector" in under:
        script += _vector_scripts(under["vector"])  # after the map exists
    return {
        "header": with_nonce(root.header.render()),
        "html": root.html.render(),
        "script": script,
    }


def _vector_scripts(options: dict) -> str:
    """The renderer and static/js/basemap_vector.js, which draws the vector tiles under the
    districts (window.hotlineMap), with their options in a JSON block."""
    data = json.dumps(options, ensure_ascii=False).replace("<", "\\u003c")
    sources = ("vendor/protomaps-leaflet/protomaps-leaflet.js", "js/basemap_vector.js")
    tags = "".join(f'<script src="{url_for("static", filename=f)}"></script>' for f in sources)
    return f'<script type="application/json" id="hotline-basemap">{data}</script>{tags}'


def install_basemap(app: Flask) -> None:
    """Check the base-map settings once, at start: a wrong one stops the app with the
    reason (never a map that quietly reaches the internet)."""
    app.extensions["basemap_file"] = app.extensions["basemap_service"] = None
    if app.config.get("BASEMAP_FILE") and app.config.get("BASEMAP_URL"):
        raise basemap.BasemapError("set BASEMAP_FILE or BASEMAP_URL, not both")
    if app.config.get("BASEMAP_FILE"):
        app.extensions["basemap_file"] = tile_files.describe(Path(app.config["BASEMAP_FILE"]))
    elif app.config.get("BASEMAP_URL"):
        suffixes = tuple(app.config["BASEMAP_INTRANET_SUFFIXES"])
        app.extensions["basemap_service"] = basemap.intranet_service(
            app.config["BASEMAP_URL"], suffixes
        )


def _base_layer() -> dict | None:
    """folium.TileLayer's arguments for the configured base map, {"vector": options} for
    protomaps-leaflet, or None (polygons only)."""
    attribution = current_app.config.get("BASEMAP_ATTRIBUTION") or "底图"
    tiles = current_app.extensions.get("basemap_file")
    if tiles is not None:
        # The file's own credit (its metadata) unless the setting gives one.
        attribution = current_app.config.get("BASEMAP_ATTRIBUTION") or tiles.attribution or "底图"
        template = f"{request.script_root}/tiles/{{z}}/{{x}}/{{y}}"
        if tiles.vector:
            credit = html.escape(attribution)  # Leaflet shows it as HTML
            return {
                "vector": {"url": template, "attribution": credit, "maxDataZoom": tiles.max_zoom}
            }
        zooms = {"min_zoom": tiles.min_zoom, "max_native_zoom": tiles.max_zoom}
        return {"tiles": template, "attr": html.escape(attribution), **zooms, "max_zoom": 18}
    service = current_app.extensions.get("basemap_service")
    if service is not None:
        return {"tiles": service.template, "attr": html.escape(attribution), "max_zoom": 18}
    return None


@bp.route("/tiles/<int:z>/<int:x>/<int:y>")
@requires(Permission.READ_DISTRICT_MAP)
def tile(z: int, x: int, y: int):
    """One tile of the configured tile file (404 outside it or without one; an empty 204
    for a vector tile the file lacks: nothing to draw there)."""
    tiles = current_app.extensions.get("basemap_file")
    if tiles is None or not basemap.valid_tile(z, x, y):
        abort(404)
    data = tile_files.tile(tiles, z, x, y)
    if data is None and not tiles.vector:
        abort(404)
    response = Response(data or b"", status=200 if data else 204, mimetype=tiles.media_type)
    if data and basemap.gzipped(data):
        # Stored gzipped (tilemaker, PMTiles): sent as is to every browser, else unpacked.
        response.vary.add("Accept-Encoding")
        if "gzip" in request.accept_encodings:
            response.headers["Content-Encoding"] = "gzip"
        else:
            response.set_data(gzip.decompress(data))
    # The same tile for every user: the browser may keep it a day (never a shared cache).
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.route("/map/districts.geojson")
@requires(Permission.READ_DISTRICT_MAP)
def districts():
    """The district polygons as GeoJSON."""
    return Response(
        json.dumps(districts_geojson(), ensure_ascii=False), mimetype="application/geo+json"
    )
