"""The crew terminal in Chromium: a dispatch appears on the terminal, the crew acknowledges
it, and status buttons pressed offline arrive later with their original times, once each; a
refused token keeps the queue until the next sign-in, a refused update stays on the screen,
and signing out leaves nothing of the crew on the device."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from hotline.database import utcnow
from hotline.models import Assignment, Incident, IncidentEvent, TerminalReceipt
from hotline.plugins import db
from tests import factories_crew

XSS = '天安门<img src=x onerror="window.pwned=1">'
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def _count(app, statement):
    with app.app_context():
        return db.session.scalar(statement)


def _assignment(app, job_id):
    with app.app_context():
        return db.session.get(Assignment, job_id)


def _wait(predicate, seconds=5.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_dispatch_ack_and_offline_updates(app, live_server, page):
    app.config["EMS_STREAM_SECONDS"] = 3  # short streams: the server's threads end with the test
    with app.app_context():
        world = factories_crew.crew_world(utcnow())
    vid, token = world.vehicle_ids[0], world.tokens[0]
    page.goto(f"{live_server}/ems/terminal")
    page.fill("input[name=vehicle_id]", str(vid))
    page.fill("input[name=token]", token)
    page.click("#sign-in button[type=submit]")
    expect(page.locator("#no-job")).to_be_visible()
    expect(page.locator("#net")).to_have_class("net")  # online, not "net offline"

    with app.app_context():
        now = utcnow()
        incident_id, job_id = factories_crew.dispatch(
            world, vid, now - timedelta(seconds=30), now, address=XSS
        )
        number = db.session.get(Incident, incident_id).number
    dispatched = time.monotonic()
    expect(page.locator("#job-number")).to_have_text(number, timeout=3000)
    shown = time.monotonic() - dispatched
    assert shown < 1.5, f"the job took {shown:.2f} s to show"
    expect(page.locator("#job-phone")).to_have_attribute("href", f"tel:{factories_crew.CALLER}")
    expect(page.locator("#terminal")).to_have_class("terminal flash-alert")
    assert page.evaluate("window.crewTerminal.currentJob().job_id") == job_id
    # The caller's address is text on the map's label, never markup.
    expect(page.locator(".leaflet-tooltip").first).to_contain_text("<img src=x")
    assert page.evaluate("window.pwned") is None
    assert page.locator(".leaflet-tooltip img").count() == 0

    page.click("#ack")
    expect(page.locator("#ack")).to_be_hidden()
    _wait(lambda: _assignment(app, job_id).acknowledged_at is not None)
    stored = _assignment(app, job_id)
    answer_seconds = (stored.acknowledged_at - stored.dispatched_at).total_seconds()
    assert 0 < answer_seconds < 10

    # Offline: the crew presses two buttons; they are queued with the times of the touches.
    page.context.set_offline(True)
    before = datetime.now(UTC)
    page.click("button[data-status=en_route]")
    time.sleep(0.05)
    page.click("button[data-status=on_scene]")
    after = datetime.now(UTC)
    expect(page.locator("#queue")).not_to_have_text("")
    assert _assignment(app, job_id).en_route_at is None
    time.sleep(0.3)
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#queue")).to_have_text("", timeout=6000)
    sent = datetime.now(UTC)
    stored = _assignment(app, job_id)
    assert before <= stored.en_route_at < stored.on_scene_at <= after < sent
    for action in ("status_en_route", "status_on_scene", "acknowledge"):
        rows = select(func.count()).select_from(IncidentEvent).where(IncidentEvent.action == action)
        assert _count(app, rows) == 1, action
    assert _count(app, select(func.count()).select_from(TerminalReceipt)) == 3
    assert page.evaluate("JSON.parse(localStorage.getItem('crew.queue')).length") == 0

    # A refused token (reissued at the centre) keeps the queue until the crew signs in again.
    page.route("**/status", lambda route: route.fulfill(status=401, json={"error": "x"}))
    page.click("button[data-status=transporting]")
    expect(page.locator("#sign-in")).to_be_visible()
    expect(page.locator("#pending")).to_contain_text("1")
    assert page.evaluate("JSON.parse(localStorage.getItem('crew.queue')).length") == 1
    page.unroute("**/status")
    page.fill("input[name=vehicle_id]", str(vid))
    page.fill("input[name=token]", token)
    page.click("#sign-in button[type=submit]")
    expect(page.locator("#queue")).to_have_text("", timeout=5000)
    _wait(lambda: _assignment(app, job_id).transporting_at is not None)

    # An update the server refuses is kept in a list on the screen, not dropped.
    page.route("**/status", lambda route: route.fulfill(status=422, json={"description": "no"}))
    page.click("button[data-status=at_hospital]")
    expect(page.locator("#attention li")).to_contain_text("422 no")
    page.unroute("**/status")

    # Signing out with updates unsent asks first; then nothing of the crew stays on the device.
    page.context.set_offline(True)
    page.evaluate(
        "vid => { window.crewTerminal.send('POST', '/vehicles/' + vid + '/positions',"
        " {positions: [{lon: 116.4, lat: 39.9, at: new Date().toISOString()}]}); }",
        vid,
    )
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#sign-out")
    expect(page.locator("#main")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#sign-out")
    expect(page.locator("#sign-in")).to_be_visible()
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('crew.'))") == []
    page.context.set_offline(False)
