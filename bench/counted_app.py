"""The product app (wsgi:app) with every scrypt computation counted, for bench/login_stall.py.

Each finished `hashlib.scrypt` call (werkzeug's password hash and check) appends one byte to
the file named by BENCH_SCRYPT_COUNT (O_APPEND: safe across threads and workers), so the
bench can tell how many login attempts the server really verified and how many it answered
without a hash (throttled). Nothing else changes.
"""

import hashlib
import os

from wsgi import app  # noqa: F401 - served by gunicorn as bench.counted_app:app

_scrypt = hashlib.scrypt
_counter = os.open(os.environ["BENCH_SCRYPT_COUNT"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)


def _counted_scrypt(*args, **kwargs):
    digest = _scrypt(*args, **kwargs)
    os.write(_counter, b"x")
    return digest


hashlib.scrypt = _counted_scrypt
