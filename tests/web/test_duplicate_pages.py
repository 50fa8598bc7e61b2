"""并单 through the pages: the intake form's candidates (JSON), the desk's merge and unmerge
on the order page with the audit rows on both orders, and the API's candidates."""

from datetime import timedelta

from hotline.core.accounts.roles import Role
from hotline.core.orders.audit_actions import AuditAction
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.accounts import credentials
from hotline.services.orders import queries
from tests import factories
from tests.factories import TIANANMEN

NEAR = (TIANANMEN[0], TIANANMEN[1] + 0.0003)


def _pair():
    now = utcnow()  # the intake form asks about now
    master = factories.order(
        now=now, description="东长安街工地夜间施工噪音扰民", caller_phone="13800138001"
    )
    other = factories.order(
        now=now + timedelta(minutes=20),
        description="东长安街半夜工地施工噪音",
        caller_phone="13800138002",
        lon=str(NEAR[0]),
        lat=str(NEAR[1]),
    )
    return master.number, other.number


def _actions(number: str) -> list[str]:
    order = queries.get_order(
        db.session, actor=factories.user(Role.SUPERVISOR, username=f"s{number}"), number=number
    )
    return [e.action for e in queries.timeline(db.session, order)]


def test_merge_and_unmerge_on_the_order_page(app, login):
    with app.app_context():
        desk = factories.user(Role.DESK)
        master, other = _pair()
    browser = login(desk)
    page = browser.get(f"/orders/{other}").get_data(as_text=True)
    assert master in page and "/merge" in page  # the candidate, with its merge button
    merged = browser.post(f"/orders/{other}/merge", {"master_number": master})
    assert merged.status_code == 303
    page = browser.get(f"/orders/{other}").get_data(as_text=True)
    assert f"/orders/{master}" in page and "/unmerge" in page
    assert other in browser.get(f"/orders/{master}").get_data(as_text=True)
    assert browser.post(f"/orders/{other}/unmerge").status_code == 303
    with app.app_context():
        assert _actions(other)[-2:] == [AuditAction.MERGE, AuditAction.UNMERGE]
        assert _actions(master)[-2:] == [AuditAction.MERGE, AuditAction.UNMERGE]


def test_intake_candidates_and_the_api(app, login):
    with app.app_context():
        operator = factories.user(Role.OPERATOR)
        master, other = _pair()
        token = credentials.issue_user_token(db.session, operator.id, now=utcnow(), days=1)
    browser = login(operator)
    found = browser.get(
        "/orders/similar",
        query_string={
            "category_code": "0401",
            "lon": NEAR[0],
            "lat": NEAR[1],
            "description": "工地夜间施工噪音",
        },
        headers={"Accept": "application/json"},
    ).get_json()
    assert {i["number"] for i in found["items"]} == {master, other}
    assert browser.get("/orders/similar?lon=x").get_json() == {"items": []}
    api = app.test_client().get(
        f"/api/v1/orders/{other}/similar", headers={"Authorization": f"Bearer {token}"}
    )
    (item,) = api.get_json()["items"]
    assert item["number"] == master and 30 < item["distance_m"] < 37 and item["score"] > 0
