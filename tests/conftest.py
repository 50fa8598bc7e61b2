"""Fresh app and database per test; helpers to log in and post forms with a CSRF token."""

import os
import re
import shutil
import tempfile
import threading
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, inspect, text
from werkzeug.serving import make_server

from hotline import create_app
from hotline.config import TestConfig
from hotline.plugins import db
from hotline.services.ems import fleet, statistics_report
from hotline.services.maintenance import health
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
BEIJING = ROOT / "gis_data" / "beijing_districts.geojson"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


def config_for(database_url: str, instance: Path, **overrides) -> dict:
    """TestConfig as a dict, on `database_url`, with its own instance folder."""
    return {
        **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(instance),
        **overrides,
    }


def make_app(database_url: str, instance: Path, **overrides):
    """An app on `database_url` with empty tables and the Beijing reference data."""
    target = _sqlite_file(database_url)
    if target is not None and not target.exists():
        # A copy of one seeded SQLite file per test process: seeding Beijing's reference
        # data took 0.2-0.4 s of every test's setup (minutes of the suite).
        shutil.copyfile(_template(), target)
        app = create_app(config_for(database_url, instance, **overrides))
        with app.app_context():
            _fresh_version_tokens()
    else:
        app = create_app(config_for(database_url, instance, **overrides))
        _build(app)
    fleet.forget_indexes()  # a new database under the same URL
    statistics_report.forget()
    return app


def _build(app) -> None:
    with app.app_context():
        db.drop_all()
        db.create_all()
        stamp_head()
        factories.seed_reference(BEIJING)


_TEMPLATE: list[Path] = []


def _template() -> Path:
    """The seeded SQLite file this process copies (built on first use)."""
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="hotline-template-"))
        path = folder / "template.db"
        app = create_app(config_for(f"sqlite:///{path}", folder / "instance"))
        _build(app)
        with app.app_context():
            with db.engine.begin() as conn:
                conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            db.engine.dispose()
        _TEMPLATE.append(path)
    return _TEMPLATE[0]


def _sqlite_file(database_url: str) -> Path | None:
    prefix = "sqlite:///"
    if not database_url.startswith(prefix) or "?" in database_url:
        return None
    return Path(database_url.removeprefix(prefix))


def _fresh_version_tokens() -> None:
    """Every copy gets its own version tokens (uuid4 hex, services/versions.py): caches
    keyed by a token must never take one test's data for another's."""
    with db.engine.begin() as conn:
        rows = conn.execute(text("SELECT key, value FROM app_settings")).all()
        for key, value in rows:
            if re.fullmatch(r"[0-9a-f]{32}", value or ""):
                conn.execute(
                    text("UPDATE app_settings SET value = :value WHERE key = :key"),
                    {"value": uuid.uuid4().hex, "key": key},
                )


def stamp_head() -> None:
    """Record the newest migration as applied, as `db upgrade` would: the tables are the
    models', which the migrations build exactly (tests/integration/test_storage.py)."""
    head = health.head_revision(ROOT / "migrations")
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        conn.execute(text("INSERT INTO alembic_version VALUES (:head)"), {"head": head})


def postgres_url_or_skip() -> str:
    """The PostgreSQL test server's URL, or skip the test with a clear message."""
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL server: set TEST_DATABASE_URL (.ci/run does) to run this test")
    return POSTGRES_URL


def reset_postgres(url: str) -> None:
    """Drop our tables (not PostGIS's) so each test starts empty."""
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = conn.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'spatial_ref_sys'"
            )
        ).scalars()
        for table in list(tables):
            conn.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
        for table in ("audit_events", "incident_events", "security_events"):
            conn.execute(text(f"DROP FUNCTION IF EXISTS {table}_append_only() CASCADE"))
    engine.dispose()


@pytest.fixture
def app(tmp_path):
    """A fresh SQLite-file app (WAL, triggers, reference data) for one test."""
    application = make_app(f"sqlite:///{tmp_path / 'test.db'}", tmp_path / "instance")
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_app(request, tmp_path):
    """The same test on SQLite and on the PostgreSQL server (skipped without one)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
    else:
        url = postgres_url_or_skip()
        reset_postgres(url)
    application = make_app(url, tmp_path / "instance")
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def snapshot(obj):
    """A detached copy of a model's column values, usable after its session is gone."""
    if obj is None or not hasattr(obj, "__table__"):
        return obj
    return SimpleNamespace(
        **{attr.key: getattr(obj, attr.key) for attr in inspect(obj).mapper.column_attrs}
    )


@pytest.fixture
def make(app):
    """make(factory, *args) runs a factory in its own app context and returns a snapshot."""

    def _make(factory, *args, **kwargs):
        with app.app_context():
            return snapshot(factory(*args, **kwargs))

    return _make


@pytest.fixture
def query(app):
    """query(fn) runs fn() in its own app context and returns its (plain) result."""

    def _query(fn):
        with app.app_context():
            return snapshot(fn())

    return _query


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """A test client that logs in and sends forms with the session's CSRF token."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.token = None

    def refresh_token(self, url: str = "/login") -> str:
        page = self.client.get(url).get_data(as_text=True)
        self.token = _CSRF.search(page).group(1)
        return self.token

    def login(self, username: str, password: str = factories.PASSWORD, path: str = "/login"):
        self.refresh_token("/login")
        response = self.client.post(
            path,
            data={"username": username, "password": password, "csrf_token": self.token},
        )
        self.refresh_token("/login")
        return response

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict | None = None, **kwargs):
        return self.client.post(url, data={**(data or {}), "csrf_token": self.token}, **kwargs)


@pytest.fixture
def browser(app):
    """A logged-out Browser on the fresh app."""
    return Browser(app)


@pytest.fixture
def login(app):
    """login(user) -> a Browser logged in as that user."""

    def _login(user) -> Browser:
        b = Browser(app)
        response = b.login(user.username)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return b

    return _login


@pytest.fixture
def live_server(app):
    """Serve the test app on a free port of 127.0.0.1 in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


class Clock:
    """The time the web layer reads, set by the test."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **delta) -> None:
        """Move the clock forward by timedelta(**delta)."""
        from datetime import timedelta

        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """A controlled clock for logins and sessions (the real time elsewhere)."""
    import hotline.database
    import hotline.web.accounts.auth

    controlled = Clock(factories.NOW)
    monkeypatch.setattr(hotline.database, "utcnow", controlled)
    monkeypatch.setattr(hotline.web.accounts.auth, "utcnow", controlled)
    return controlled
