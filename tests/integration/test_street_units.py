"""接诉即办: the 343 街乡镇 as handling units, 属地 categories routed to the 街乡镇 of the
location (from the operator's choice or the typed address), and /api/v1/locate."""

import csv
from pathlib import Path

from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.core.units.kinds import STREET, STREET_KIND
from hotline.database import utcnow
from hotline.models import Department, District
from hotline.plugins import db
from hotline.services.accounts import credentials
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "gis_data" / "beijing_streets.csv"
SANLITUN = "110105004"  # 朝阳区三里屯街道


def _source_units() -> dict[str, tuple[str, str]]:
    with SOURCE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {
        r["code"]: (r["name"], r["district_code"]) for r in rows if r["level"] != "special_zone"
    }


def test_the_343_units_are_seeded_under_their_districts(app):
    source = _source_units()
    assert len(source) == 343
    with app.app_context():
        districts = {d.id: d for d in db.session.scalars(select(District))}
        units = db.session.scalars(select(Department).where(Department.level == STREET)).all()
        seeded = {
            u.code: (u.name, districts[u.district_id].code, districts[u.district_id].name, u.kind)
            for u in units
        }
    assert set(seeded) == set(source)
    for code, (name, district_code) in source.items():
        unit_name, unit_district, district_name, kind = seeded[code]
        assert unit_district == district_code == code[:6], code
        assert unit_name == district_name + name and kind == STREET_KIND


def test_seeding_again_adds_nothing(app):
    from hotline.services.units import divisions, organisation

    with app.app_context():
        again = organisation.seed_streets(db.session, divisions.load_divisions(SOURCE.parent)[1])
    assert (again.added, again.updated) == (0, 0)


def _street_order(**form):
    """占道经营 (属地) with no point unless given: the address or the choice decides."""
    return factories.order(**{"category_code": "0104", "lon": None, "lat": None, **form})


def test_a_local_matter_goes_to_the_street_the_address_names(app):
    with app.app_context():
        order = _street_order(address="北京市朝阳区三里屯街道工体北路8号院")
        unit = db.session.get(Department, order.department_id)
        assert (order.street_code, order.routing_reason) == (SANLITUN, "street_kind")
        assert unit.code == SANLITUN and unit.name == "朝阳区三里屯街道"
        assert order.state == "routed"


def test_the_operators_choice_wins_over_the_address(app):
    with app.app_context():
        chosen = "110105013"  # 朝阳区团结湖街道
        order = _street_order(address="朝阳区三里屯工体北路8号院", street_code=chosen)
        assert order.street_code == chosen
        assert db.session.get(Department, order.department_id).code == chosen


def test_an_unknown_street_leaves_a_local_matter_to_the_desk(app):
    with app.app_context():
        order = _street_order(address="海淀区中关村大街27号")  # a road through several 街道
        assert order.street_code is None and order.department_id is None
        assert (order.state, order.routing_reason) == ("registered", "no_street")
        # Other categories still go to their district body by the address's district.
        noise = factories.order(
            category_code="0401", address="海淀区中关村大街27号", lon=None, lat=None
        )
        assert db.session.get(Department, noise.department_id).name == "海淀区城市管理委员会"


def test_a_street_of_another_district_than_the_point_is_not_taken(app):
    with app.app_context():
        # The point is in 东城区 (Tiananmen): 三里屯 (朝阳区) cannot be where it is.
        order = _street_order(address="", street_code=SANLITUN, lon="116.3975", lat="39.9087")
        assert order.street_code is None and order.routing_reason == "no_street"


def test_an_unknown_street_code_is_refused(app):
    import pytest

    from hotline.services.errors import ValidationFailed

    with app.app_context(), pytest.raises(ValidationFailed) as refused:
        _street_order(street_code="110105999")
    assert refused.value.errors == {"street_code": "invalid_choice"}


def test_the_preview_shows_the_street_and_where_it_came_from(app, make, login):
    browser = login(make(factories.user, Role.OPERATOR))
    answer = browser.get(
        "/intake/preview",
        query_string={"category_code": "0104", "address": "朝阳区双井富力城"},
    ).get_json()
    assert answer["street_code"] == "110105016" and answer["street_source"] == "address"
    assert answer["department"] == "朝阳区双井街道" and answer["manual"] is False


def test_locate_answers_callers_of_the_api(app, make):
    operator = make(factories.user, Role.OPERATOR)
    department = make(factories.user, Role.DEPARTMENT, "东城区城市管理委员会")
    with app.app_context():
        token = credentials.issue_user_token(db.session, operator.id, now=utcnow(), days=90)
        other = credentials.issue_user_token(db.session, department.id, now=utcnow(), days=90)
    client = app.test_client()
    found = client.get(
        "/api/v1/locate",
        query_string={"address": "北京市朝阳区三里屯街道工体北路8号院"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert found.get_json() == {
        "district_code": "110105",
        "district": "朝阳区",
        "street_code": SANLITUN,
        "street": "朝阳区三里屯街道",
        "confidence": found.get_json()["confidence"],
    }
    assert 0 < found.get_json()["confidence"] <= 1
    unknown = client.get(
        "/api/v1/locate",
        query_string={"address": "海淀区中关村大街27号"},
        headers={"Authorization": f"Bearer {token}"},
    ).get_json()
    assert unknown["district_code"] == "110108" and unknown["street_code"] is None
    assert unknown["street"] is None
    refused = client.get(
        "/api/v1/locate",
        query_string={"address": "朝阳区"},
        headers={"Authorization": f"Bearer {other}"},
    )
    assert refused.status_code == 403
    empty = client.get("/api/v1/locate", headers={"Authorization": f"Bearer {token}"})
    assert empty.status_code == 400


def test_imported_street_boundaries_let_the_point_decide(app, tmp_path):
    import json

    square = [[116.39, 39.90], [116.41, 39.90], [116.41, 39.92], [116.39, 39.92], [116.39, 39.90]]
    features = [
        {
            "type": "Feature",
            "properties": {"code": code},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        for code, ring in (
            ("110101001", square),  # 东华门街道 (synthetic boundary for the test)
            ("999999999", [[0, 0], [1, 0], [1, 1], [0, 0]]),  # no such unit
        )
    ]
    path = tmp_path / "streets.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    result = app.test_cli_runner().invoke(
        args=["hotline", "import-gis", str(path), "--level", "street"]
    )
    assert result.exit_code == 0, result.output
    assert "1 set" in result.output and "999999999" in result.output
    with app.app_context():
        # Tiananmen is in the square: the point decides over what the address says.
        order = _street_order(address="朝阳区三里屯", lon="116.3975", lat="39.9087")
        assert order.street_code == "110101001" and order.routing_reason == "street_kind"
        # Outside every imported boundary: the typed address decides as before.
        elsewhere = _street_order(
            address="东城区景山街道景山前街4号", lon="116.3970", lat="39.9250"
        )
        assert elsewhere.street_code == "110101002"
