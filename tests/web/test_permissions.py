"""The one permission table against the app: every menu link opens, every other page refuses."""

import re

import pytest

from hotline.core.accounts.permissions import TABLE, Permission, allows, permissions_of
from hotline.core.accounts.roles import Role
from hotline.web.menu import MENU
from tests import factories

# Endpoints that answer without a logged-in user, or check an API token or key themselves.
NOT_SESSION_PAGES = {"auth.login", "auth.logout", "auth.language", "static"}
# The crew terminal's shell: no data, it works through the vehicle's token (tests/web and e2e).
NOT_SESSION_PAGES |= {"ems.terminal"}
# The load balancer's and Prometheus' endpoints (no login; test_operations.py).
NOT_SESSION_PAGES |= {"observability.healthz", "observability.readyz", "observability.metrics"}
# sip.: Kamailio's endpoints, on the line's secret (tests/web/test_phone_line_pages.py).
TOKEN_PREFIXES = ("open311.", "api.", "public.", "sip.")


def _department_for(role: Role) -> str | None:
    return "东城区城市管理委员会" if role is Role.DEPARTMENT else None


def _session_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_SESSION_PAGES or rule.endpoint.startswith(TOKEN_PREFIXES):
            continue
        yield rule


def _permission(app, endpoint: str):
    return getattr(app.view_functions[endpoint], "permission", None)


def _url(rule) -> str:
    url = re.sub(r"<int:\w+>", "1", rule.rule)
    return re.sub(r"<\w+>", "x", url)


def test_every_session_page_is_in_the_permission_table(app):
    """No page is guarded by anything but the table (the home page only needs a login)."""
    missing = [
        rule.endpoint
        for rule in _session_rules(app)
        if rule.endpoint != "auth.home"
        and not isinstance(_permission(app, rule.endpoint), Permission)
    ]
    assert missing == []


def test_every_permission_is_used_by_a_page_or_a_rule(app):
    used = {getattr(view, "permission", None) for view in app.view_functions.values()}
    # These decide what a page shows or allows, not whether it opens; the privacy and
    # workflow tests cover them.
    assert set(TABLE) - used == {
        Permission.SEE_PHONES,
        Permission.SEE_CONFIDENTIAL_REPORTERS,
        Permission.ROUTE_NEW_ORDERS,
        Permission.EMS_LINK,  # the linked centres' API only (test_linked_incidents.py)
        Permission.READ_CALL_FIGURES,  # the KPI page's 话务 section
    }


def test_every_role_has_a_menu_and_every_menu_link_is_in_the_table(app):
    for entry in MENU:
        assert isinstance(app.view_functions[entry.endpoint].permission, Permission)
    for role in Role:
        assert permissions_of(role), role


@pytest.mark.parametrize("role", list(Role))
def test_each_role_opens_every_link_of_its_menu_and_nothing_else(app, make, login, role):
    browser = login(make(factories.user, role, _department_for(role)))
    home = browser.get("/", follow_redirects=True).get_data(as_text=True)
    with app.test_request_context():
        from flask import url_for

        shown = {e.endpoint: url_for(e.endpoint) for e in MENU}
    for entry in MENU:
        allowed = allows(role, app.view_functions[entry.endpoint].permission)
        href = f'href="{shown[entry.endpoint]}"'
        assert (href in home) is allowed, (role, entry.endpoint)
        if allowed:
            assert browser.get(shown[entry.endpoint]).status_code == 200, (role, entry.endpoint)
    app.config["WTF_CSRF_ENABLED"] = False  # so that POSTs reach the permission check
    for rule in _session_rules(app):
        permission = _permission(app, rule.endpoint)
        if permission is None or allows(role, permission):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            status = browser.client.open(_url(rule), method=method).status_code
            assert status in (403, 404), (role, method, rule.rule, status)
