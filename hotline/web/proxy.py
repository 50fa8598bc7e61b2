"""The client's address behind trusted reverse proxies, and the key rate limits count it by."""

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from hotline.services import ratelimit


def install(app: Flask) -> None:
    """Trust X-Forwarded-For and -Proto from as many proxies as TRUSTED_PROXIES says."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        # Not X-Forwarded-Host: a proxy that passes on the client's would let it choose the
        # host of the app's absolute links.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def client_key() -> str:
    """This request's client, as every rate limit counts it (an IPv6 client by its /64)."""
    return ratelimit.address_key(request.remote_addr)
