"""Hotspots on the pages and the API: who may read them, the map layer, `since`."""

from datetime import UTC, datetime, timedelta

from hotline.core.accounts.roles import Role
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.accounts import credentials
from hotline.services.hotspots import detection
from tests import factories, hotspot_day


def planted(app) -> str:
    """A small day with two planted hotspots ending now; a member order's number."""
    start = utcnow().replace(microsecond=0) - timedelta(hours=24)
    with app.app_context():
        clusters = hotspot_day.generate(db.session, start=start, orders=600, clusters=2)
        detection.run(db.session, utcnow())
        return sorted(clusters[0].numbers)[0]


def test_supervisors_see_hotspots_on_the_page_the_map_and_the_api(app, make, login):
    number = planted(app)
    supervisor = login(make(factories.user, Role.SUPERVISOR))
    page = supervisor.get("/hotspots")
    assert page.status_code == 200 and number in page.get_data(as_text=True)
    layer = supervisor.get("/hotspots/layer.geojson").get_json()
    assert len(layer["features"]) == 2
    assert {f["properties"]["state"] for f in layer["features"]} == {"open"}
    for role in (Role.OPERATOR, Role.DEPARTMENT, Role.SYSTEM_ADMIN):
        other = login(
            make(factories.user, role, "东城区城市管理委员会" if role is Role.DEPARTMENT else None)
        )
        assert other.get("/hotspots").status_code == 403

    official = make(factories.user, Role.OFFICIAL)
    with app.app_context():
        token = credentials.issue_user_token(db.session, official.id, now=utcnow(), days=1)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    items = api.get("/api/v1/hotspots", headers=headers).get_json()["items"]
    assert len(items) == 2 and any(number in i["order_numbers"] for i in items)
    assert all(i["orders"] >= 5 and i["radius_m"] == 300 for i in items)
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    after = api.get("/api/v1/hotspots", query_string={"since": later}, headers=headers)
    assert after.get_json()["items"] == []
    # Not a time; no time zone; beyond the dates a database holds.
    for bad in (
        "yesterday",
        "2026-11-20T10:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
    ):
        refused = api.get("/api/v1/hotspots", query_string={"since": bad}, headers=headers)
        assert refused.status_code == 400
