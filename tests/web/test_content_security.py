"""Content-Security-Policy without 'unsafe-inline' on every page each role reaches, and HSTS
only over HTTPS."""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import url_for

from hotline.core.accounts.roles import Role
from hotline.web import menu
from tests import factories
from tests.conftest import Browser, make_app

DEPARTMENT = "东城区城市管理委员会"
NOT_PAGES = re.compile(r"\.(pdf|xlsx|csv|json|geojson|xml)$|^/static/")  # files and feeds
PAGES_PER_ROLE = 60


class InlineCode(HTMLParser):
    """Everything in a page that a CSP without 'unsafe-inline' would block."""

    def __init__(self, nonce: str | None):
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.found: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            elif name == "style":
                self.found.append(f"<{tag} style=…>")
            elif (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")
        data_block = tag == "script" and attributes.get("type") == "application/json"
        inline = tag in ("script", "style") and "src" not in attributes and not data_block
        if inline and (self.nonce is None or attributes.get("nonce") != self.nonce):
            self.found.append(f"<{tag}> without the request's nonce")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])


def inspect(response) -> tuple[list[str], list[str]]:
    """The page's inline code that its policy would block, and the links on it."""
    policy = response.headers.get("Content-Security-Policy", "")
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, policy
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'"):
        assert directive in policy, policy
    nonces = set(re.findall(r"'nonce-([^']+)'", policy))
    assert len(nonces) <= 1, policy
    parser = InlineCode(nonces.pop() if nonces else None)
    parser.feed(response.get_data(as_text=True))
    return parser.found, parser.links


def crawl(browser: Browser, start: list[str]) -> dict[str, list[str]]:
    """Follow this site's links from `start`; the problems found on each HTML page."""
    problems, queue, seen = {}, list(start), set()
    while queue and len(seen) < PAGES_PER_ROLE:
        url = queue.pop(0)
        path = urlsplit(url).path
        route = re.sub(r"\d+", "<n>", path)  # one department's page stands for all of them
        if route in seen or NOT_PAGES.search(path):
            continue
        seen.add(route)
        response = browser.get(url)
        if response.mimetype != "text/html":
            continue
        found, links = inspect(response)
        if found:
            problems[url] = found
        for link in links:
            parts = urlsplit(link)
            if not parts.scheme and not parts.netloc and link.startswith("/"):
                queue.append(link)
    assert seen, start
    return problems


@pytest.fixture
def records(make):
    """An order routed to the department and a dispatched 120 incident, for their pages."""
    vehicles = make(factories.ambulances, 3)
    dispatcher = make(factories.user, Role.EMS_DISPATCHER)
    incident = make(
        factories.dispatched_incident, dispatcher, vehicles[0], factories.NOW, factories.NOW
    )
    order = make(factories.order)
    return [f"/orders/{order.number}", f"/ems/incidents/{incident.id}"]


@pytest.mark.parametrize("role", list(Role))
def test_every_page_of_every_role_runs_without_inline_code(app, make, login, records, role):
    user = make(factories.user, role, DEPARTMENT if role is Role.DEPARTMENT else None)
    browser = login(user)
    with app.test_request_context():
        start = ["/", *(url_for(e.endpoint) for e in menu.entries_for(role))]
    start += records
    assert crawl(browser, start) == {}


def test_pages_without_login_run_without_inline_code(browser):
    start = ["/login", "/public/status", "/public/mailbox", "/no-such-page"]
    assert crawl(browser, start) == {}


def test_map_pages_allow_only_their_nonce(make, login):
    browser = login(make(factories.user, Role.OPERATOR))
    first, second = browser.get("/intake"), browser.get("/intake")
    nonces = [
        re.search(r"'nonce-([\w-]+)'", r.headers["Content-Security-Policy"]).group(1)
        for r in (first, second)
    ]
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 22  # 128 bits, new on each request
    page = first.get_data(as_text=True)
    assert f'<script nonce="{nonces[0]}">' in page and "window.hotlineMap" in page
    assert f'<style nonce="{nonces[0]}">' in page  # folium's map size
    # A page that uses no nonce allows none.
    assert "nonce" not in browser.get("/orders").headers["Content-Security-Policy"]


def test_hsts_only_over_https(make, browser):
    secure = browser.get("/login", base_url="https://hotline.example")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in browser.get("/login").headers


@pytest.mark.parametrize(("proxies", "hsts"), [(0, False), (1, True)])
def test_hsts_behind_a_trusted_proxy_only(tmp_path: Path, proxies, hsts):
    app = make_app(
        f"sqlite:///{tmp_path / 'proxy.db'}", tmp_path / "instance", TRUSTED_PROXIES=proxies
    )
    response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert ("Strict-Transport-Security" in response.headers) is hsts


def test_session_cookie_secure_from_the_environment(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    app = make_app(f"sqlite:///{tmp_path / 'secure.db'}", tmp_path / "instance")
    with app.app_context():
        user = factories.user(Role.OPERATOR)
        username = user.username
    response = Browser(app).login(username)  # over plain HTTP
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    ("peer", "seen", "scheme"),
    [
        ("127.0.0.1", "203.0.113.9", "https"),  # nginx on this host: believed
        ("::ffff:127.0.0.1", "203.0.113.9", "https"),  # the same through a dual-stack socket
        ("10.1.2.3", "10.1.2.3", "http"),  # a machine that reached the app port directly
    ],
)
def test_forwarding_headers_are_believed_from_the_proxies_only(peer, seen, scheme):
    from hotline.web.proxy import FromTrustedPeers

    def echo(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [f"{environ['REMOTE_ADDR']} {environ['wsgi.url_scheme']}".encode()]

    app = FromTrustedPeers(echo, 1, ("127.0.0.0/8", "::1/128"))
    environ = {
        "REMOTE_ADDR": peer,
        "wsgi.url_scheme": "http",
        "HTTP_X_FORWARDED_FOR": "203.0.113.9",
        "HTTP_X_FORWARDED_PROTO": "https",
    }
    body = b"".join(app(environ, lambda *args: None)).decode()
    assert body == f"{seen} {scheme}"
