"""The maps' base layer from configuration: a tile file (raster MBTiles; vector MBTiles and
PMTiles made by tilemaker from an OpenStreetMap extract) served under /tiles/ to logged-in
users, an intranet tile service allowed by the CSP and nothing else, and settings
that would reach the internet refused at start."""

import gzip
import json

import mapbox_vector_tile
import pytest

from hotline import create_app
from hotline.core.accounts.roles import Role
from hotline.core.basemap import BasemapError
from tests import basemap_tiles, factories
from tests.conftest import Browser, config_for, make_app


def test_a_tile_file_is_served_under_tiles_to_logged_in_users(tmp_path):
    tiles = basemap_tiles.write(tmp_path / "city.mbtiles")
    app = make_app(f"sqlite:///{tmp_path / 't.db'}", tmp_path / "i", BASEMAP_FILE=tiles)
    x, y = basemap_tiles.tile_of(*basemap_tiles.TIANANMEN, 10)
    anonymous = app.test_client().get(f"/tiles/10/{x}/{y}")
    assert anonymous.status_code == 302 and "/login" in anonymous.location
    with app.app_context():
        operator = factories.user(Role.OPERATOR)
    browser = Browser(app)
    browser.login(operator.username)
    found = browser.get(f"/tiles/10/{x}/{y}")
    assert found.status_code == 200 and found.mimetype == "image/png"
    assert found.data.startswith(b"\x89PNG")
    assert "private" in found.headers["Cache-Control"]
    for missing in (f"/tiles/10/{x + 50}/{y}", "/tiles/30/0/0", f"/tiles/3/{2**3}/0"):
        assert browser.get(missing).status_code == 404
    page = browser.get("/intake").get_data(as_text=True)
    credit = json.dumps("合成测试底图")[1:-1]  # the file's own attribution, in folium's JSON
    assert '"/tiles/{z}/{x}/{y}"' in page and credit in page
    policy = browser.get("/intake").headers["Content-Security-Policy"]
    assert "img-src 'self' data:;" in policy  # nothing outside this server


def test_an_intranet_tile_service_is_the_only_origin_the_policy_adds(tmp_path):
    template = "http://tiles.intranet:8080/beijing/{z}/{x}/{y}.png"
    app = make_app(f"sqlite:///{tmp_path / 't.db'}", tmp_path / "i", BASEMAP_URL=template)
    with app.app_context():
        operator = factories.user(Role.OPERATOR)
    browser = Browser(app)
    browser.login(operator.username)
    response = browser.get("/intake")
    assert template in response.get_data(as_text=True)
    policy = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: http://tiles.intranet:8080;" in policy
    assert policy.count("tiles.intranet") == 1  # images only: no script, style or connect


@pytest.mark.parametrize(
    ("setting", "reason"),
    [
        ({"BASEMAP_URL": "https://tile.openstreetmap.org/{z}/{x}/{y}.png"}, "not an intranet"),
        ({"BASEMAP_URL": "http://8.8.8.8/{z}/{x}/{y}.png"}, "not a private"),
        ({"BASEMAP_URL": "http://10.1.2.3/tiles/{z}/{x}.png"}, "{z}, {x} and {y}"),
        ({"BASEMAP_URL": "ftp://10.1.2.3/{z}/{x}/{y}"}, "http or https"),
        # Into the CSP header it would add a directive; a backslash a browser reads as '/'.
        ({"BASEMAP_URL": "http://a;script-src *;.intranet/{z}/{x}/{y}"}, "may not contain"),
        ({"BASEMAP_URL": "http://evil.com\\.intranet/{z}/{x}/{y}"}, "may not contain"),
        ({"BASEMAP_URL": "http://10.0.0.1@evil.com/{z}/{x}/{y}"}, "plain name or address"),
    ],
)
def test_settings_that_would_reach_the_internet_stop_the_app(tmp_path, setting, reason):
    with pytest.raises(BasemapError, match=reason):
        create_app(config_for(f"sqlite:///{tmp_path / 't.db'}", tmp_path / "i", **setting))


