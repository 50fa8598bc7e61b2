"""The status lookup and the web mailbox, which anyone can use without logging in."""

import re

from hotline.core.accounts.roles import Role
from tests import factories
from tests.conftest import Browser


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
    operator = login(make(factories.user, Role.OPERATOR))
    assert number in operator.get("/intake/mailbox").get_data(as_text=True)
    detail = operator.get(f"/orders/{number}").get_data(as_text=True)
    assert "网上信箱待分类" in detail and "分类派单" in detail
    operator.post(f"/orders/{number}/classify", {"category_code": "0502"})
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
