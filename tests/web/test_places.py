"""The gazetteer's pages and API: suggestions (session and token), nearest place, the
admin's import with a bad row (nothing imported, the line shown), candidates accepted."""

import io

from hotline.core.accounts.roles import Role
from hotline.database import utcnow
from hotline.demo.places import seed_places
from hotline.plugins import db
from hotline.services.accounts import credentials
from tests import factories


def _seed(app):
    with app.app_context():
        seed_places(db.session, utcnow())


def test_the_api_suggests_places_for_a_users_token(app, make):
    _seed(app)
    operator = make(factories.user, Role.OPERATOR)
    admin = make(factories.user, Role.SYSTEM_ADMIN)
    with app.app_context():
        token = credentials.issue_user_token(db.session, operator.id, now=utcnow(), days=90)
        admin_token = credentials.issue_user_token(db.session, admin.id, now=utcnow(), days=90)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    answer = client.get("/api/v1/places?q=gtbl&k=2", headers=headers)
    assert answer.status_code == 200
    items = answer.get_json()["items"]
    assert items[0] == {
        "name": "工体北路",
        "kind": "road",
        "lon": 116.444,
        "lat": 39.9335,
        "district": "朝阳区",
    }
    assert len(items) <= 2
    assert client.get("/api/v1/places?q=gtbl").status_code == 401
    assert client.get("/api/v1/places?k=3", headers=headers).status_code == 400
    assert client.get("/api/v1/places?q=x&k=99", headers=headers).status_code == 400
    admin_headers = {"Authorization": f"Bearer {admin_token}"}
    assert client.get("/api/v1/places?q=x", headers=admin_headers).status_code == 403


def test_the_address_box_suggests_and_a_map_click_names_the_nearest(app, make, login):
    _seed(app)
    browser = login(make(factories.user, Role.OPERATOR))
    items = browser.get("/places/suggest?q=朝阳医院").get_json()["items"]
    assert items[0]["name"] == "北京朝阳医院" and items[0]["kind"] == "hospital"
    near = browser.get("/places/nearest?lon=116.4526&lat=39.9241").get_json()
    assert near["item"]["name"] == "北京朝阳医院" and near["distance_m"] < 20
    assert browser.get("/places/nearest?lon=80&lat=20").get_json()["item"] is None
    assert browser.get("/places/nearest?lon=abc&lat=1").status_code == 400
    assert browser.get("/places/nearest?lon=nan&lat=1").status_code == 400
    page = browser.get("/intake").get_data(as_text=True)
    assert 'data-places-url="/places/suggest"' in page and "js/places.js" in page
    department = login(make(factories.user, Role.DEPARTMENT, "东城区城市管理委员会"))
    assert department.get("/places/suggest?q=gtbl").status_code == 403


def test_an_import_with_a_bad_row_imports_nothing_and_names_the_line(app, make, login):
    browser = login(make(factories.user, Role.SYSTEM_ADMIN))
    assert 'name="file"' in browser.get("/admin/places").get_data(as_text=True)
    bad = "name,kind,lon,lat,district\n甲小区,小区,116.4,39.9,东城区\n乙小区,小区,999,39.9,东城区\n"
    answer = browser.post(
        "/admin/places/import", data={"file": (io.BytesIO(bad.encode()), "places.csv")}
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "<td>3</td>" in page and "甲小区" not in page
    assert browser.get("/places/suggest?q=甲").status_code == 403  # the admin takes no calls
    for name, data in (("x.txt", b"name\n"), ("x.csv", b"\xff\xfe"), ("x.geojson", b"[1]")):
        answer = browser.post("/admin/places/import", data={"file": (io.BytesIO(data), name)})
        assert answer.status_code == 422
    good = bad.replace("999", "116.5")
    answer = browser.post(
        "/admin/places/import", data={"file": (io.BytesIO(good.encode()), "places.csv")}
    )
    assert answer.status_code == 303
    again = browser.post(
        "/admin/places/import", data={"file": (io.BytesIO(good.encode()), "places.csv")}
    )
    assert again.status_code == 303
    with app.app_context():
        from hotline.services.places import gazetteer

        assert gazetteer.counts(db.session) == {"import": 2}  # updated, not added again


def test_an_admin_accepts_a_candidate_from_an_order(app, make, login):
    make(factories.order, address="团结湖路12号院", lon="116.4650", lat="39.9300")
    make(factories.order, address="某某胡同", lon="116.4010", lat="39.9300")
    browser = login(make(factories.user, Role.SYSTEM_ADMIN))
    page = browser.get("/admin/places").get_data(as_text=True)
    assert "团结湖路12号院" in page and "某某胡同" in page
    with app.app_context():
        from hotline.services.places import candidates

        ids = {c.address: c.candidate_id for c in candidates.waiting(db.session)}
    answer = browser.post(
        "/admin/places/candidates",
        data={
            "candidate_id": ids["团结湖路12号院"],
            "decision": "accept",
            "name": "团结湖路12号院",
            "kind": "compound",
        },
    )
    assert answer.status_code == 303
    rejected = browser.post(
        "/admin/places/candidates", data={"candidate_id": ids["某某胡同"], "decision": "reject"}
    )
    assert rejected.status_code == 303
    twice = browser.post(
        "/admin/places/candidates", data={"candidate_id": ids["某某胡同"], "decision": "accept"}
    )
    assert twice.status_code == 303  # already decided: a message, no 500
    for bad in ({"candidate_id": "x"}, {"candidate_id": "99999999"}):
        assert browser.post("/admin/places/candidates", data=bad).status_code == 303
    operator = login(make(factories.user, Role.OPERATOR))
    names = [i["name"] for i in operator.get("/places/suggest?q=tjhl").get_json()["items"]]
    assert names == ["团结湖路12号院"]


def test_the_import_command_reports_bad_rows_by_line(app, tmp_path):
    bad = tmp_path / "places.csv"
    bad.write_text("名称,类型,经度,纬度,区\n甲小区,小区,116.4,39.9,东城区\n乙,路,116.4,,东城区\n")
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["hotline", "import-places", str(bad)])
    assert refused.exit_code == 1 and "line 3: lon/lat" in refused.output
    good = tmp_path / "places.geojson"
    good.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"name": "甲小区", "kind": "compound"}, "geometry": {"type": "Point", '
        '"coordinates": [116.4, 39.9]}}]}'
    )
    done = runner.invoke(args=["hotline", "import-places", str(good)])
    assert done.exit_code == 0 and "1 places added" in done.output


def test_the_120_call_and_booking_forms_have_the_address_box(make, login):
    dispatcher = login(make(factories.user, Role.EMS_DISPATCHER))
    for url in ("/ems", "/ems/bookings"):
        page = dispatcher.get(url).get_data(as_text=True)
        assert 'data-places-url="/places/suggest"' in page, url
        assert "js/places.js" in page, url


def test_a_point_near_a_pole_is_refused_not_searched_for_ever(make, login):
    operator = login(make(factories.user, Role.OPERATOR))
    for lat in ("90", "-90", "89.9"):
        answer = operator.get(f"/places/nearest?lon=116.4&lat={lat}")
        assert answer.status_code == 400, lat
