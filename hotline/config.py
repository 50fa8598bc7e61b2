"""Configuration read from the environment."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Config:
    """Production-safe defaults; every value can come from the environment."""

    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None
    # Statement parameters (phones, names) never appear in error messages or logs.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"hide_parameters": True}
    GIS_DATA_DIR = ROOT / "gis_data"
    REPORTS_DIR = ROOT / "reports"
    SCHEDULER_ENABLED = False
    TIMEZONE = "Asia/Shanghai"
    # Retention (docs/SECURITY.md): days callers' personal data stays on a closed order or
    # 120 record, and days delivered notifications and vehicle positions are kept.
    RETENTION_CALLER_DATA_DAYS = 3 * 365
    RETENTION_NOTIFICATIONS_DAYS = 90
    RETENTION_POSITIONS_DAYS = 180
    # The nightly backup goes to BACKUP_DIR (unset: instance/backups); the newest
    # BACKUP_KEEP are kept. pg_dump and pg_restore are looked for in POSTGRES_BIN_DIR first,
    # then under /usr/lib/postgresql/<server version>/bin and on the PATH.
    BACKUP_DIR: Path | None = None
    BACKUP_KEEP = 14
    POSTGRES_BIN_DIR: Path | None = None

    # Werkzeug's default scrypt is N=2^15; we follow the stronger 2^17 advice.
    PASSWORD_HASH_METHOD = "scrypt:131072:8:1"  # noqa: S105 - a hash method name
    # The password and lock-out policy's defaults; the security administrator may change
    # them (within the bounds of hotline/core/accounts/passwords.py) on the policy page.
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 10
    PASSWORD_MIN_LENGTH = 10
    PASSWORD_HISTORY = 5  # a new password may not be one of the last five
    PASSWORD_MAX_AGE_DAYS = 0  # 0: passwords do not expire
    API_TOKEN_DAYS = 90  # how long a user's /api/v1 token is valid
    # Password checks at once on one host (each costs ~0.5 s of a CPU): see hash_slot.py.
    PASSWORD_CHECKS_AT_ONCE = 1
    # The centre's own networks (CIDR): their addresses get no login bucket of their own
    # (many seats behind one NAT); usernames are throttled as everywhere.
    LOGIN_TRUSTED_NETWORKS: tuple[str, ...] = ()
    # A session ends after this long without a request, and after this long in any case.
    SESSION_IDLE_MINUTES = 30
    SESSION_ABSOLUTE_HOURS = 12
    # Personal data is sealed with SM4-GCM under these keys (hotline/encryption.py): the
    # key file's JSON itself, or the key file (unset: instance/data_keys.json).
    DATA_KEYS: str | None = None
    DATA_KEY_FILE: Path | None = None

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # 12 MB: one upload of attachments (each file at most ATTACHMENT_MAX_BYTES). Form fields
    # stay under Werkzeug's MAX_FORM_MEMORY_SIZE (500 kB); nginx keeps 2 MB everywhere
    # but the upload locations (deploy/nginx/hotline.conf).
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    # Attachments of orders (services/orders/attachments.py): the folder (unset:
    # instance/attachments), the largest file.
    ATTACHMENTS_DIR: Path | None = None
    ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    # The maps' base layer (docs/BASEMAP.md): unset, the district polygons; BASEMAP_FILE a
    # MBTiles (raster or vector) or PMTiles file served under /tiles/; or BASEMAP_URL an intranet
    # tile service ({z}/{x}/{y}), whose host must be a private address or under an intranet suffix.
    BASEMAP_FILE: Path | None = None
    BASEMAP_URL: str | None = None
    BASEMAP_ATTRIBUTION = ""
    BASEMAP_INTRANET_SUFFIXES: tuple[str, ...] = (".intranet", ".internal", ".lan", ".local")

    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh", "en")
    PAGE_SIZE = 25
    SWEEP_INTERVAL_SECONDS = 60
    # Scheduler leadership (services/scheduling/leadership.py): a waiting process tries to
    # lead this often; the leader checks its lock and writes its heartbeat this often;
    # readiness fails when the heartbeat is older than SCHEDULER_STALE_SECONDS.
    SCHEDULER_RETRY_SECONDS = 5
    SCHEDULER_BEAT_SECONDS = 10
    SCHEDULER_STALE_SECONDS = 90
    # A leader whose heartbeat is this old is taken for hung: a waiting process ends its
    # database session and leads (a dead or cut-off leader frees the lock by itself sooner).
    SCHEDULER_TAKEOVER_SECONDS = 45
    # /readyz fails when no scheduler has written its heartbeat lately (off: no check).
    READY_REQUIRES_SCHEDULER = True
    # The phone line (docs/TELEPHONY.md). Kamailio sends TELEPHONY_SECRET with every request
    # and connects from TELEPHONY_NETWORKS; without a secret the line's endpoints are off.
    TELEPHONY_SECRET: str | None = None
    TELEPHONY_NETWORKS: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    TELEPHONY_REALM = "hotline"
    # The SIP domain agents' phones reach Kamailio at (click to call dials sip:d...@it).
    TELEPHONY_SIP_DOMAIN = "127.0.0.1"
    TELEPHONY_RING_SECONDS = 15
    TELEPHONY_AFTER_CALL_SECONDS = 30
    TELEPHONY_QUEUE_MAX = 50
    TELEPHONY_RETRY_MS = 500
    TELEPHONY_SHORT_ABANDON_SECONDS = 5
    # Kamailio's accounting database (SQLAlchemy URL; make pbx: sqlite:///instance/pbx/
    # acc.sqlite): the reconcile_calls job completes the call records from it.
    TELEPHONY_ACC_DATABASE: str | None = None
    # rtpengine's recording folder (make pbx: instance/pbx/recordings), and how many days a
    # recording is kept.
    TELEPHONY_RECORDINGS_DIR: Path | None = None
    TELEPHONY_RECORDING_DAYS = 180
    # Who may read /metrics: scrapers connecting from these networks, not through the proxy.
    METRICS_NETWORKS: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    # Orders answered and closed at intake get a survey too when this is on.
    SURVEY_AFTER_INTAKE_CLOSE = False
    # The 120 arrival estimate: great-circle distance x detour factor at an average speed.
    EMS_SPEED_KMH = 40.0
    EMS_DETOUR_FACTOR = 1.3
    EMS_RECOMMENDATIONS = 3
    # A job the crew has not acknowledged (接单) this long after dispatch alerts the dispatcher.
    EMS_ACK_SECONDS = 60
    # Crew terminals' job streams (SSE) open at once per process, each holding a thread;
    # past it a terminal polls. A push-only instance sets it near its thread count.
    EMS_STREAM_SLOTS = 2
    OPEN311_RATE_PER_KEY = 600  # per minute
    OPEN311_RATE_PER_IP = 600  # per minute
    # Open311 GET needs no key: a modest per-address budget keeps the register from being
    # copied in bulk (a client polling its own requests needs far less).
    OPEN311_READ_RATE_PER_IP = 120  # per minute
    STATUS_LOOKUP_RATE_PER_IP = 20  # per 10 minutes
    # Guessing the last four digits of one order's phone: a few tries, from any address.
    STATUS_LOOKUP_RATE_PER_NUMBER = 5  # per hour
    MAILBOX_RATE_PER_IP = 5  # per hour
    SQLITE_BUSY_TIMEOUT_MS = 15000
    # How many reverse proxies in front of the app set X-Forwarded-For and -Proto (each
    # must overwrite, not pass on, what the client sent). 0: the app faces clients directly
    # and those headers are ignored, so nobody can choose the address rate limits count.
    TRUSTED_PROXIES = 0
    # Where those proxies connect from: a request from any other address has its forwarding
    # headers dropped (an app port reached directly cannot name a client). Default: an nginx
    # on the same host; with nginx on another host, its address.
    TRUSTED_PROXY_NETWORKS: tuple[str, ...] = ("127.0.0.0/8", "::1/128")


class TestConfig(Config):
    """Fast hashing and a throwaway secret; everything else as in production."""

    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # noqa: S105 - a hash method name
    READY_REQUIRES_SCHEDULER = False  # tests run no scheduler unless they start one


# Environment variable -> (config key, parser); read when the app is created, not imported.
ENVIRONMENT = {
    "SECRET_KEY": ("SECRET_KEY", str),
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "GIS_DATA_DIR": ("GIS_DATA_DIR", Path),
    "REPORTS_DIR": ("REPORTS_DIR", Path),
    "RETENTION_CALLER_DATA_DAYS": ("RETENTION_CALLER_DATA_DAYS", int),
    "RETENTION_NOTIFICATIONS_DAYS": ("RETENTION_NOTIFICATIONS_DAYS", int),
    "RETENTION_POSITIONS_DAYS": ("RETENTION_POSITIONS_DAYS", int),
    "BACKUP_DIR": ("BACKUP_DIR", Path),
    "ATTACHMENTS_DIR": ("ATTACHMENTS_DIR", Path),
    "BASEMAP_FILE": ("BASEMAP_FILE", Path),
    "BASEMAP_URL": ("BASEMAP_URL", str),
    "BASEMAP_ATTRIBUTION": ("BASEMAP_ATTRIBUTION", str),
    "BASEMAP_INTRANET_SUFFIXES": (
        "BASEMAP_INTRANET_SUFFIXES",
        lambda value: tuple(s.strip() for s in value.split(",") if s.strip()),
    ),
    "ATTACHMENT_MAX_BYTES": ("ATTACHMENT_MAX_BYTES", int),
    "BACKUP_KEEP": ("BACKUP_KEEP", int),
    "POSTGRES_BIN_DIR": ("POSTGRES_BIN_DIR", Path),
    "HOTLINE_TIMEZONE": ("TIMEZONE", str),
    "SCHEDULER_ENABLED": ("SCHEDULER_ENABLED", lambda v: v.strip().lower() in TRUE),
    "OPEN311_RATE_PER_KEY": ("OPEN311_RATE_PER_KEY", int),
    "OPEN311_RATE_PER_IP": ("OPEN311_RATE_PER_IP", int),
    "OPEN311_READ_RATE_PER_IP": ("OPEN311_READ_RATE_PER_IP", int),
    "TRUSTED_PROXIES": ("TRUSTED_PROXIES", int),
    "TRUSTED_PROXY_NETWORKS": (
        "TRUSTED_PROXY_NETWORKS",
        lambda v: tuple(n.strip() for n in v.split(",") if n.strip()),
    ),
    "SWEEP_INTERVAL_SECONDS": ("SWEEP_INTERVAL_SECONDS", int),
    "SCHEDULER_RETRY_SECONDS": ("SCHEDULER_RETRY_SECONDS", int),
    "SCHEDULER_BEAT_SECONDS": ("SCHEDULER_BEAT_SECONDS", int),
    "SCHEDULER_STALE_SECONDS": ("SCHEDULER_STALE_SECONDS", int),
    "SCHEDULER_TAKEOVER_SECONDS": ("SCHEDULER_TAKEOVER_SECONDS", int),
    "READY_REQUIRES_SCHEDULER": ("READY_REQUIRES_SCHEDULER", lambda v: v.strip().lower() in TRUE),
    "METRICS_NETWORKS": (
        "METRICS_NETWORKS",
        lambda v: tuple(n.strip() for n in v.split(",") if n.strip()),
    ),
    "HOTLINE_DATA_KEYS": ("DATA_KEYS", str),
    "TELEPHONY_SECRET": ("TELEPHONY_SECRET", str),
    "TELEPHONY_NETWORKS": (
        "TELEPHONY_NETWORKS",
        lambda v: tuple(n.strip() for n in v.split(",") if n.strip()),
    ),
    "TELEPHONY_REALM": ("TELEPHONY_REALM", str),
    "TELEPHONY_SIP_DOMAIN": ("TELEPHONY_SIP_DOMAIN", str),
    "TELEPHONY_RING_SECONDS": ("TELEPHONY_RING_SECONDS", int),
    "TELEPHONY_AFTER_CALL_SECONDS": ("TELEPHONY_AFTER_CALL_SECONDS", int),
    "EMS_ACK_SECONDS": ("EMS_ACK_SECONDS", int),
    "EMS_STREAM_SLOTS": ("EMS_STREAM_SLOTS", int),
    "TELEPHONY_QUEUE_MAX": ("TELEPHONY_QUEUE_MAX", int),
    "TELEPHONY_RETRY_MS": ("TELEPHONY_RETRY_MS", int),
    "TELEPHONY_SHORT_ABANDON_SECONDS": ("TELEPHONY_SHORT_ABANDON_SECONDS", int),
    "TELEPHONY_ACC_DATABASE": ("TELEPHONY_ACC_DATABASE", str),
    "TELEPHONY_RECORDINGS_DIR": ("TELEPHONY_RECORDINGS_DIR", Path),
    "TELEPHONY_RECORDING_DAYS": ("TELEPHONY_RECORDING_DAYS", int),
    "HOTLINE_DATA_KEY_FILE": ("DATA_KEY_FILE", Path),
    "SESSION_IDLE_MINUTES": ("SESSION_IDLE_MINUTES", int),
    "PASSWORD_CHECKS_AT_ONCE": ("PASSWORD_CHECKS_AT_ONCE", int),
    "LOGIN_TRUSTED_NETWORKS": (
        "LOGIN_TRUSTED_NETWORKS",
        lambda v: tuple(n.strip() for n in v.split(",") if n.strip()),
    ),
    "PASSWORD_MAX_AGE_DAYS": ("PASSWORD_MAX_AGE_DAYS", int),
    "API_TOKEN_DAYS": ("API_TOKEN_DAYS", int),
    "SESSION_ABSOLUTE_HOURS": ("SESSION_ABSOLUTE_HOURS", int),
    "SESSION_COOKIE_SECURE": ("SESSION_COOKIE_SECURE", lambda v: v.strip().lower() in TRUE),
}
TRUE = {"1", "true", "yes", "on"}


def from_environment() -> dict:
    """The settings the environment gives, under their config keys."""
    given = {name: os.environ[name] for name in ENVIRONMENT if os.environ.get(name)}
    return {ENVIRONMENT[name][0]: ENVIRONMENT[name][1](value) for name, value in given.items()}
