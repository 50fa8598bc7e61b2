"""The hall screen's wallboard in a real browser: it fits 1920x1080 without scrolling,
shows a new order without a reload, and asks nothing of any other host."""

import pytest
from playwright.sync_api import expect

from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.accounts import wallboard_token
from hotline.services.hotspots import detection
from hotline.services.reports import wallboard
from tests import factories

pytestmark = [
    pytest.mark.e2e,
    # As in test_intake_in_chromium.py: the development server's 304s on static files.
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def test_the_hall_screen_fits_and_updates_itself(app, live_server, page, make):
    wallboard.forget()
    make(factories.order, now=utcnow())
    with app.app_context():
        token = wallboard_token.issue(db.session, now=utcnow(), days=1)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server}/wallboard?token={token}")
    assert page.url == f"{live_server}/wallboard"  # the token leaves the address bar
    total = page.locator("[data-figure='orders.total']")
    expect(total).to_have_text("1", timeout=10_000)
    expect(page.locator("#wb-hotspots-off")).to_be_visible()
    expect(page.locator("#wb-telephony-off")).to_be_visible()
    expect(page.locator("#wb-categories li")).to_have_count(1)
    expect(page.locator("#wb-map path.leaflet-interactive").first).to_be_attached()
    assert page.evaluate("document.scrollingElement.scrollHeight") <= 1080
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 1920
    page.evaluate("window.notReloaded = true")

    make(factories.order, now=utcnow())
    expect(total).to_have_text("2", timeout=20_000)  # the next refresh after the cache
    assert page.evaluate("window.notReloaded") is True

    # Three more noise complaints at the same spot make a hotspot: it appears on the map.
    for _ in range(3):
        make(factories.order, now=utcnow())
    with app.app_context():
        assert len(detection.run(db.session, utcnow()).raised) == 1
    expect(page.locator("#wb-hotspots-off")).to_be_hidden(timeout=20_000)
    expect(page.locator(".leaflet-tooltip").first).to_contain_text("· 5")
    assert page.evaluate("window.notReloaded") is True
    assert page.evaluate("document.scrollingElement.scrollHeight") <= 1080

    outside = [u for u in page.requests_seen if not u.startswith(live_server)]
    assert [u for u in outside if not u.startswith("data:")] == []
    assert page.csp_violations == []
    wallboard.forget()
