"""A 120 dispatcher in a real browser: the call form, the live map, escaped popups."""

import pytest
from playwright.sync_api import expect

from hotline.core.accounts.roles import Role
from tests import factories
from tests.e2e.test_intake_in_chromium import log_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]
XSS = '<img src=x onerror="window.pwned=1">'
OPEN_INCIDENT_POPUP = """() => {
  for (const layer of Object.values(window.hotlineMap._layers)) {
    if (layer.getPopup && layer.getPopup() && layer.options.fillColor === '#f56565') {
      layer.openPopup();
      return;
    }
  }
}"""


def test_call_dispatch_and_the_live_map(live_server, page, make):
    make(factories.ambulances, 30)
    dispatcher = make(factories.user, Role.EMS_DISPATCHER)
    log_in(page, live_server, dispatcher.username)
    page.goto(f"{live_server}/ems")
    box = page.locator(".folium-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    expect(page.locator("#lon")).not_to_have_value("")
    page.fill("#lon", str(factories.TIANANMEN[0]))
    page.fill("#lat", str(factories.TIANANMEN[1]))
    page.fill("textarea[name=complaint]", f"胸痛 {XSS}")
    page.check("input[name=triage_level][value='1']")
    page.click("button.primary")
    page.wait_for_selector("text=推荐车辆")
    page.click("button.primary")  # the nearest vehicle is ticked
    page.wait_for_selector("text=已派车")
    incident_url = page.url

    page.goto(f"{live_server}/ems/map")
    # Vehicles and the incident are drawn on the canvas; the status line counts them.
    expect(page.locator("#map-status")).to_contain_text("30 / 1", timeout=10000)
    canvas_paths = page.evaluate("() => Object.keys(window.hotlineMap._layers).length")
    assert canvas_paths > 30
    # Open the incident's popup through Leaflet and check the text went in as text.
    page.evaluate(OPEN_INCIDENT_POPUP)
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("<img src=x")
    expect(popup).to_contain_text("T1-")  # the recommendation was fetched
    assert page.evaluate("() => window.pwned") is None
    assert page.locator(".leaflet-popup-content img").count() == 0
    page.goto(incident_url)
    assert page.evaluate("() => window.pwned") is None
    outside = [
        u for u in page.requests_seen if not u.startswith(live_server) and not u.startswith("data:")
    ]
    assert outside == []
    assert page.csp_violations == []
