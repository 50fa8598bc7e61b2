"""Static file URLs carry a hash of the file (`?v=...`): nginx lets browsers keep them for a
year (deploy/nginx/hotline.conf), and a release that changes a file changes its URL."""

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask
from werkzeug.security import safe_join


@lru_cache(maxsize=4096)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    """The first 12 hex digits of the file's SHA-256 (cached per version of the file)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def install(app: Flask) -> None:
    """Add `v` to every url_for('static', filename=...)."""

    def add_version(endpoint: str, values: dict) -> None:
        if endpoint != "static" or "v" in values or not app.static_folder:
            return
        path = safe_join(app.static_folder, values.get("filename", ""))
        if path is None:
            return
        try:
            stat = Path(path).stat()
        except OSError:
            return  # a missing file gets its 404 without a version
        values["v"] = _digest(path, stat.st_mtime_ns, stat.st_size)

    app.url_defaults(add_version)
