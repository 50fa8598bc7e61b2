"""/healthz, /readyz, /metrics, request ids, JSON logs and the system administrator's health
page: what a load balancer, Prometheus and an administrator see."""

import json
import logging
from datetime import timedelta

from sqlalchemy import func, select, text

from hotline.core.accounts.roles import Role
from hotline.database import utcnow
from hotline.logs import JsonFormatter
from hotline.models import ErrorRecord, WorkOrder
from hotline.plugins import db
from hotline.services.deadlines.escalation import RUNNING
from hotline.services.maintenance import health
from hotline.services.scheduling import runs
from tests import factories


def test_liveness_needs_nothing(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.data == b"ok\n"


def test_readiness_checks_the_schema_revision(app):
    client = app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json == {"ready": True, "checks": {"database": True, "migrations": True}}
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    stale = client.get("/readyz")
    assert stale.status_code == 503
    assert stale.json["checks"] == {"database": True, "migrations": False}


def test_readiness_wants_a_recent_scheduler_heartbeat(app):
    app.config["READY_REQUIRES_SCHEDULER"] = True
    client = app.test_client()
    assert client.get("/readyz").json["checks"]["scheduler"] is False  # nobody ever led
    with app.app_context():
        runs.beat(db.session, "host-a:1", utcnow() - timedelta(seconds=200))
    assert client.get("/readyz").status_code == 503  # older than SCHEDULER_STALE_SECONDS
    with app.app_context():
        runs.beat(db.session, "host-a:1", utcnow())
    answer = client.get("/readyz")
    assert answer.status_code == 200 and answer.json["checks"]["scheduler"] is True


def test_a_new_leader_starts_its_own_since(app):
    with app.app_context():
        first = utcnow() - timedelta(minutes=5)
        runs.beat(db.session, "host-a:1", first)
        runs.beat(db.session, "host-a:1", first + timedelta(seconds=10))
        runs.beat(db.session, "host-b:7", first + timedelta(seconds=70))
        state = runs.status(db.session, first + timedelta(seconds=75), timedelta(seconds=90))
    assert state.holder == "host-b:7" and state.since == first + timedelta(seconds=70)
    assert state.fresh


def _metric(body: str, name: str) -> dict[str, float]:
    """The samples of `name`, by their label text."""
    samples = {}
    for line in body.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            key, value = line.rsplit(" ", 1)
            samples[key[len(name) :]] = float(value)
    return samples


def test_metrics_count_the_work_as_the_database_has_it(app, make, login):
    operator = make(factories.user, Role.OPERATOR)
    make(factories.order)
    overdue = make(factories.order, now=factories.NOW - timedelta(days=60))
    make(factories.ambulances, 3)
    with app.app_context():
        runs.started(db.session, "sweep_deadlines", "host-a:1", utcnow() - timedelta(seconds=200))
        runs.finished(db.session, "sweep_deadlines", utcnow() - timedelta(seconds=199), None)
    from hotline.web import observability

    observability._figures = health.FiguresCache(max_age=0)  # counted now, not 10 s ago
    browser = login(operator)
    taken = browser.post("/intake", data=factories.call_form())
    assert taken.status_code in (302, 303)
    body = app.test_client().get("/metrics").get_data(as_text=True)
    opened = _metric(body, "hotline_open_orders")
    assert sum(opened.values()) == 3  # the two made and the one taken
    with app.app_context():
        late = db.session.scalar(
            select(func.count()).where(WorkOrder.state.in_(RUNNING), WorkOrder.due_at < utcnow())
        )
    assert overdue.due_at < utcnow()  # the 60-day-old order is among them
    assert _metric(body, "hotline_overdue_orders")[""] == late >= 1
    assert _metric(body, "hotline_vehicles")['{status="available"}'] == 3
    assert _metric(body, "hotline_intakes_total")['{channel="phone"}'] >= 1
    assert _metric(body, "hotline_scheduler_job_runs_total")['{job="sweep_deadlines"}'] == 1
    # The sweep runs every 60 s; its last start was 200 s ago: 140 s behind.
    lag = _metric(body, "hotline_scheduler_job_lag_seconds")['{job="sweep_deadlines"}']
    assert 139 <= lag <= 150
    requests = _metric(body, "hotline_http_requests_total")
    assert any('endpoint="intake.submit"' in k and 'status="302"' in k for k in requests)


def test_metrics_are_never_served_through_the_proxy_or_to_other_networks(app):
    client = app.test_client()
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    proxied = client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})
    assert proxied.status_code == 404
    outside = client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert outside.status_code == 404
    app.config["METRICS_NETWORKS"] = ("10.1.0.0/16",)
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200


