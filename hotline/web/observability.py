"""Operations: a request id on every request and log line, request figures, and the
endpoints a load balancer and Prometheus call: /healthz, /readyz, /metrics.

/healthz and /readyz need no login (the load balancer has none) and tell nothing but what
passed. /metrics is answered only to a scraper connecting straight from METRICS_NETWORKS,
never to a request that came through the proxy (it carries X-Forwarded-For).
"""

import ipaddress
import logging
import os
import re
import time
import uuid
from datetime import timedelta

from flask import Blueprint, Flask, Response, abort, current_app, g, jsonify, request
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from hotline.config import ROOT
from hotline.database import database_now, utcnow
from hotline.plugins import db
from hotline.services.maintenance import health
from hotline.services.scheduling import runs

bp = Blueprint("observability", __name__)
log = logging.getLogger("hotline.access")

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
MIGRATIONS = ROOT / "migrations"

REQUESTS = Counter(
    "hotline_http_requests", "Requests answered, by endpoint, method and status.",
    ["endpoint", "method", "status"],
)  # fmt: skip
LATENCY = Histogram(
    "hotline_http_request_duration_seconds", "Time to answer a request, by endpoint.",
    ["endpoint"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)  # fmt: skip
INTAKES = Counter("hotline_intakes", "Orders taken, by channel.", ["channel"])

_figures = health.FiguresCache()


def count_intake(channel: str) -> None:
    """One order taken through `channel` (phone, web, letter, open311, api)."""
    INTAKES.labels(channel).inc()


def _start() -> None:
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _finish(response: Response) -> Response:
    endpoint = request.url_rule.endpoint if request.url_rule else "unmatched"
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    # A method anyone may invent would make a new series per request: the known ones only.
    method = request.method if request.method in METHODS else "other"
    REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
    LATENCY.labels(endpoint).observe(elapsed)
    response.headers["X-Request-Id"] = g.get("request_id", "")
    if endpoint not in ("observability.healthz", "observability.readyz", "static"):
        log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": g.get("request_id"),
                "method": request.method,
                "path": request.path,  # never the query string: a search may hold a phone
                "endpoint": endpoint,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1),
            },
        )
    return response


def record_failure(error: BaseException) -> None:
    """An unhandled error, kept for the health page (kind and place only); not when the
    database itself failed: recording would wait on the same pool and lengthen the outage."""
    if isinstance(error, OperationalError | PoolTimeout):
        return
    try:
        health.record_error(
            db.engine,
            source=(request.url_rule.endpoint if request.url_rule else request.path)[:128],
            error=error,
            request_id=g.get("request_id"),
            now=utcnow(),
        )
    except Exception:
        logging.getLogger(__name__).exception("could not record an error")


@bp.route("/healthz")
def healthz():
    """Liveness: the process answers (nothing else is checked: a restart would not help)."""
    return Response("ok\n", mimetype="text/plain")


def current_readiness() -> health.Readiness:
    """This host's readiness with the app's settings."""
    config = current_app.config
    return health.readiness(
        db.session,
        migrations=MIGRATIONS,
        scheduler_stale_after=timedelta(seconds=config["SCHEDULER_STALE_SECONDS"]),
        scheduler_required=config["READY_REQUIRES_SCHEDULER"],
    )


@bp.route("/readyz")
def readyz():
    """Readiness for the load balancer: 200 when every check passed, else 503."""
    state = current_readiness()
    body = {"ready": state.ready, "checks": {c.name: c.ok for c in state.checks}}
    return jsonify(body), 200 if state.ready else 503


def _may_scrape() -> bool:
    return direct_peer_in(current_app.config["METRICS_NETWORKS"])


def direct_peer_in(networks) -> bool:
    """Whether the request came straight (not through the proxy) from one of `networks`:
    the scraper of /metrics, Kamailio on the phone line's endpoints."""
    if request.headers.get("X-Forwarded-For") is not None:
        return False  # came through the proxy: the public side never reaches these
    # The TCP peer, not an address a proxy header named.
    original = request.environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR")
    peer = original or request.remote_addr or ""
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:  # a dual-stack socket's IPv4 peer
        address = address.ipv4_mapped
    return any(address in ipaddress.ip_network(n, strict=False) for n in networks)


class _WorkCollector:
    """Figures read from the database at scrape time: the same on every host."""

    def __init__(self, app: Flask) -> None:
        self._app = app

    def collect(self):
        """Open orders by state, overdue, outbox, vehicles, and the scheduler's jobs."""
        now = utcnow()
        work = _figures.get(db.session, now)
        opened = GaugeMetricFamily("hotline_open_orders", "Open orders by state.", labels=["state"])
        for state, count in sorted(work.open_by_state.items()):
            opened.add_metric([state], count)
        yield opened
        yield GaugeMetricFamily(
            "hotline_overdue_orders", "Orders past their deadline, not closed.", value=work.overdue
        )
        yield GaugeMetricFamily(
            "hotline_outbox_backlog", "Notices waiting to be sent.", value=work.outbox_backlog
        )
        vehicles = GaugeMetricFamily("hotline_vehicles", "Ambulances by status.", labels=["status"])
        for status, count in sorted(work.vehicles_by_status.items()):
            vehicles.add_metric([status], count)
        yield vehicles
        yield from _scheduler_families(self._app)


def _scheduler_families(app: Flask):
    now = database_now(db.session)  # the heartbeat was written by the database's clock
    state = runs.status(db.session, now, timedelta(seconds=app.config["SCHEDULER_STALE_SECONDS"]))
    age = (now - state.heartbeat_at).total_seconds() if state.heartbeat_at else float("nan")
    yield GaugeMetricFamily(
        "hotline_scheduler_heartbeat_age_seconds", "Seconds since the leader's heartbeat.",
        value=age,
    )  # fmt: skip
    total = CounterMetricFamily("hotline_scheduler_job_runs", "Job runs.", labels=["job"])
    failed = CounterMetricFamily("hotline_scheduler_job_failures", "Failed runs.", labels=["job"])
    success = GaugeMetricFamily(
        "hotline_scheduler_job_last_success_timestamp_seconds",
        "When each job last succeeded (Unix time).", labels=["job"],
    )  # fmt: skip
    lag = GaugeMetricFamily(
        "hotline_scheduler_job_lag_seconds",
        "How far an interval job is behind its period (0: on time).", labels=["job"],
    )  # fmt: skip
    from hotline.jobs import interval_seconds

    periods = interval_seconds(app)
    for job in state.jobs:
        total.add_metric([job.job], job.runs)
        failed.add_metric([job.job], job.failures)
        if job.last_success_at:
            success.add_metric([job.job], job.last_success_at.timestamp())
        if job.job in periods and job.last_started_at:
            behind = (now - job.last_started_at).total_seconds() - periods[job.job]
            lag.add_metric([job.job], max(0.0, behind))
    yield from (total, failed, success, lag)


@bp.route("/metrics")
def metrics():
    """The Prometheus text format: this host's workers merged, and the work's figures."""
    if not _may_scrape():
        abort(404)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    work = CollectorRegistry()
    work.register(_WorkCollector(current_app._get_current_object()))
    # The 0.0.4 text format: what every Prometheus server reads (Debian 12's 2.42 too).
    return Response(body + generate_latest(work), content_type=CONTENT_TYPE_PLAIN_0_0_4)


def init_app(app: Flask) -> None:
    """Request ids and figures on every request; the operations endpoints."""
    # First of all: a request refused early (CSRF, the login gate) has its id and time too.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
    app.register_blueprint(bp)
