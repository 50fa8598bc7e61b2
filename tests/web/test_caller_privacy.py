"""Nobody unmasks a caller by searching: defect 2 of the trust issue, on pages and the API."""

from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.models import SecurityEvent
from hotline.plugins import db
from hotline.services.accounts import credentials
from tests import factories

DONGCHENG = "东城区城市管理委员会"
SUSPECT = "13712345678"


def _tip_off(make, **fields):
    return make(
        factories.order,
        order_type="tip_off",
        confidential="on",
        caller_phone=SUSPECT,
        caller_name="举报人",
        **fields,
    )


def _token(user) -> str:
    return credentials.issue_user_token(db.session, user.id, now=factories.NOW, days=30)


def _log(query) -> list[tuple]:
    events = select(SecurityEvent).order_by(SecurityEvent.id)
    return query(lambda: [(e.kind, e.order_id, e.detail) for e in db.session.scalars(events)])


def test_department_staff_never_match_a_confidential_order_by_the_callers_phone(make, login):
    order = _tip_off(make)
    plain = make(factories.order, caller_phone=SUSPECT)  # the same person's ordinary complaint
    staff = login(make(factories.user, Role.DEPARTMENT, DONGCHENG))
    page = staff.get(f"/orders?caller_phone={SUSPECT}&order_type=tip_off").get_data(as_text=True)
    assert order.number not in page and "共 0 件工单" in page
    everything = staff.get(f"/orders?caller_phone={SUSPECT}").get_data(as_text=True)
    assert plain.number in everything and order.number not in everything
    # Without the phone filter the department sees its confidential order, reporter hidden.
    listed = staff.get("/orders?order_type=tip_off").get_data(as_text=True)
    assert order.number in listed and "举报人" not in listed


def test_the_desk_still_finds_a_confidential_report_by_phone(make, login):
    order = _tip_off(make)
    desk = login(make(factories.user, Role.DESK))
    assert order.number in desk.get(f"/orders?caller_phone={SUSPECT}").get_data(as_text=True)


def test_officials_may_not_filter_by_phone_on_pages_or_the_api(app, make, login):
    make(factories.order, caller_phone=SUSPECT)
    official = make(factories.user, Role.OFFICIAL)
    assert login(official).get(f"/orders?caller_phone={SUSPECT}").status_code == 403
    with app.app_context():
        token = _token(official)
    answer = app.test_client().get(
        f"/api/v1/orders?caller_phone={SUSPECT}", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 403


def test_the_api_hides_confidential_matches_from_department_staff(app, make):
    order = _tip_off(make)
    staff = make(factories.user, Role.DEPARTMENT, DONGCHENG)
    with app.app_context():
        token = _token(staff)
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    found = client.get(f"/api/v1/orders?caller_phone={SUSPECT}", headers=headers).get_json()
    assert found["total"] == 0
    assert order.number in {
        o["number"] for o in client.get("/api/v1/orders", headers=headers).get_json()["items"]
    }


def test_phone_searches_and_reads_of_protected_data_are_logged(make, login, query):
    order = _tip_off(make)
    desk = login(make(factories.user, Role.DESK))
    desk.get(f"/orders?caller_phone={SUSPECT}")
    desk.get(f"/orders/{order.number}")
    desk.get("/orders")  # a list: callers masked, nothing to log
    log = [row for row in _log(query) if row[0] not in ("login", "account_created")]
    assert log == [
        ("phone_search", None, "137****5678 results=1"),
        ("confidential_read", order.id, ""),
        ("phone_unmasked", order.id, ""),
    ]
    # The log itself holds no phone number.
    assert not any(SUSPECT in str(row) for row in _log(query))


def test_lists_mask_every_caller_and_the_api_list_too(app, make, login):
    order = make(factories.order, caller_phone=SUSPECT)
    operator = make(factories.user, Role.OPERATOR)
    page = login(operator).get("/orders").get_data(as_text=True)
    assert "137****5678" in page and SUSPECT not in page
    with app.app_context():
        token = _token(operator)
    headers = {"Authorization": f"Bearer {token}"}
    listed = app.test_client().get("/api/v1/orders", headers=headers).get_json()
    assert listed["items"][0]["caller"]["phone"] == "137****5678"
    one = app.test_client().get(f"/api/v1/orders/{order.number}", headers=headers).get_json()
    assert one["caller"]["phone"] == SUSPECT


def test_deep_pages_are_capped(make, login, query):
    from hotline.core.orders.search import OrderFilters
    from hotline.models import User
    from hotline.services.orders import queries

    make(factories.order)
    user = make(factories.user, Role.SUPERVISOR)
    supervisor = login(user)
    assert supervisor.get("/orders?page=99999999").status_code == 200
    page = query(
        lambda: (
            queries.search(
                db.session,
                actor=db.session.get(User, user.id),
                filters=OrderFilters(),
                page=99999999,
                page_size=25,
                timezone="Asia/Shanghai",
                ip="",
                now=factories.NOW,
            ).page
        )
    )
    assert page == queries.MAX_PAGE
