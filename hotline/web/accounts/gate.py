"""A login flood from one address is answered before Flask, at almost no cost.

When the throttle makes a client address wait, each worker remembers it until when; a
POST /login from that address before then gets its 429 from this WSGI wrapper, without a
session, a CSRF check, a form or a database read. That keeps a guessing client from taking
the CPU that intake and dispatch need (bench/login_stall.py). Only waits of the address's
own bucket are remembered: a username's wait must not shut out the other users behind
the same address (a call centre's NAT).
"""

import threading
import time
from collections.abc import Callable, Iterable

from hotline.services.ratelimit import address_key

MAX_REMEMBERED = 10_000  # addresses; the oldest are forgotten first


class LoginGate:
    """WSGI wrapper that answers POST /login from an address told to wait."""

    def __init__(self, wsgi_app: Callable, path: str = "/login") -> None:
        self.wsgi_app = wsgi_app
        self.path = path
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def hold(self, address: str | None, seconds: int) -> None:
        """Answer this address's logins here for `seconds`."""
        with self._lock:
            if len(self._until) >= MAX_REMEMBERED:
                self._until.pop(next(iter(self._until)))
            self._until[address_key(address)] = time.monotonic() + seconds

    def _waiting(self, address: str | None) -> int:
        until = self._until.get(address_key(address))
        left = (until or 0) - time.monotonic()
        return int(left) + 1 if left > 0 else 0

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO") == self.path:
            wait = self._waiting(environ.get("REMOTE_ADDR"))
            if wait:
                body = "尝试次数过多，请稍候再试。Too many attempts.".encode()
                headers = [
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Content-Length", str(len(body))),
                    ("Retry-After", str(wait)),
                ]
                start_response("429 TOO MANY REQUESTS", headers)
                return [body]
        return self.wsgi_app(environ, start_response)


def install(app) -> LoginGate:
    """Wrap the app (inside ProxyFix, so the address is the client's)."""
    gate = LoginGate(app.wsgi_app)
    app.wsgi_app = gate
    app.extensions["hotline.login_gate"] = gate
    return gate
