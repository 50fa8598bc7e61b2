"""The status lookup and the web mailbox, which anyone can use without logging in."""

import re

from sqlalchemy import func, select

from hotline.core.accounts.roles import Role
from hotline.models import Notification, WorkOrder
from hotline.plugins import db
from hotline.services.notifications import outbox
from tests import factories
from tests.conftest import Browser


def texts_to(app, phone: str) -> list[str]:
    """The SMS the outbox holds for `phone`."""
    with app.app_context():
        texts = db.session.scalars(select(Notification).where(Notification.channel == "sms"))
        return [note.text for note in texts if outbox.recipient_of(note) == phone]


def count_orders(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(WorkOrder.id)))


def test_status_lookup_needs_the_right_digits_and_says_nothing_else(app, make):
    order = make(factories.order, caller_phone="13912345678", caller_name="王秘密")
    browser = Browser(app)
    browser.refresh_token("/public/status")
    good = browser.post("/public/status", {"number": order.number, "last_four": "5678"})
    page = good.get_data(as_text=True)
    assert good.status_code == 200 and "已派单" in page
    for secret in ("王秘密", "13912345678", "东城区城市管理委员会", "夜间施工"):
        assert secret not in page
    wrong = browser.post("/public/status", {"number": order.number, "last_four": "0000"})
    unknown = browser.post("/public/status", {"number": "20990101-000001", "last_four": "5678"})
    message = "没有与该编号和号码匹配的工单"
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_status_lookup_is_rate_limited(app, make):
    app.config["STATUS_LOOKUP_RATE_PER_IP"] = 3
    browser = Browser(app)
    browser.refresh_token("/public/status")
    codes = [
        browser.post("/public/status", {"number": "x", "last_four": "1234"}).status_code
        for _ in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]


def _letter(browser, **fields):
    page = browser.get("/public/mailbox").get_data(as_text=True)
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    data = {
        "form_token": token,
        "order_type": "suggestion",
        "caller_phone": "13611112222",
        "description": "建议在小区门口增设公交站",
        "district_code": "110105",
        **fields,
    }
    return browser.post("/public/mailbox", data)


def test_a_letter_becomes_an_order_for_the_intake_desk(app, make, login, monkeypatch):
    from hotline.web.orders import public

    monkeypatch.setattr(public, "MIN_FILL_SECONDS", 0)
    browser = Browser(app)
    browser.refresh_token("/public/mailbox")
    response = _letter(browser)
    number = re.search(r"<strong>(\d{8}-\d{6})</strong>", response.get_data(as_text=True)).group(1)
    # Anyone may type any number: nothing is texted until an operator has read the letter.
    assert texts_to(app, "13611112222") == []
    operator = login(make(factories.user, Role.OPERATOR))
    assert number in operator.get("/intake/mailbox").get_data(as_text=True)
    detail = operator.get(f"/orders/{number}").get_data(as_text=True)
    assert "网上信箱待分类" in detail and "分类派单" in detail
    operator.post(f"/orders/{number}/classify", {"category_code": "0502"})
    assert texts_to(app, "13611112222") == [
        f"【12345】您的诉求已受理，工单号{number}，可凭工单号和手机号后四位查询办理进度。"
    ]
    detail = operator.get(f"/orders/{number}").get_data(as_text=True)
    assert "朝阳区交通委员会" in detail and "已派单" in detail
    assert number not in operator.get("/intake/mailbox").get_data(as_text=True)
    status = browser.post("/public/status", {"number": number, "last_four": "2222"})
    assert "已派单" in status.get_data(as_text=True)


def test_mailbox_abuse_checks(app, monkeypatch):
    from hotline.web.orders import public

    browser = Browser(app)
    browser.refresh_token("/public/mailbox")
    too_fast = _letter(browser)
    assert too_fast.status_code == 400 and "稍候" in too_fast.get_data(as_text=True)
    monkeypatch.setattr(public, "MIN_FILL_SECONDS", 0)
    assert _letter(browser, website="http://spam").status_code == 400
    forged = browser.post("/public/mailbox", {"form_token": "forged", "description": "x"})
    assert forged.status_code == 400
    with app.app_context():
        expired = public._signer().sign(b"mailbox").decode()
    monkeypatch.setattr(public, "MAX_FILL_SECONDS", -1)
    old = browser.post("/public/mailbox", {"form_token": expired, "description": "x"})
    assert old.status_code == 400
    monkeypatch.setattr(public, "MAX_FILL_SECONDS", 3600)
    app.config["MAILBOX_RATE_PER_IP"] = 2
    codes = [_letter(browser).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_a_letter_without_a_valid_phone_is_refused(app, monkeypatch):
    from hotline.web.orders import public

    monkeypatch.setattr(public, "MIN_FILL_SECONDS", 0)
    browser = Browser(app)
    browser.refresh_token("/public/mailbox")
    response = _letter(browser, caller_phone="")
    assert response.status_code == 422 and "必填" in response.get_data(as_text=True)


def test_a_letter_can_be_sent_once_with_its_form(app, monkeypatch):
    """Before: the signed token could be replayed for two hours, a letter each time."""
    from hotline.web.orders import public

    monkeypatch.setattr(public, "MIN_FILL_SECONDS", 0)
    browser = Browser(app)
    browser.refresh_token("/public/mailbox")
    page = browser.get("/public/mailbox").get_data(as_text=True)
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    letter = {
        "form_token": token,
        "order_type": "complaint",
        "caller_phone": "13611112222",
        "description": "小区门口\x01垃圾无人清运\x1b",
        "district_code": "110105",
    }
    assert browser.post("/public/mailbox", letter).status_code == 200
    replayed = browser.post("/public/mailbox", letter)
    assert replayed.status_code == 409
    assert "该表单已经提交过" in replayed.get_data(as_text=True)
    assert count_orders(app) == 1
    with app.app_context():
        assert db.session.scalar(select(WorkOrder.description)) == "小区门口垃圾无人清运"
    # A letter refused for what it says is shown again with a fresh token, which works once.
    refused = _letter(browser, caller_phone="")
    assert refused.status_code == 422
    token = re.search(r'name="form_token" value="([^"]+)"', refused.get_data(as_text=True))
    corrected = browser.post("/public/mailbox", {**letter, "form_token": token.group(1)})
    assert corrected.status_code == 200 and count_orders(app) == 2


def test_one_order_number_gets_a_few_lookups_from_any_address(app, make):
    """Before: from many addresses, the 10,000 possible endings could all be tried."""
    app.config["STATUS_LOOKUP_RATE_PER_IP"] = 100
    order = make(factories.order, caller_phone="13912345678")
    other = make(factories.order, caller_phone="13987654321")
    browser = Browser(app)
    browser.refresh_token("/public/status")

    def look(number: str, digits: str, n: int):
        address = {"REMOTE_ADDR": f"198.51.100.{n}"}
        data = {"number": number, "last_four": digits}
        return browser.post("/public/status", data, environ_base=address)

    assert [look(order.number, f"{n:04d}", n).status_code for n in range(5)] == [200] * 5
    blocked = look(order.number, "5678", 99)
    assert blocked.status_code == 429 and "该工单号查询次数过多" in blocked.get_data(as_text=True)
    assert "已派单" in look(other.number, "4321", 98).get_data(as_text=True)
