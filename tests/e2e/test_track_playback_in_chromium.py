"""Track playback in Chromium: an incident's vehicle drove across the city; the page draws
its track and the slider moves the vehicle: the map at the start and at the end of the
window differ, the clock shows local time, play moves the slider, and the status changes
are marked along the track."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from hotline.core.accounts.roles import Role
from hotline.core.ems.vehicles import VehicleStatus
from hotline.labels import INCIDENT_ACTION_LABELS
from hotline.plugins import db
from hotline.services.ems import fleet, terminals
from tests import factories
from tests.e2e.test_intake_in_chromium import log_in
from tests.factories import NOW, TIANANMEN

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]
SEEK = """(fraction) => {
  const s = document.getElementById('playback-slider');
  s.value = Number(s.min) + (Number(s.max) - Number(s.min)) * fraction;
  s.dispatchEvent(new Event('input'));
}"""


def test_the_slider_moves_the_vehicle_along_its_track(app, live_server, page, make):
    [vehicle_id] = make(factories.ambulances, 1)
    dispatcher = make(factories.user, Role.EMS_DISPATCHER)
    with app.app_context():
        incident = factories.dispatched_incident(dispatcher, vehicle_id, NOW, NOW)
        for minute in range(0, 31, 3):  # 30 minutes north-east, 0.6° in all
            terminals.record_position(
                db.session,
                vehicle_id=vehicle_id,
                lon=TIANANMEN[0] + minute * 0.02,
                lat=TIANANMEN[1] + minute * 0.01,
                at=NOW + timedelta(minutes=minute),
            )
        for minute, status in ((2, "en_route"), (12, "on_scene"), (30, "returning")):
            fleet.change_status(
                db.session,
                actor_id=dispatcher.id,
                vehicle_id=vehicle_id,
                wanted=VehicleStatus(status),
                at=NOW + timedelta(minutes=minute),
            )
        incident_id = incident.id
    log_in(page, live_server, dispatcher.username)
    page.goto(f"{live_server}/ems/tracks?incident={incident_id}")
    toggle = page.locator("#playback-toggle")
    expect(toggle).to_be_enabled(timeout=5000)
    expect(page.locator("#playback-clock")).to_have_text("2026/11/20 10:00:00")
    marks = page.evaluate(
        "() => Object.values(window.hotlineMap._layers).filter(l => l instanceof L.CircleMarker"
        " && l.getTooltip() && !l.getTooltip().options.permanent).map(l => l.getTooltip()"
        ".getContent().textContent)"
    )
    with app.test_request_context():  # the labels as the page shows them (Chinese)
        actions = ("dispatch", "status_en_route", "status_on_scene", "status_returning")
        labels = [str(INCIDENT_ACTION_LABELS[a]) for a in actions]
    assert [m[9:] for m in marks] == labels and labels[0] == "派车"
    page.wait_for_function("() => window.hotlineMap.getZoom() >= 10", timeout=3000)  # on the track
    map_box = page.locator(".folium-map")
    at_start = map_box.screenshot()
    page.evaluate(SEEK, 1)
    expect(page.locator("#playback-clock")).to_have_text("2026/11/20 10:30:01")
    at_end = map_box.screenshot()
    assert at_start != at_end
    page.evaluate(SEEK, 0)
    page.select_option("#playback-speed", "60")
    toggle.click()
    page.wait_for_timeout(400)
    toggle.click()
    assert int(page.evaluate("document.getElementById('playback-slider').value")) > round(
        NOW.timestamp() * 1000
    )
    assert page.csp_violations == []
