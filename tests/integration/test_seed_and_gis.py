import json

import geopandas as gpd
from sqlalchemy import func, select

from hotline.core.telephony.line import digest_ha1
from hotline.database import utcnow
from hotline.models import Category, Department, District, SecurityEvent, User, WorkOrder
from hotline.plugins import db
from hotline.services.accounts.credentials import user_for_token
from hotline.services.ems.terminals import vehicle_for_token
from hotline.services.orders import queries
from hotline.services.reference import cache
from hotline.services.telephony.credentials import ha1_of
from tests.conftest import BEIJING


def counts():
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (District, Department, Category, User, WorkOrder)
    }


def test_seed_demo_twice_adds_nothing_the_second_time(app, tmp_path):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["hotline", "seed-demo", "--orders", "30"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        after_first = counts()
        synthetic = db.session.scalar(select(func.count(WorkOrder.id)).where(WorkOrder.synthetic))
    assert after_first["District"] == 16
    assert after_first["Category"] >= 50 and after_first["Department"] >= 16 * 12
    assert synthetic >= 30
    with app.app_context():
        demo_staff = db.session.scalar(select(User).where(User.username == "dept"))
        desk = db.session.scalar(select(User).where(User.username == "desk"))
        # Every demo login has work to show.
        assert queries.department_queue(db.session, demo_staff)
        queues = queries.desk_queues(db.session, desk)
        assert queues["unrouted"] and queues["returned"] and queues["review"]
        # The synthetic handlers are flagged (the admin list leaves them out); logins are not.
        flagged = set(db.session.scalars(select(User.username).where(User.synthetic)))
        assert flagged and all(name.startswith("staff-") for name in flagged)
        assert not flagged & {"dept", "desk", "admin"}
    saved = json.loads((tmp_path / "instance" / "demo-credentials.json").read_text("utf-8"))
    assert len(saved["users"]) == 14  # with the knowledge editor and the 120 desks
    # The 120 desks work: the station's and hospital's accounts have their workplaces, the
    # demo ambulance's terminal and the linked centre's tokens open what they should.
    terminal, linked = saved["ems_desks"]["terminal"], saved["ems_desks"]["link110"]
    with app.app_context():
        desks = {
            u.username: u
            for u in db.session.scalars(
                select(User).where(User.role.in_(["ems_station", "hospital"]))
            )
        }
        assert desks["station"].station_id and desks["hospital"].hospital_id
        assert vehicle_for_token(db.session, terminal["token"]).id == terminal["vehicle_id"]
        assert user_for_token(db.session, linked, now=utcnow()).username == "link110"
    # Everyone who answers calls has a phone extension whose password opens it.
    assert set(saved["sip"]) == {"operator", "desk", "ems", "survey", "supervisor"}
    with app.app_context():
        for phone in saved["sip"].values():
            assert ha1_of(db.session, phone["extension"]) == digest_ha1(
                phone["extension"], "hotline", phone["password"]
            )
    second = runner.invoke(args=["hotline", "seed-demo", "--orders", "30"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert counts() == after_first
    again = json.loads((tmp_path / "instance" / "demo-credentials.json").read_text("utf-8"))
    assert again == saved
    for role in (
        "operator",
        "desk",
        "department",
        "ems_dispatcher",
        "survey",
        "supervisor",
        "official",
        "system_admin",
        "security_admin",
        "audit_admin",
        "ems_station",
        "hospital",
        "linked_centre",
    ):
        assert role in first.output


def test_import_gis_reprojects_a_shapefile(app, tmp_path):
    frame = gpd.read_file(BEIJING).head(2).to_crs(epsg=3857)
    frame["code"] = ["X1", "X2"]
    frame["name"] = ["测试区一", "测试区二"]
    shapefile = tmp_path / "districts.shp"
    frame[["code", "name", "geometry"]].to_file(shapefile, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["hotline", "import-gis", str(shapefile)])
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output
    with app.app_context():
        ctx = cache.context(db.session)
        # The first feature of the Beijing file is 东城区; Tiananmen is inside it.
        assert ctx.index.locate(116.3975, 39.9087).code in {"110101", "X1"}
        assert ctx.index.get("X1").name == "测试区一"
        lon, lat = ctx.index.get("X1").geometry.representative_point().coords[0]
        assert 115 < lon < 118 and 39 < lat < 42  # degrees again, not metres


def test_import_gis_with_missing_fields_fails_clearly(app, tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": []}), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["hotline", "import-gis", str(bad)])
    assert result.exit_code != 0
    assert "missing" in result.output


def test_create_user_and_reset_password_commands(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["hotline", "create-user", "--username", "chief", "--role", "security_admin"],
        input="A-long-password-1\nA-long-password-1\n",
    )
    assert result.exit_code == 0, result.output
    weak = runner.invoke(
        args=["hotline", "create-user", "--username", "weak", "--role", "operator"],
        input="a-long-password\na-long-password\n",
    )
    assert weak.exit_code != 0 and "password_too_simple" in weak.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "chief"))
        # The holder typed their own password at the console: no change forced.
        assert (user.role, user.must_change_password) == ("security_admin", False)
    reset = runner.invoke(
        args=["hotline", "reset-password", "--username", "chief"],
        input="Another-password-2\nAnother-password-2\n",
    )
    assert reset.exit_code == 0, reset.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "chief"))
        assert user.must_change_password
        kinds = db.session.scalars(
            select(SecurityEvent.kind).where(SecurityEvent.subject_user_id == user.id)
        ).all()
        assert kinds == ["account_created", "password_changed"]
