"""The 120 console through the pages and the JSON API: call, lock warning, recommendation,
dispatch, slip, statuses, withdrawal, escaping and tokens."""

import re
import subprocess

from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.database import utcnow
from hotline.models import Hospital, Incident, Station, Vehicle
from hotline.plugins import db
from hotline.services.accounts import credentials
from hotline.services.ems import terminals
from tests import factories

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
CALL = {
    "caller_phone": "13912345678",
    "complaint": "胸痛30分钟",
    "triage_level": "1",
    "lon": str(factories.TIANANMEN[0]),
    "lat": str(factories.TIANANMEN[1]),
}


def new_incident(browser, **overrides) -> int:
    response = browser.post("/ems/incidents", {**CALL, **overrides})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(re.search(r"/ems/incidents/(\d+)", response.headers["Location"]).group(1))


def test_call_recommend_dispatch_slip_and_close(make, query, login, tmp_path):
    ids = make(factories.ambulances, 5)
    ems_user = login(make(factories.user, Role.EMS_DISPATCHER))
    incident_id = new_incident(ems_user, capability="chest_pain")
    page = ems_user.get(f"/ems/incidents/{incident_id}").get_data(as_text=True)
    assert "推荐车辆" in page and "T1-" in page and "估" in page
    recommended = re.findall(r'name="recommended" value="(\d+)"', page)
    assert len(recommended) == 3
    response = ems_user.post(
        f"/ems/incidents/{incident_id}/dispatch",
        {"vehicle_id": recommended[0], "recommended": recommended},
        follow_redirects=True,
    )
    assert "已派车" in response.get_data(as_text=True)
    vehicle = query(lambda: db.session.get(Vehicle, int(recommended[0])))
    assert vehicle.status == "dispatched" and vehicle.incident_id == incident_id
    slip = ems_user.get(f"/ems/incidents/{incident_id}/slip").get_data(as_text=True)
    assert "派车单" in slip and vehicle.call_sign in slip
    pdf = ems_user.get(f"/ems/incidents/{incident_id}/slip.pdf")
    assert pdf.mimetype == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf.data, capture_output=True, check=True)
    assert "派车单" in text.stdout.decode() and vehicle.call_sign in text.stdout.decode()
    (tmp_path / "slip.pdf").write_bytes(pdf.data)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "slip.pdf")], capture_output=True, text=True)
    assert re.search(r"WenQuanYiMicroHei\S*\s+TrueType\s+\S+\s+yes", fonts.stdout)
    refused = ems_user.post(f"/ems/incidents/{incident_id}/close", follow_redirects=True)
    assert "仍有车辆" in refused.get_data(as_text=True)
    for status in ("en_route", "on_scene", "returning", "available"):
        data = {"status": status, "incident_id": incident_id}
        assert ems_user.post(f"/ems/vehicles/{vehicle.id}/status", data).status_code == 303
    ems_user.post(f"/ems/incidents/{incident_id}/close")
    assert query(lambda: db.session.get(Incident, incident_id)).state == "closed"
    assert len(ids) == 5


def test_a_taken_vehicle_gives_a_clear_message(make, login):
    [only] = make(factories.ambulances, 1)
    first = login(make(factories.user, Role.EMS_DISPATCHER))
    a, b = new_incident(first), new_incident(first)
    first.post(f"/ems/incidents/{a}/dispatch", {"vehicle_id": only, "recommended": only})
    response = first.post(
        f"/ems/incidents/{b}/dispatch",
        {"vehicle_id": only, "recommended": only},
        follow_redirects=True,
    )
    assert "另一名调度员刚刚派出了该车" in response.get_data(as_text=True)


def test_a_locked_number_warns_before_anything(make, query, login):
    supervisor = login(make(factories.user, Role.SUPERVISOR))
    supervisor.post("/ems/locks", {"phone": "13912345678", "hours": "24", "reason": "多次恶意呼叫"})
    dispatcher = login(make(factories.user, Role.EMS_DISPATCHER))
    assert dispatcher.get("/ems/lock?phone=139-1234-5678").get_json()["locked"] is True
    warned = dispatcher.post("/ems/incidents", CALL)
    assert warned.status_code == 409 and "多次恶意呼叫" in warned.get_data(as_text=True)
    assert query(lambda: db.session.scalar(select(Incident.id))) is None
    new_incident(dispatcher, confirm_locked="on")


def test_withdrawal_releases_vehicles(make, query, login):
    [vid] = make(factories.ambulances, 1)
    dispatcher = login(make(factories.user, Role.EMS_DISPATCHER))
    incident_id = new_incident(dispatcher)
    dispatcher.post(
        f"/ems/incidents/{incident_id}/dispatch", {"vehicle_id": vid, "recommended": vid}
    )
    dispatcher.post(
        f"/ems/incidents/{incident_id}/withdraw", {"reason": "false_alarm", "note": "误报"}
    )
    assert query(lambda: db.session.get(Incident, incident_id)).state == "withdrawn"
    assert query(lambda: db.session.get(Vehicle, vid)).status == "available"


