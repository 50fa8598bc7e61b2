"""The intake desk, the order pages, department isolation, escaping and masking."""

import re

from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.core.orders.workflow import Action
from hotline.models import SecurityEvent, User, WorkOrder
from hotline.plugins import db
from tests import factories

DONGCHENG = "东城区城市管理委员会"
CHAOYANG = "朝阳区城市管理委员会"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_intake_creates_an_order_and_redirects_to_it(make, query, login):
    browser = login(make(factories.user, Role.OPERATOR))
    response = browser.post("/intake", factories.call_form())
    assert response.status_code == 302
    number = response.headers["Location"].rsplit("/", 1)[1]
    page = browser.get(f"/orders/{number}").get_data(as_text=True)
    assert f"工单 {number} 已创建" in page
    assert DONGCHENG in page and "夜间施工噪音扰民" in page
    assert "受理" in page  # the timeline's first event


def test_bad_input_is_explained_and_kept(make, query, login):
    browser = login(make(factories.user, Role.OPERATOR))
    response = browser.post("/intake", factories.call_form(caller_phone="12345678", lon="abc"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "请输入有效的手机号码" in page
    assert "经度和纬度必须是以度为单位的数字" in page
    assert "夜间施工噪音扰民" in page  # what the operator typed is still there
    assert query(lambda: db.session.scalar(select(WorkOrder.id))) is None


def test_preview_says_where_and_why(make, query, login):
    browser = login(make(factories.user, Role.OPERATOR))
    data = browser.get("/intake/preview?category_code=0401&lon=116.3964&lat=39.9929").get_json()
    assert data["department"] == CHAOYANG and data["district"] == "朝阳区"
    assert "所在区" in data["reason"]
    outside = browser.get("/intake/preview?category_code=0401&lon=117.2&lat=39.13").get_json()
    assert outside["manual"] is True and "不在任何区内" in outside["reason"]
    bad = browser.get("/intake/preview?category_code=zzz").get_json()
    assert bad["ok"] is False


def test_repeat_callers_see_their_history(make, query, login):
    first = make(factories.order, caller_phone="13912345678")
    browser = login(make(factories.user, Role.OPERATOR))
    history = browser.get("/intake/history?phone=139-1234-5678").get_json()["orders"]
    assert [o["number"] for o in history] == [first.number]
    assert browser.get("/intake/history?phone=13800000000").get_json()["orders"] == []
    searches = query(
        lambda: list(
            db.session.scalars(
                select(SecurityEvent.detail).where(SecurityEvent.kind == "phone_search")
            )
        )
    )
    assert searches == ["139****5678 results=1", "138****0000 results=0"]


def test_department_staff_work_their_queue(make, query, login):
    order = make(factories.order)
    staff = login(make(factories.user, Role.DEPARTMENT, DONGCHENG))
    assert order.number in staff.get("/orders/queue").get_data(as_text=True)
    response = staff.post(f"/orders/{order.number}/accept", {"version": order.version})
    assert response.status_code == 302
    reply = staff.post(f"/orders/{order.number}/reply", {"note": "已处理完毕"})
    assert reply.status_code == 302
    desk = login(make(factories.user, Role.DESK))
    assert order.number in desk.get("/orders/desk").get_data(as_text=True)
    desk.post(f"/orders/{order.number}/approve")
    assert query(lambda: db.session.get(WorkOrder, order.id).state) == "closed"


def test_other_departments_get_404_and_no_rows(make, query, login):
    order = make(factories.order)
    outsider = login(make(factories.user, Role.DEPARTMENT, CHAOYANG))
    assert outsider.get(f"/orders/{order.number}").status_code == 404
    assert outsider.post(f"/orders/{order.number}/accept").status_code == 404
    link = f'href="/orders/{order.number}"'
    for url in ("/orders", f"/orders?number={order.number}", "/orders/queue"):
        page = outsider.get(url).get_data(as_text=True)
        assert link not in page, url
        assert "共 0 件工单" in page or url.endswith("queue")


def test_conflicting_actions_get_a_clear_message(make, query, login):
    order = make(factories.order)
    staff = login(make(factories.user, Role.DEPARTMENT, DONGCHENG))
    stale = order.version
    staff.post(f"/orders/{order.number}/accept", {"version": stale})
    json_response = staff.post(
        f"/orders/{order.number}/return",
        {"version": stale, "note": "x"},
        headers={"Accept": "application/json"},
    )
    assert json_response.status_code == 409
    page = staff.post(
        f"/orders/{order.number}/return", {"version": stale, "note": "x"}, follow_redirects=True
    )
    assert "其他人刚刚修改了这张工单" in page.get_data(as_text=True)


def test_hostile_text_is_escaped_everywhere(make, query, login):
    order = make(factories.order, description=XSS, caller_name="<b>x</b>", address=XSS)
    staff = make(factories.user, Role.DEPARTMENT, DONGCHENG)
    make(lambda: factories.act(db.session.get(User, staff.id), order.number, Action.RETURN, XSS))
    for role in (Role.DESK, Role.OPERATOR):
        browser = login(make(factories.user, role))
        for url in (f"/orders/{order.number}", "/orders", "/orders/desk"):
            response = browser.get(url)
            if response.status_code != 200:
                continue
            page = response.get_data(as_text=True)
            assert "<script>alert" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;" in browser.get(f"/orders/{order.number}").get_data(as_text=True)


def test_officials_see_masked_phones_only(make, query, login):
    order = make(factories.order, caller_phone="13912345678")
    official = login(make(factories.user, Role.OFFICIAL))
    for url in (f"/orders/{order.number}", "/orders"):
        page = official.get(url).get_data(as_text=True)
        assert "13912345678" not in page, url
        assert "139****5678" in page, url
    # An official may not search by phone at all: trying the 10,000 hidden middle digits
    # against the filter would recover the masked number.
    assert official.get("/orders?caller_phone=13912345678").status_code == 403
    assert 'name="caller_phone"' not in official.get("/orders").get_data(as_text=True)
    operator = login(make(factories.user, Role.OPERATOR))
    assert "13912345678" in operator.get(f"/orders/{order.number}").get_data(as_text=True)
    # Lists show callers masked to everyone; the full number is on the order's page only.
    listed = operator.get("/orders").get_data(as_text=True)
    assert "139****5678" in listed and "13912345678" not in listed


def test_confidential_reporters_are_invisible_to_the_department(make, query, login):
    order = make(
        factories.order,
        order_type="tip_off",
        confidential="on",
        caller_phone="13712345678",
        caller_name="举报人赵某",
        caller_address="朝阳区某小区",
    )
    staff = login(make(factories.user, Role.DEPARTMENT, DONGCHENG))
    for url in (f"/orders/{order.number}", "/orders", "/orders/queue"):
        page = staff.get(url).get_data(as_text=True)
        for secret in ("13712345678", "1371", "举报人赵某", "朝阳区某小区"):
            assert secret not in page, (url, secret)
    desk = login(make(factories.user, Role.DESK)).get(f"/orders/{order.number}")
    assert "举报人赵某" in desk.get_data(as_text=True)


def test_search_filters_and_pages(make, query, login):
    for i in range(30):
        make(
            factories.order,
            description=f"第{i}号",
            caller_phone="13600000000" if i < 3 else "13800138000",
        )
    make(factories.order, category_code="0301")
    browser = login(make(factories.user, Role.SUPERVISOR))
    page = browser.get("/orders?caller_phone=13600000000").get_data(as_text=True)
    assert "共 3 件工单" in page
    assert "共 1 件工单" in browser.get("/orders?category_code=03").get_data(as_text=True)
    assert "共 31 件工单" in browser.get(
        "/orders?date_from=2026-11-20&date_to=2026-11-20"
    ).get_data(as_text=True)
    assert "共 0 件工单" in browser.get("/orders?date_from=2026-11-21").get_data(as_text=True)
    second = browser.get("/orders?page=2").get_data(as_text=True)
    assert "第 2 页，共 2 页" in second
    bad = browser.get("/orders?date_from=yesterday&state=nope")
    assert bad.status_code == 200 and "YYYY-MM-DD" in bad.get_data(as_text=True)


def test_english_is_available(make, query, login):
    browser = login(make(factories.user, Role.OPERATOR))
    assert "新建来电" in browser.get("/intake").get_data(as_text=True)
    browser.post("/language/en", {"next": "/intake"})
    page = browser.get("/intake").get_data(as_text=True)
    assert "New call" in page and 'lang="en"' in page


def test_every_message_has_a_chinese_translation():
    from pathlib import Path

    from babel.messages.pofile import read_po

    po = Path(__file__).resolve().parents[2] / "hotline/translations/zh/LC_MESSAGES/messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert untranslated == []
    assert len(catalog) > 150
    assert not re.search(r"#, fuzzy\nmsgid \"[^\"]", po.read_text("utf-8"))


def test_overdue_orders_are_marked(make, login):
    from datetime import timedelta

    late = make(factories.order, now=factories.NOW - timedelta(days=400))
    staff = login(make(factories.user, Role.DEPARTMENT, DONGCHENG))
    assert '<tr class="overdue">' in staff.get("/orders/queue").get_data(as_text=True)
    assert "超期" in staff.get(f"/orders/{late.number}").get_data(as_text=True)
