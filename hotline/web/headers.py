"""Security headers: a Content-Security-Policy without 'unsafe-inline', HSTS over HTTPS.

Pages carry no inline script, event-handler attribute, javascript: URL or style attribute:
scripts are files under static/js, styles classes in static/css, and a page's data goes in
data-* attributes or <script type="application/json"> blocks that the static scripts read.
The one exception is folium's map, whose <script> and <style> blocks are made per request:
each carries the request's nonce (`csp_nonce()`, `with_nonce`). folium emits no style
attribute; Leaflet sets its styles through the DOM (element.style), which CSP allows.
"""

import re
import secrets

from flask import Flask, current_app, g, request
from flask_login import current_user

HSTS = "max-age=31536000"  # a year; sent over HTTPS only (RFC 6797 ignores it over HTTP)

_POLICY = (
    # Nothing may come from outside this server: the map and pages work offline.
    "default-src 'self'; img-src 'self' data:{tiles}; style-src 'self'{nonce}; "
    "script-src 'self'{nonce}; connect-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
_OPENING_TAG = re.compile(r"<(script|style)\b", re.IGNORECASE)


def csp_nonce() -> str:
    """This request's nonce, made on first use; the policy allows it only when it was used."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str | None = None, tile_origin: str | None = None) -> str:
    """The policy, allowing inline blocks that carry `nonce` when one is given, and images
    from the intranet tile service's origin when one is configured (nothing else)."""
    return _POLICY.format(
        nonce=f" 'nonce-{nonce}'" if nonce else "",
        tiles=f" {tile_origin}" if tile_origin else "",
    )


def with_nonce(markup: str) -> str:
    """`markup` (generated, trusted HTML) with the request's nonce on every <script> and
    <style> opening tag."""
    return _OPENING_TAG.sub(lambda m: f'<{m.group(1)} nonce="{csp_nonce()}"', markup)


def _security_headers(response):
    """Headers every answer carries; pages of a logged-in user are never cached."""
    service = current_app.extensions.get("basemap_service")  # an intranet tile service
    origin = service.origin if service is not None else None
    policy = content_security_policy(g.get("csp_nonce"), origin)  # the nonce if used
    response.headers.setdefault("Content-Security-Policy", policy)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    # request.is_secure sees the client's scheme behind TRUSTED_PROXIES (web/proxy.py).
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if current_user.is_authenticated:
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """Send the headers on every answer and give templates csp_nonce()."""
    app.after_request(_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
