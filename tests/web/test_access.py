"""Login, roles, CSRF, lock-out, cookies: the doors of every page."""

import re

import pytest

from hotline.config import Config
from hotline.core.accounts.roles import Role
from hotline.plugins import db
from hotline.services.accounts import users as accounts
from tests import factories

# ems.terminal: the crew terminal's shell, no data (it works through the terminal's token).
PUBLIC = {"auth.login", "auth.logout", "auth.language", "static", "ems.terminal"}
# For the load balancer and Prometheus, which have no login (test_operations.py).
OPERATIONS = {"observability.healthz", "observability.readyz", "observability.metrics"}
PUBLIC_PREFIXES = (
    "open311.",
    "api.",
    "public.",
    "sip.",  # Kamailio's endpoints: the line's secret (test_phone_line_pages.py)
)  # token or api_key, tested in their own modules


def protected_urls(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC | OPERATIONS or rule.endpoint.startswith(PUBLIC_PREFIXES):
            continue
        url = re.sub(r"<int:\w+>", "1", rule.rule)
        url = re.sub(r"<\w+>", "x", url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url


def test_every_non_public_url_sends_anonymous_users_to_login(app):
    app.config["WTF_CSRF_ENABLED"] = False  # so that POSTs reach the login check
    client = app.test_client()
    urls = list(protected_urls(app))
    assert len(urls) > 15
    for method, url in urls:
        response = client.open(url, method=method)
        assert response.status_code == 302, (method, url)
        assert "/login" in response.headers["Location"], (method, url)


def test_forms_without_csrf_token_are_rejected(app, make, login):
    operator = make(factories.user, Role.OPERATOR)
    browser = login(operator)
    response = browser.client.post("/intake", data=factories.call_form())
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    anonymous = app.test_client().post("/login", data={"username": "x", "password": "y"})
    assert anonymous.status_code == 400


@pytest.mark.parametrize(
    "role, allowed, forbidden",
    [
        (Role.OPERATOR, "/intake", "/admin/users"),
        (Role.DEPARTMENT, "/orders/queue", "/orders/desk"),
        (Role.DESK, "/orders/desk", "/orders/queue"),
        (Role.OFFICIAL, "/orders", "/intake"),
        (Role.SYSTEM_ADMIN, "/admin/rules", "/orders"),
        (Role.SECURITY_ADMIN, "/admin/roles", "/admin/users"),
        (Role.AUDIT_ADMIN, "/admin/security-log", "/admin/roles"),
        (Role.EMS_DISPATCHER, "/ems", "/orders"),
        (Role.SURVEYOR, "/orders", "/admin/users"),
    ],
)
def test_roles_open_their_pages_and_not_others(make, login, role, allowed, forbidden):
    dept = "东城区城市管理委员会" if role is Role.DEPARTMENT else None
    browser = login(make(factories.user, role, dept))
    assert browser.get(allowed).status_code == 200
    assert browser.get(forbidden).status_code == 403


def test_session_cookie_flags(app, make, browser):
    user = make(factories.user, Role.OPERATOR)
    response = browser.login(user.username)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    with app.test_request_context("/login", base_url="https://hotline.example"):
        assert app.session_interface.get_cookie_secure(app) is True
    with app.test_request_context("/login", base_url="http://127.0.0.1"):
        assert app.session_interface.get_cookie_secure(app) is False


def test_production_hashes_with_scrypt_n_2_17():
    assert Config.PASSWORD_HASH_METHOD == "scrypt:131072:8:1"


def test_deactivating_a_user_ends_their_session(make, login):
    operator = make(factories.user, Role.OPERATOR)
    browser = login(operator)
    assert browser.get("/intake").status_code == 200
    make(
        accounts.update_user,
        db.session,
        user_id=operator.id,
        display_name="x",
        department_id=None,
        active=False,
        hash_method="scrypt:1024:8:1",
        now=factories.NOW,
    )
    assert browser.get("/intake").status_code == 302


def test_open_redirects_are_refused(make, browser):
    user = make(factories.user, Role.OPERATOR)
    response = browser.login(user.username, path="/login?next=//evil.example/x")
    assert response.headers["Location"] == "/"


def test_pages_load_nothing_from_outside(make, login):
    browser = login(make(factories.user, Role.OPERATOR))
    page = browser.get("/intake").get_data(as_text=True)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "vendor/leaflet/leaflet.js" in page
    assert "default-src 'self'" in browser.get("/intake").headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "referrer",
    [
        "http://localhost//evil.example/x",
        "http://localhost/\\evil.example",
        "http://evil.example/orders",
    ],
)
def test_a_refused_form_never_goes_back_to_another_site(make, login, referrer):
    dispatcher = login(make(factories.user, Role.EMS_DISPATCHER))
    # A refused status button goes back to the page it was on, if that page is ours.
    response = dispatcher.post(
        "/ems/vehicles/1/status", {"status": "nonsense"}, headers={"Referer": referrer}
    )
    assert response.status_code == 303
    location = response.headers["Location"]
    assert not location.startswith("//") and "evil" not in location, location
    ours = dispatcher.post(
        "/ems/vehicles/1/status",
        {"status": "nonsense"},
        headers={"Referer": "http://localhost/ems"},
    )
    assert ours.headers["Location"] == "/ems"


@pytest.mark.parametrize(
    "target", ["/\\evil.example", "/%5Cevil.example", "%2F%2Fevil.example", "/%09/evil.example"]
)
def test_next_cannot_name_another_host_in_any_encoding(make, browser, target):
    user = make(factories.user, Role.OPERATOR)
    response = browser.login(user.username, path=f"/login?next={target}")
    assert response.headers["Location"] == "/"
