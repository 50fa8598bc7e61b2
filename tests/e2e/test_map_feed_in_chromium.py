"""The dispatcher's map in Chromium follows the fleet through the change-only feed: after
100 vehicle moves made through the services, the deltas the page fetched carry those
vehicles only, and its markers equal the full feed."""

import time
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from hotline.core.accounts.roles import Role
from hotline.core.ems.vehicles import VehicleStatus
from hotline.models import Vehicle
from hotline.plugins import db
from hotline.services.ems import fleet, terminals
from tests import factories
from tests.e2e.test_intake_in_chromium import log_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]
FEED = "/api/v1/map/vehicles.geojson"
XSS = "<img src=x onerror=pwned=1>"
OUT_OF_SERVICE_COLOUR = "#718096"  # dispatch_map.js's colour for out_of_service
# Every vehicle marker Leaflet holds (vehicles are the features with a status).
MARKERS = """() => Object.values(window.hotlineMap._layers)
  .filter(l => l.feature && l.feature.properties.status !== undefined)
  .map(l => ({id: l.feature.properties.id, lat: l.getLatLng().lat, lon: l.getLatLng().lng,
              status: l.feature.properties.status, name: l.feature.properties.name,
              colour: l.options.fillColor}))"""
OPEN_POPUP = """(id) => {
  for (const l of Object.values(window.hotlineMap._layers)) {
    if (l.feature && l.feature.properties.id === id) { l.openPopup(); return; }
  }
}"""


def _markers(page) -> dict[int, tuple]:
    return {m["id"]: ((m["lon"], m["lat"]), m["status"], m["name"]) for m in page.evaluate(MARKERS)}


def _feed(feed: dict) -> dict[int, tuple]:
    return {
        f["properties"]["id"]: (
            tuple(f["geometry"]["coordinates"]),
            f["properties"]["status"],
            f["properties"]["name"],
        )
        for f in feed["features"]
    }


def test_the_map_applies_only_the_changes_and_ends_equal_to_the_full_feed(
    app, live_server, page, make
):
    ids = make(factories.ambulances, 300)
    with app.app_context():
        db.session.get(Vehicle, ids[7]).call_sign = XSS
        db.session.commit()
    dispatcher = make(factories.user, Role.EMS_DISPATCHER)
    answers = []
    page.on("response", lambda r: answers.append(r) if FEED in r.url else None)
    log_in(page, live_server, dispatcher.username)
    page.goto(f"{live_server}/ems/map")
    expect(page.locator("#map-status")).to_contain_text("300 / 0", timeout=10000)
    assert "since=" not in answers[0].url  # the full feed first

    # 100 moves through the services while the page polls: GPS fixes from the terminals,
    # ten of them also taken out of service by the dispatcher.
    moved, stopped = ids[:100], ids[:100:10]
    with app.app_context():
        for n, vehicle_id in enumerate(moved):
            terminals.record_position(
                db.session,
                vehicle_id=vehicle_id,
                lon=116.2 + n / 500,
                lat=39.8 + n / 1000,
                at=factories.NOW + timedelta(minutes=1),
            )
        for vehicle_id in stopped:
            fleet.change_status(
                db.session,
                actor_id=None,
                vehicle_id=vehicle_id,
                wanted=VehicleStatus.OUT_OF_SERVICE,
                at=factories.NOW + timedelta(minutes=1),
            )
    full = page.request.get(f"{live_server}{FEED}").json()
    assert full["full"] is True and len(full["features"]) == 300

    # Wait until a delta at the full feed's version has been applied.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        done = [a for a in answers[1:] if a.ok and a.json()["version"] >= full["version"]]
        if done and _markers(page) == _feed(full):
            break
        page.wait_for_timeout(250)
    assert _markers(page) == _feed(full)

    deltas = [a.json() for a in answers[1:]]
    assert all("since=" in a.url for a in answers[1:])  # no full reload after the first
    assert all(d["full"] is False for d in deltas)
    # Each delta resumes at the version the previous answer gave.
    versions = [answers[0].json()["version"]] + [d["version"] for d in deltas]
    for answer, since in zip(answers[1:], versions, strict=False):
        assert answer.url.endswith(f"since={since}")
    changed = [f["properties"]["id"] for d in deltas for f in d["features"]]
    assert set(changed) == set(moved)  # those vehicles, and only those
    markers = {m["id"]: m for m in page.evaluate(MARKERS)}
    assert {markers[i]["colour"] for i in stopped} == {OUT_OF_SERVICE_COLOUR}
    assert OUT_OF_SERVICE_COLOUR not in {markers[i]["colour"] for i in ids[1:10]}
    assert max(len(a.body()) for a in answers[1:]) < len(answers[0].body()) / 2

    # The popup of a vehicle moved by a delta shows its call sign as text.
    page.evaluate(OPEN_POPUP, ids[7])
    expect(page.locator(".leaflet-popup-content")).to_contain_text(XSS)
    assert page.locator(".leaflet-popup-content img").count() == 0
    assert page.evaluate("() => window.pwned") is None
    assert page.csp_violations == []
