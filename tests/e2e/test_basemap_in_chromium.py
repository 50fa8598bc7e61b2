"""The intake map over a tile file served by the app itself (raster MBTiles; vector
PMTiles made by tilemaker from an OpenStreetMap extract, drawn by protomaps-leaflet): the
tiles load from /tiles/ under the district polygons, and the page asks nothing of any other
server."""

import pytest
from playwright.sync_api import expect

from hotline.core.accounts.roles import Role
from hotline.plugins import db
from tests import basemap_tiles, factories
from tests.conftest import make_app

pytestmark = [
    pytest.mark.e2e,
    # See test_intake_in_chromium: Werkzeug's server leaves a 304's file unclosed.
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


@pytest.fixture
def app(request, tmp_path, tmp_path_factory):
    """The test app over a raster tile file around Tiananmen, or (parametrized "vector") the
    PMTiles file tilemaker made from the OpenStreetMap extract around 工体."""
    if getattr(request, "param", "raster") == "vector":
        _mbtiles, tiles = basemap_tiles.vector_tiles(tmp_path_factory)
    else:
        tiles = basemap_tiles.write(tmp_path / "city.mbtiles")
    application = make_app(f"sqlite:///{tmp_path / 't.db'}", tmp_path / "i", BASEMAP_FILE=tiles)
    yield application
    with application.app_context():
        db.engine.dispose()


def test_the_intake_map_draws_the_server_s_own_tiles(live_server, page, make):
    operator = make(factories.user, Role.OPERATOR)
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", operator.username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"{live_server}/intake")
    expect(page.locator("img.leaflet-tile-loaded").first).to_be_attached(timeout=10_000)
    assert any("/tiles/" in url for url in page.requests_seen)
    outside = [
        u for u in page.requests_seen if not u.startswith(live_server) and not u.startswith("data:")
    ]
    assert outside == []
    assert page.csp_violations == []


# The colours of the canvas tiles holding more than the background: roads, the park, labels.
_DRAWN_TILES = """() => Array.from(document.querySelectorAll(
    '.leaflet-tile-pane canvas.leaflet-tile-loaded')).map(c => {
  const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const colours = new Set();
  for (let i = 0; i < data.length; i += 16) colours.add(data.slice(i, i + 4).join());
  return colours.size;
}).filter(n => n > 2).length"""


@pytest.mark.parametrize("app", ["vector"], indirect=True)
def test_the_intake_map_draws_vector_tiles_from_this_server_only(live_server, page, make):
    operator = make(factories.user, Role.OPERATOR)
    statuses = []
    page.on("response", lambda r: statuses.append((r.url, r.status)))
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", operator.username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"{live_server}/intake")
    expect(page.locator(".leaflet-tile-pane canvas.leaflet-tile").first).to_be_attached(
        timeout=10_000
    )
    lon, lat = basemap_tiles.GONGTI
    page.evaluate(f"window.hotlineMap.setView([{lat}, {lon}], 15)")
    page.wait_for_function(f"({_DRAWN_TILES})() > 0", timeout=10_000)
    tiles = [(url, status) for url, status in statuses if "/tiles/" in url]
    assert tiles and all(status in (200, 204) for _url, status in tiles)
    assert any(status == 200 for _url, status in tiles)
    # The districts still draw over the base map (Leaflet's overlay pane above the tiles).
    assert page.locator(".leaflet-overlay-pane path").count() > 0
    outside = [
        u for u in page.requests_seen if not u.startswith(live_server) and not u.startswith("data:")
    ]
    assert outside == []
    assert page.csp_violations == []
