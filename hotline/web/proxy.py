"""The client's address behind trusted reverse proxies, and the key rate limits count it by."""

import ipaddress

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from hotline.services import ratelimit

FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST")


class FromTrustedPeers:
    """ProxyFix for requests whose TCP peer is one of the proxies (TRUSTED_PROXY_NETWORKS);
    a machine that reached the app's port directly has its forwarding headers dropped, so
    that it cannot name another client's address (rate limits, the audit, the login limit)."""

    def __init__(self, app, hops: int, networks: tuple[str, ...]) -> None:
        self.plain = app
        # Not X-Forwarded-Host: a proxy that passes on the client's would let it choose the
        # host of the app's absolute links.
        self.fixed = ProxyFix(app, x_for=hops, x_proto=hops)
        self.networks = tuple(ipaddress.ip_network(n, strict=False) for n in networks)

    def trusted(self, peer: str) -> bool:
        """Whether the TCP peer is one of the proxies."""
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        if address.version == 6 and address.ipv4_mapped:  # a dual-stack socket's IPv4 peer
            address = address.ipv4_mapped
        return any(address in network for network in self.networks)

    def __call__(self, environ, start_response):
        if self.trusted(environ.get("REMOTE_ADDR", "")):
            return self.fixed(environ, start_response)
        for header in FORWARDING_HEADERS:
            environ.pop(header, None)
        return self.plain(environ, start_response)


def install(app: Flask) -> None:
    """Trust X-Forwarded-For and -Proto from as many proxies as TRUSTED_PROXIES says, when
    the request comes from one of them."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        app.wsgi_app = FromTrustedPeers(app.wsgi_app, hops, app.config["TRUSTED_PROXY_NETWORKS"])


def client_key() -> str:
    """This request's client, as every rate limit counts it (an IPv6 client by its /64)."""
    return ratelimit.address_key(request.remote_addr)