def test_text_is_escaped_on_pages_and_in_the_feeds(make, login):
    make(factories.ambulances, 2)
    dispatcher = login(make(factories.user, Role.EMS_DISPATCHER))
    incident_id = new_incident(dispatcher, complaint=XSS, address=XSS)
    for url in (
        f"/ems/incidents/{incident_id}",
        "/ems",
        "/ems/map",
        "/ems/director",
        f"/ems/incidents/{incident_id}/slip",
    ):
        page = dispatcher.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page, url
    feed = dispatcher.get("/api/v1/map/incidents.geojson")
    raw = feed.get_data(as_text=True)
    assert "<script" not in raw and "<img" not in raw
    assert feed.get_json()["features"][0]["properties"]["text"] == XSS  # data intact
    pdf = dispatcher.get(f"/ems/incidents/{incident_id}/slip.pdf")
    assert pdf.status_code == 200


def test_roles(make, login):
    department = login(make(factories.user, Role.DEPARTMENT, "东城区城市管理委员会"))
    for url in ("/ems", "/ems/map", "/api/v1/map/vehicles.geojson", "/ems/locks"):
        assert department.get(url).status_code == 403, url
    dispatcher = login(make(factories.user, Role.EMS_DISPATCHER))
    assert dispatcher.get("/ems/locks").status_code == 403
    assert dispatcher.get("/").headers["Location"].endswith("/ems")


def test_officials_read_the_directors_figures_without_chief_complaints(make, login):
    make(factories.ambulances, 1)
    dispatcher = login(make(factories.user, Role.EMS_DISPATCHER))
    new_incident(dispatcher, complaint="胸痛伴大汗")
    assert "胸痛伴大汗" in dispatcher.get("/ems/director").get_data(as_text=True)
    official = login(make(factories.user, Role.OFFICIAL))
    page = official.get("/ems/director")
    assert page.status_code == 200 and "胸痛伴大汗" not in page.get_data(as_text=True)


def test_recommend_api_and_terminals(app, make, login):
    ids = make(factories.ambulances, 4)
    with app.app_context():
        ems_user = factories.user(Role.EMS_DISPATCHER)
        now = utcnow()
        token = credentials.issue_user_token(db.session, ems_user.id, now=now, days=90)
        operator = factories.user(Role.OPERATOR)
        operator_token = credentials.issue_user_token(db.session, operator.id, now=now, days=90)
        terminal = terminals.issue_terminal_token(db.session, ids[0], now=now)
    client = app.test_client()
    url = "/api/v1/dispatch/recommend?lon=116.3975&lat=39.9087&k=2"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": f"Bearer {operator_token}"}).status_code == 403
    body = client.get(url, headers={"Authorization": f"Bearer {token}"}).get_json()
    assert (
        len(body["vehicles"]) == 2
        and body["vehicles"][0]["distance_m"] <= body["vehicles"][1]["distance_m"]
    )
    assert {"vehicle_id", "station", "distance_m", "minutes"} <= set(body["vehicles"][0])
    bad = client.get(
        "/api/v1/dispatch/recommend?lon=abc&lat=1", headers={"Authorization": f"Bearer {token}"}
    )
    assert bad.status_code == 400
    auth = {"Authorization": f"Bearer {terminal}"}
    fix = {"positions": [{"lon": 116.40, "lat": 39.91, "at": "2026-11-23T10:00:00+08:00"}]}
    assert (
        client.post(f"/api/v1/vehicles/{ids[0]}/positions", json=fix, headers=auth).status_code
        == 201
    )
    assert (
        client.post(f"/api/v1/vehicles/{ids[1]}/positions", json=fix, headers=auth).status_code
        == 403
    )
    refused = client.post(
        f"/api/v1/vehicles/{ids[0]}/status", json={"status": "on_scene"}, headers=auth
    )
    assert refused.status_code == 422
    assert (
        client.post(f"/api/v1/vehicles/{ids[0]}/status", json=[1], headers=auth).status_code == 400
    )
    with app.app_context():
        vehicle = db.session.get(Vehicle, ids[0])
        assert (vehicle.lon, vehicle.lat) == (116.40, 39.91)
        assert (
            len(
                terminals.track(
                    db.session,
                    vehicle_id=ids[0],
                    start=vehicle.position_at,
                    end=vehicle.position_at.replace(year=2027),
                )
            )
            == 1
        )


