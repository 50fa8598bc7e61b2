"""The wallboard's doors: the roles that open it, and the hall screen's token, which opens
the wallboard and nothing else, and stops at once when revoked or replaced."""

import re

import pytest
from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.models import AppSetting, SecurityEvent
from hotline.plugins import db
from hotline.services.reports import wallboard
from tests import factories
from tests.conftest import Browser

WALLBOARD_URLS = ("/wallboard", "/wallboard/data", "/wallboard/districts.geojson")


@pytest.fixture(autouse=True)
def _fresh_board():
    wallboard.forget()  # the cache is per process: each test has its own database
    yield
    wallboard.forget()


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.OFFICIAL, Role.DESK])
def test_supervisors_officials_and_the_desk_open_it(make, login, role):
    browser = login(make(factories.user, role))
    page = browser.get("/wallboard")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "js/wallboard.js" in html and "<script>" not in html  # no inline script (CSP)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    data = browser.get("/wallboard/data", headers={"Accept": "application/json"}).get_json()
    assert {"orders", "calls", "states", "overdue", "due_soon", "categories"} <= set(data)
    assert data["hotspots"] == {"enabled": True, "items": []}  # none raised yet
    assert data["telephony"] == {"enabled": False}
    assert browser.get("/wallboard/districts.geojson").status_code == 200


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.DEPARTMENT, Role.SECURITY_ADMIN])
def test_other_roles_do_not(make, login, role):
    department = "东城区城市管理委员会" if role is Role.DEPARTMENT else None
    browser = login(make(factories.user, role, department))
    for url in WALLBOARD_URLS:
        assert browser.get(url).status_code == 403, url


def _issue(app, make, login) -> tuple[Browser, str]:
    admin = login(make(factories.user, Role.SECURITY_ADMIN))
    page = admin.post("/admin/wallboard-token", {"days": "30"})
    assert page.status_code == 200
    link = re.search(r'<code id="wallboard-link">([^<]+)</code>', page.get_data(as_text=True))
    token = link.group(1).split("token=")[1]
    return admin, token


def _screen(app, token: str) -> Browser:
    screen = Browser(app)
    opened = screen.get(f"/wallboard?token={token}")
    assert opened.status_code == 302 and opened.headers["Location"] == "/wallboard"
    return screen


def _kinds(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(SecurityEvent.kind).order_by(SecurityEvent.id)))


def test_the_token_opens_the_wallboard_and_nothing_else(app, make, login):
    _admin, token = _issue(app, make, login)
    with app.app_context():  # only its hash is stored
        stored = list(db.session.scalars(select(AppSetting.value)))
    assert token not in "".join(stored)
    anonymous = Browser(app)
    assert anonymous.get("/wallboard").status_code == 302  # without the token: the login
    screen = _screen(app, token)
    for url in WALLBOARD_URLS:
        assert screen.get(url).status_code == 200, url
    # Every other page answers the screen as it answers nobody: the login page.
    for url in ("/", "/orders", "/kpi", "/orders/overdue", "/map/districts.geojson", "/notices"):
        response = screen.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert screen.get("/api/v1/orders").status_code == 401
    assert "wallboard_token_used" in _kinds(app) and "wallboard_token_issued" in _kinds(app)


def test_a_wrong_token_is_refused_and_logged(app):
    screen = Browser(app)
    assert screen.get("/wallboard?token=not-the-token").status_code == 403
    assert screen.get("/wallboard/data").status_code == 302
    assert _kinds(app)[-1] == "wallboard_token_refused"


def test_revoking_ends_the_screens_and_a_new_token_replaces_the_old(app, make, login):
    admin, token = _issue(app, make, login)
    screen = _screen(app, token)
    _again, newer = _issue(app, make, login)
    assert screen.get("/wallboard/data").status_code == 302  # replaced: the old grant ends
    assert Browser(app).get(f"/wallboard?token={token}").status_code == 403
    screen = _screen(app, newer)
    assert screen.get("/wallboard/data").status_code == 200
    assert admin.post("/admin/wallboard-token/revoke").status_code == 302
    assert screen.get("/wallboard/data").status_code == 302
    assert Browser(app).get(f"/wallboard?token={newer}").status_code == 403
    assert "wallboard_token_revoked" in _kinds(app)
    page = admin.get("/admin/wallboard-token").get_data(as_text=True)
    assert "wallboard-link" not in page  # the token is never shown again


def test_only_the_security_administrator_issues_it(make, login):
    supervisor = login(make(factories.user, Role.SUPERVISOR))
    assert supervisor.get("/admin/wallboard-token").status_code == 403
    assert supervisor.post("/admin/wallboard-token", {"days": "30"}).status_code == 403