def test_every_answer_carries_a_request_id_and_a_good_one_is_kept(app):
    client = app.test_client()
    made = client.get("/login").headers["X-Request-Id"]
    assert len(made) == 32
    kept = client.get("/login", headers={"X-Request-Id": "nginx-abc123def456"})
    assert kept.headers["X-Request-Id"] == "nginx-abc123def456"
    # A header with other characters could forge log lines: replaced, not echoed.
    forged = client.get("/login", headers={"X-Request-Id": 'x" {"level":"ERROR"}'})
    assert (
        forged.headers["X-Request-Id"] != 'x" {"level":"ERROR"}'
        and len(forged.headers["X-Request-Id"]) == 32
    )


def test_the_request_log_is_json_with_the_request_id_and_no_query(app, caplog):
    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="hotline.access"):
        client.get(
            "/login?next=/orders%3Fcaller_phone%3D13912345678",
            headers={"X-Request-Id": "req-00000001"},
        )
    record = next(r for r in caplog.records if r.name == "hotline.access")
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-00000001"
    assert line["path"] == "/login" and line["status"] == 200 and line["level"] == "INFO"
    assert "13912345678" not in json.dumps(line, ensure_ascii=False)


def test_an_unexpected_error_is_kept_for_the_health_page_without_its_message(app, make, login):
    @app.route("/boom-for-test")
    def boom():
        raise KeyError("13912345678")

    answer = app.test_client().get("/boom-for-test", headers={"X-Request-Id": "req-boom-0001"})
    assert answer.status_code == 500
    with app.app_context():
        kept = db.session.query(ErrorRecord).one()
        assert (kept.source, kept.error, kept.request_id) == ("boom", "KeyError", "req-boom-0001")
    admin = login(make(factories.user, Role.SYSTEM_ADMIN))
    page = admin.get("/admin/health").get_data(as_text=True)
    assert "KeyError" in page and "req-boom-0001" in page and "13912345678" not in page
    assert "数据库可连接" in page and "系统运行状态" in page


def test_only_the_newest_errors_are_kept(app):
    with app.app_context():
        for n in range(health.ERRORS_KEPT + 5):
            health.record_error(
                db.engine, source=f"s{n}", error=ValueError(), request_id=None, now=utcnow()
            )
        kept = db.session.query(ErrorRecord).order_by(ErrorRecord.id).all()
    assert len(kept) == health.ERRORS_KEPT and kept[0].source == "s5"


def test_the_health_page_is_the_system_administrators(make, login):
    for role in (Role.OPERATOR, Role.SUPERVISOR, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
        assert login(make(factories.user, role)).get("/admin/health").status_code == 403


def test_static_urls_carry_the_files_hash(app, tmp_path):
    import re

    app.static_folder = str(tmp_path / "static")
    (tmp_path / "static" / "css").mkdir(parents=True)
    sheet = tmp_path / "static" / "css" / "app.css"
    sheet.write_text("body { color: black; }")
    with app.test_request_context():
        from flask import url_for

        first = url_for("static", filename="css/app.css")
        sheet.write_text("body { color: navy; }")
        second = url_for("static", filename="css/app.css")
        missing = url_for("static", filename="css/none.css")
    assert re.fullmatch(r"/static/css/app\.css\?v=[0-9a-f]{12}", first)
    assert second != first  # a release that changes the file changes its URL
    assert missing == "/static/css/none.css"


def test_an_exception_is_logged_by_class_and_place_never_its_message():
    phone = "139" + "12345678"  # the traceback shows source lines: the number is data here
    try:
        raise KeyError(phone)
    except KeyError:
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "unhandled error", (), None)
        import sys

        record.exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(record))
    assert line["exception"].startswith("builtins.KeyError\n")
    assert "test_operations.py" in line["exception"] and "13912345678" not in line["exception"]


def test_an_invented_method_adds_no_metric_series(app):
    client = app.test_client()
    for n in range(3):
        client.open("/login", method=f"XMETHOD{n}")
    body = client.get("/metrics").get_data(as_text=True)
    assert "XMETHOD" not in body
    assert 'method="other"' in body


def test_a_failed_job_is_counted_and_kept_for_the_health_page(app):
    from hotline.jobs import _tracked

    def nightly_thing(app):
        raise ValueError("13912345678")

    _tracked(nightly_thing, "host-a:1", lambda: True)(app)
    with app.app_context():
        job = runs.status(db.session, utcnow(), timedelta(seconds=90)).jobs[0]
        kept = db.session.query(ErrorRecord).one()
    assert (job.job, job.runs, job.failures, job.last_error) == (
        "nightly_thing",
        1,
        1,
        "ValueError",
    )
    assert (kept.source, kept.error) == ("job:nightly_thing", "ValueError")


def test_a_job_waits_while_the_leadership_is_unconfirmed(app):
    from hotline.jobs import _tracked

    ran = []
    _tracked(lambda app: ran.append(1), "host-a:1", lambda: False)(app)
    assert ran == []