def test_a_file_that_is_no_tile_file_or_is_missing_is_refused_at_start(tmp_path):
    text = tmp_path / "city.mbtiles"
    text.write_text("not tiles", encoding="utf-8")
    tiff = basemap_tiles.write(tmp_path / "t.mbtiles", zooms=[8], kind="tiff")
    for path, reason in (
        (text, "neither an MBTiles"),
        (tiff, "holds tiff tiles"),
        (tmp_path / "none.mbtiles", "does not exist"),
    ):
        with pytest.raises(BasemapError, match=reason):
            create_app(
                config_for(f"sqlite:///{tmp_path / 't.db'}", tmp_path / "i", BASEMAP_FILE=path)
            )


@pytest.mark.parametrize("kind", ["mbtiles", "pmtiles"])
def test_vector_tiles_from_an_osm_extract_are_served_to_logged_in_users(
    tmp_path, tmp_path_factory, kind
):
    mbtiles, pmtiles = basemap_tiles.vector_tiles(tmp_path_factory)
    tiles = {"mbtiles": mbtiles, "pmtiles": pmtiles}[kind]
    app = make_app(f"sqlite:///{tmp_path / 't.db'}", tmp_path / "i", BASEMAP_FILE=tiles)
    x, y = basemap_tiles.tile_of(*basemap_tiles.GONGTI, 13)
    anonymous = app.test_client().get(f"/tiles/13/{x}/{y}")
    assert anonymous.status_code == 302 and "/login" in anonymous.location
    with app.app_context():
        operator = factories.user(Role.OPERATOR)
    browser = Browser(app)
    browser.login(operator.username)
    found = browser.get(f"/tiles/13/{x}/{y}", headers={"Accept-Encoding": "gzip, deflate"})
    assert found.status_code == 200
    assert found.mimetype == "application/vnd.mapbox-vector-tile"
    assert (
        found.headers["Content-Encoding"] == "gzip" and "private" in found.headers["Cache-Control"]
    )
    layers = mapbox_vector_tile.decode(gzip.decompress(found.data))
    assert {"transportation", "transportation_name", "landcover"} <= set(layers)
    names = {f["properties"].get("name:zh") for f in layers["transportation_name"]["features"]}
    assert {"工人体育场北路", "工体南路"} <= names  # name:zh, from OSM's name
    east = basemap_tiles.tile_of(116.4555, 39.93, 13)  # 三里屯路 has its own name:zh
    assert east != (x, y)
    streets = browser.get(f"/tiles/13/{east[0]}/{east[1]}", headers={"Accept-Encoding": "gzip"})
    street = mapbox_vector_tile.decode(gzip.decompress(streets.data))["transportation_name"]
    named = {f["properties"].get("name:zh"): f["properties"] for f in street["features"]}
    assert named["三里屯路"]["name"] == "Sanlitun Road"
    park = layers["landcover"]["features"][0]["properties"]
    assert park["subclass"] == "park"
    # A client that does not take gzip gets the tile unpacked.
    plain = browser.get(f"/tiles/13/{x}/{y}")
    assert "Content-Encoding" not in plain.headers and plain.data == gzip.decompress(found.data)
    # A tile the file lacks is empty (nothing to draw), one outside the pyramid 404.
    assert browser.get(f"/tiles/13/{x + 40}/{y}").status_code == 204
    assert browser.get("/tiles/30/0/0").status_code == 404
    page = browser.get("/intake")
    text = page.get_data(as_text=True)
    assert 'id="hotline-basemap"' in text and '"url": "/tiles/{z}/{x}/{y}"' in text
    assert '"maxDataZoom": 13' in text and "© OpenStreetMap contributors" in text
    assert "vendor/protomaps-leaflet/protomaps-leaflet.js" in text
    assert "js/basemap_vector.js" in text
    policy = page.headers["Content-Security-Policy"]
    assert "img-src 'self' data:;" in policy and "connect-src 'self';" in policy
    assert "worker-src" not in policy and "blob:" not in policy
