"""The intake map over a raster tile file served by the app itself: the tiles load from
/tiles/ under the district polygons, and the page asks nothing of any other server."""

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
def app(tmp_path):
    """The test app with a base-map tile file around Tiananmen."""
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