def test_bookings_page(make, login):
    desk = login(make(factories.user, Role.EMS_DISPATCHER))
    data = {"pickup_at": "2030-01-02T09:00", "lon": "116.4", "lat": "39.9", "note": "透析<b>"}
    response = desk.post("/ems/bookings", data, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已保存" in page and "透析&lt;b&gt;" in page
    bad = desk.post(
        "/ems/bookings", {**data, "pickup_at": "2001-01-01T09:00"}, follow_redirects=True
    )
    assert "请选择将来的时间" in bad.get_data(as_text=True)


def test_admins_maintain_stations_hospitals_and_ambulances(make, query, login):
    admin = login(make(factories.user, Role.SYSTEM_ADMIN))
    admin.post("/admin/ems/stations", {"name": "新站<i>", "lon": "116.40", "lat": "39.91"})
    station_id = query(
        lambda: db.session.scalar(select(Station.id).where(Station.name == "新站<i>"))
    )
    admin.post(
        "/admin/ems/hospitals",
        {"name": "新医院", "lon": "116.41", "lat": "39.92", "capability": ["stroke", "burns"]},
    )
    admin.post("/admin/ems/vehicles", {"call_sign": "N-1", "station_id": station_id})
    page = admin.get("/admin/ems").get_data(as_text=True)
    assert "新站&lt;i&gt;" in page and "卒中中心" in page and "N-1" in page
    bad = admin.post(
        "/admin/ems/stations", {"name": "", "lon": "x", "lat": "1"}, follow_redirects=True
    )
    assert "必填" in bad.get_data(as_text=True)
    vid = query(lambda: db.session.scalar(select(Vehicle.id).where(Vehicle.call_sign == "N-1")))
    security = login(make(factories.user, Role.SECURITY_ADMIN))
    token_page = security.post(f"/admin/tokens/vehicles/{vid}")
    assert token_page.status_code == 200 and "session" not in token_page.headers.get(
        "Set-Cookie", ""
    )  # shown in the page, never in a flash message (which lives in the session cookie)
    token = re.search(r"<code>([A-Za-z0-9_\-]{40,})</code>", token_page.get_data(as_text=True))[1]
    admin.post(f"/admin/ems/vehicles/{vid}/out_of_service")
    assert query(lambda: db.session.get(Vehicle, vid)).status == "out_of_service"
    assert (
        admin.app.test_client()
        .post(
            f"/api/v1/vehicles/{vid}/positions",
            json={"lon": 116.4, "lat": 39.9},
            headers={"Authorization": f"Bearer {token}"},
        )
        .status_code
        == 201
    )
    dispatcher = login(make(factories.user, Role.EMS_DISPATCHER))
    assert dispatcher.get("/admin/ems").status_code == 403


def test_admins_change_stations_hospitals_and_ambulances(make, query, login):
    [vid] = make(factories.ambulances, 1)
    station_id = query(lambda: db.session.scalar(select(Station.id)))
    admin = login(make(factories.user, Role.SYSTEM_ADMIN))
    admin.post(
        f"/admin/ems/stations/{station_id}", {"name": "改名站", "lon": "116.5", "lat": "39.95"}
    )
    station = query(lambda: db.session.get(Station, station_id))
    assert (station.name, station.lon, station.district_id is not None) == ("改名站", 116.5, True)
    admin.post("/admin/ems/hospitals", {"name": "医院甲", "lon": "116.41", "lat": "39.92"})
    hospital_id = query(lambda: db.session.scalar(select(Hospital.id)))
    changed = {"name": "医院乙", "lon": "116.41", "lat": "39.92", "capability": "trauma"}
    admin.post(f"/admin/ems/hospitals/{hospital_id}", changed)
    assert query(lambda: db.session.get(Hospital, hospital_id)).capabilities == "trauma"
    admin.post(f"/admin/ems/vehicles/{vid}", {"call_sign": "R-9", "station_id": station_id})
    assert query(lambda: db.session.get(Vehicle, vid)).call_sign == "R-9"
    assert (
        admin.post(
            "/admin/ems/stations/999999", {"name": "x", "lon": "116", "lat": "40"}
        ).status_code
        == 404
    )


def test_terminal_clock_ahead_and_the_12345_desk_sees_no_complaints(app, make, login):
    [vid] = make(factories.ambulances, 1)
    with app.app_context():
        token = terminals.issue_terminal_token(db.session, vid, now=utcnow())
    ahead = {"lon": 116.4, "lat": 39.9, "at": "2099-01-01T00:00:00+08:00"}
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert (
        client.post(f"/api/v1/vehicles/{vid}/positions", json=ahead, headers=headers).status_code
        == 400
    )
    ems_desk = login(make(factories.user, Role.EMS_DISPATCHER))
    new_incident(ems_desk)
    desk = login(make(factories.user, Role.DESK))
    [feature] = desk.get("/api/v1/map/incidents.geojson").get_json()["features"]
    assert feature["properties"]["text"] == ""
