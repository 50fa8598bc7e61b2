"""The maps' base layer from configuration: a raster MBTiles file served under /tiles/ to
logged-in users, an intranet tile service allowed by the CSP and nothing else, and settings
that would reach the internet refused at start."""

import json

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


def test_a_vector_or_missing_tile_file_is_refused_at_start(tmp_path):
    vector = basemap_tiles.write(tmp_path / "v.mbtiles", zooms=[8], kind="pbf")
    for path, reason in ((vector, "only raster"), (tmp_path / "none.mbtiles", "does not exist")):
        with pytest.raises(BasemapError, match=reason):
            create_app(
                config_for(f"sqlite:///{tmp_path / 't.db'}", tmp_path / "i", BASEMAP_FILE=path)
            )
