"""Two app hosts behind one nginx (deploy/nginx/hotline.conf over TLS) on one PostgreSQL.

16 desk operators, each with a session of their own, take intakes through nginx for about
24 s. At 6 s one host's gunicorn (master and workers) gets SIGKILL; it is restarted 3 s
later. deploy/upstream_check.py runs every second, as its timer does in production, and
takes the dead host out. Asserted: every acknowledged order is stored exactly once (nginx
never re-sends a POST), nginx's 5xx answers are at most the requests that were in flight
to the killed host at the kill, and every session keeps working on the other host without
logging in again; the restarted host serves again. The figures are printed (pytest -s).
"""

import http.client
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from bench._harness import BENCH_PASSWORD, add_operator, intake_form
from hotline import create_app
from hotline.plugins import db
from hotline.services.ems import fleet
from tests import factories
from tests.conftest import BEIJING, config_for, postgres_url_or_skip, reset_postgres
from tests.hosts import (
    ROOT,
    UPSTREAM_CHECK,
    AppHost,
    Nginx,
    free_port,
    https_context,
    self_signed,
    test_site,
)

pytestmark = pytest.mark.postgres

CLIENTS = 16
SECONDS = 24  # of load
KILL_AT = 6  # seconds into the load
DOWN_FOR = 3  # seconds before the killed host is started again
USER_AGENT = "two-hosts-test"
ORDER_PATH = re.compile(r"/orders/([0-9]{8}-[0-9]{6})$")
CSRF_FIELD = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
# The check the timer runs; /login until the app has /readyz (it reads the database too).
HEALTH = "/readyz"


@dataclass
class Centre:
    nginx: Nginx
    hosts: list[AppHost]
    port: int
    http_port: int
    cert: Path
    upstreams: Path
    checker_args: list[str]
    database_url: str


@pytest.fixture(scope="module")
def centre(tmp_path_factory):
    """Two hosts and nginx, running for the module; 16 operators in the database."""
    url = postgres_url_or_skip()
    reset_postgres(url)
    directory = tmp_path_factory.mktemp("two-hosts")
    app = create_app(config_for(url, directory / "prepare"))
    with app.app_context():
        upgrade()
        factories.seed_reference(BEIJING)
        db.session.remove()
    fleet.forget_indexes()
    for i in range(CLIENTS):
        add_operator(app, f"desk{i}")  # TestConfig's fast password hash
    with app.app_context():
        db.engine.dispose()

    # What every host of a centre shares (deploy/hotline.env.example): the database, the
    # secret that signs session cookies and the data keys' file; each its own instance folder.
    shared = {
        "DATABASE_URL": url,
        "SECRET_KEY": "two-hosts-secret",
        "HOTLINE_DATA_KEY_FILE": str(directory / "prepare" / "data_keys.json"),
        "TRUSTED_PROXIES": "1",
        "SESSION_COOKIE_SECURE": "1",
        "HOTLINE_WORKERS": "2",
        "HOTLINE_THREADS": "4",
        # The centre's own network: 16 seats logging in at once from one address.
        "LOGIN_TRUSTED_NETWORKS": "127.0.0.0/8",
        # No scheduler runs in this test: readiness is the database and the schema.
        "READY_REQUIRES_SCHEDULER": "0",
    }
    hosts = [
        AppHost(
            "127.0.0.1",
            free_port(),
            {**shared, "HOTLINE_INSTANCE_PATH": str(directory / f"host{n}")},
            directory / f"host{n}.log",
        )
        for n in (1, 2)
    ]
    cert, key = self_signed(directory)
    (directory / "upstream-hosts").write_text("".join(f"{h.name}\n" for h in hosts))
    port, http_port = free_port(), free_port()
    site = test_site(
        {
            "SERVER_NAME": "localhost",
            "TLS_CERT": str(cert),
            "TLS_KEY": str(key),
            "STATIC_DIR": str(ROOT / "hotline" / "static"),
            "ETC": str(directory),
            "LOG_DIR": str(directory),
        },
        http_port,
        port,
        # Which host answered (and which were tried first), for the client's accounting.
        "    add_header X-Upstream $upstream_addr always;\n",
    )
    nginx = Nginx(directory / "nginx", site)
    checker_args = [
        sys.executable,
        str(UPSTREAM_CHECK),
        "--hosts",
        str(directory / "upstream-hosts"),
        "--output",
        str(directory / "upstreams.conf"),
        "--state",
        str(directory / "upstream-state.json"),
        "--path",
        HEALTH,
        "--timeout",
        "1",
        "--reload",
        nginx.reload_command(),
    ]
    try:
        for host in hosts:
            host.start()
        # As the installer does before nginx's first start: write the include, no reload.
        subprocess.run([*checker_args, "--no-reload"], check=True)
        nginx.start(port)
        yield Centre(nginx, hosts, port, http_port, cert, directory / "upstreams.conf",
                     checker_args, url)  # fmt: skip
    finally:
        nginx.stop()
        for host in hosts:
            host.stop()


class Client:
    """One browser: a keep-alive HTTPS connection to nginx and its session cookie."""

    def __init__(self, centre: Centre) -> None:
        self.port = centre.port
        self.context = https_context(centre.cert)
        self.connection: http.client.HTTPSConnection | None = None
        self.cookie = ""

    def request(self, method: str, path: str, body: dict | None = None):
        """(status, headers, body); raises OSError/HTTPException when the connection fails."""
        if self.connection is None:
            self.connection = http.client.HTTPSConnection(
                "localhost", self.port, context=self.context, timeout=60
            )
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        data = None
        if body is not None:
            data = urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # Flask-WTF checks the Referer over HTTPS. Without the port: nginx passes on
            # Host as $host, without it, as a browser on 443 would send them both.
            headers["Referer"] = f"https://localhost{path}"
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except BaseException:
            self.close()
            raise
        if response.will_close:
            self.close()
        return response.status, response.headers, content

    def keep_cookies(self, headers) -> None:
        jar = SimpleCookie(self.cookie)
        for header in headers.get_all("Set-Cookie") or []:
            jar.load(header)
        self.cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items())

    def form_token(self, path: str) -> str:
        status, headers, content = self.request("GET", path)
        assert status == 200, (path, status)
        self.keep_cookies(headers)
        return CSRF_FIELD.search(content.decode()).group(1)

    def log_in(self, username: str) -> str:
        """Log in as in a browser; the intake form's CSRF token."""
        token = self.form_token("/login")
        form = {"username": username, "password": BENCH_PASSWORD, "csrf_token": token}
        # Sixteen sessions log in at once against one password check per host and nginx's
        # per-address limit: each retries for up to a minute (a loaded machine is slower).
        deadline = time.monotonic() + 60
        while True:
            try:
                status, headers, _ = self.request("POST", "/login", form)
            except (OSError, http.client.HTTPException):
                # nginx closes a connection after its own 429 (the login limit) without
                # reading the body; a browser opens a new one and posts again.
                status, headers = 429, {"Retry-After": None}
            if status != 429 or time.monotonic() > deadline:
                break
            # The host checks one password at a time (PASSWORD_CHECKS_AT_ONCE), and nginx
            # limits logins per address: try again a little later.
            time.sleep(float(headers["Retry-After"] or 1) * random.random())
        assert status == 302, f"log-in as {username}: {status}"
        self.keep_cookies(headers)
        # The cookie is kept as it is from here on: the intake's flash messages would grow it.
        return self.form_token("/intake")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def test_the_site_redirects_to_https_and_serves_static_files_itself(centre):
    plain = http.client.HTTPConnection("127.0.0.1", centre.http_port, timeout=10)
    try:
        plain.request("POST", "/intake?x=1", body=b"a=b", headers={"Host": "localhost"})
        answer = plain.getresponse()
        answer.read()
    finally:
        plain.close()
    assert answer.status == 308  # a POST stays a POST
    assert answer.headers["Location"] == "https://localhost/intake?x=1"

    client = Client(centre)
    try:
        status, headers, content = client.request("GET", "/static/css/app.css")
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        assert headers["Cache-Control"] == "public, max-age=300, must-revalidate"
        assert headers["X-Upstream"] is None  # from disk, no app host asked
        status, headers, _ = client.request("GET", "/static/css/app.css?v=0123abcd")
        assert status == 200
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        status, headers, _ = client.request("GET", "/static/../wsgi.py")
        assert status in (400, 404)
        status, headers, _ = client.request("GET", "/login")
        assert status == 200
        assert headers["Content-Encoding"] is None  # pages are not compressed (BREACH)
        assert headers["Strict-Transport-Security"] == "max-age=31536000"  # once, by the app
        assert len(headers.get_all("Content-Security-Policy")) == 1
        assert headers["X-Upstream"] in {h.name for h in centre.hosts}
        status, _, _ = client.request("GET", "/metrics")
        assert status == 404
        status, _, _ = client.request("POST", "/login", {"x": "y" * (3 * 1024 * 1024)})
        assert status == 413  # above MAX_CONTENT_LENGTH: nginx refuses it first
    finally:
        client.close()


@dataclass
class Tally:
    """One client's record of what it sent and what it was told."""

    acked: dict[str, str] = field(default_factory=dict)  # label -> order number
    retried: set[str] = field(default_factory=set)  # labels re-sent after a connection error
    # (started, ended, status, upstream addresses) of every answered request
    answers: list[tuple[float, float, int, str]] = field(default_factory=list)
    lost_sessions: int = 0  # sent back to the log-in page
    connection_errors: int = 0
    others: Counter = field(default_factory=Counter)


def desk(
    centre: Centre, seed: int, stop: threading.Event, tally: Tally, ready: threading.Barrier
) -> None:
    """Log in, wait for every operator to be in, then take intakes until `stop`; a success
    is 302 to the new order."""
    client = Client(centre)
    rng = random.Random(seed)
    try:
        try:
            token = client.log_in(f"desk{seed}")
        finally:
            ready.wait()  # the load's clock starts once all sixteen are in (or gave up)
        n = 0
        while not stop.is_set():
            n += 1
            label = f"h{seed}-{n}"
            form = intake_form(rng, token, label)
            while True:
                started = time.monotonic()
                try:
                    status, headers, _ = client.request("POST", "/intake", form)
                    break
                except (OSError, http.client.HTTPException):
                    # nginx closed a kept-alive connection (a reload); the browser re-sends.
                    tally.connection_errors += 1
                    tally.retried.add(label)
                    time.sleep(0.05)
            ended = time.monotonic()
            tally.answers.append((started, ended, status, headers["X-Upstream"] or ""))
            location = headers["Location"] or ""
            match = ORDER_PATH.search(location)
            if status == 302 and match:
                tally.acked[label] = match.group(1)
            elif status == 302 and "/login" in location:
                tally.lost_sessions += 1
            else:
                tally.others[status] += 1
    finally:
        client.close()


def check_upstreams(centre: Centre, stop: threading.Event, changes: list) -> None:
    """The timer's job, every second: run the checker; note when the include changes."""
    last = centre.upstreams.read_text()
    while not stop.wait(1.0):
        subprocess.run(centre.checker_args, check=False, capture_output=True)
        now = centre.upstreams.read_text()
        if now != last:
            changes.append((time.monotonic(), now))
            last = now


def test_a_host_killed_under_load_loses_no_order_and_no_session(centre):
    killed = centre.hosts[0]
    stop, checking = threading.Event(), threading.Event()
    tallies = [Tally() for _ in range(CLIENTS)]
    changes: list[tuple[float, str]] = []
    ready = threading.Barrier(CLIENTS + 1)
    threads = [
        threading.Thread(target=desk, args=(centre, i, stop, tallies[i], ready))
        for i in range(CLIENTS)
    ]
    checker = threading.Thread(target=check_upstreams, args=(centre, checking, changes))
    for thread in threads:
        thread.start()
    ready.wait(timeout=120)  # logged in: the kill comes KILL_AT seconds into the load
    started = time.monotonic()
    checker.start()
    try:
        time.sleep(max(0.0, started + KILL_AT - time.monotonic()))
        kill_time = time.monotonic()
        killed.kill()
        dead = killed.refused_since
        time.sleep(DOWN_FOR)
        restart_began = time.monotonic()
        killed.start()
        back_up = time.monotonic()
        time.sleep(max(0.0, started + SECONDS - time.monotonic()))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=90)
        checking.set()
        checker.join(timeout=30)
    elapsed = time.monotonic() - started

    answers = [a for t in tallies for a in t.answers]
    acked = {label: number for t in tallies for label, number in t.acked.items()}
    retried = set().union(*(t.retried for t in tallies))
    server_errors = [a for a in answers if a[2] >= 500]
    # In flight to the killed host at the kill, from SIGKILL until its port refuses
    # connections (the last worker holding the socket gone): sent before that end, answered
    # after the start, and nginx's first choice for it was the killed host. Such a POST
    # had reached the host (accepted, or waiting in its listen queue), so nginx does not
    # re-send it elsewhere: a 502. Sent later, the connection is refused and nginx goes on.
    in_flight = [
        a for a in answers if a[0] < dead and a[1] > kill_time and a[3].split(",")[0] == killed.name
    ]
    # Requests nginx still tried on the dead host (refused, then sent to the other one).
    tried_dead = [
        a for a in answers if kill_time < a[0] < back_up and killed.name in a[3] and a[2] < 500
    ]
    went_down = next((t for t, conf in changes if t > kill_time and "down" in conf), None)
    came_back = next((t for t, conf in changes if t > back_up and "down" not in conf), None)
    served_again = [a for a in answers if a[0] > back_up and a[3] == killed.name]

    engine = create_engine(centre.database_url)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT number, description FROM work_orders")).all()
    engine.dispose()
    by_label = Counter(re.search(r"压测来电 (h[0-9]+-[0-9]+)", d).group(1) for _, d in stored)
    numbers = Counter(number for number, _ in stored)
    by_number = {number: d for number, d in stored}

    assert acked, "no intake was acknowledged"
    print(
        f"\ntwo hosts behind nginx: {CLIENTS} clients, {elapsed:.0f} s, SIGKILL of "
        f"{killed.name} at {kill_time - started:.1f} s (refusing "
        f"{(dead - kill_time) * 1000:.0f} ms later), restarted at "
        f"{restart_began - started:.1f} s (serving {back_up - restart_began:.1f} s later)"
    )
    print(
        f"acknowledged {len(acked)}, stored {len(stored)}; 5xx {len(server_errors)} "
        f"(statuses {Counter(a[2] for a in server_errors)}), in flight to the killed host at "
        f"the kill {len(in_flight)}; answered after the dead host was tried and refused "
        f"{len(tried_dead)}; connection errors to nginx {sum(t.connection_errors for t in tallies)}"
    )
    print(
        "killed host out of the include after "
        + (f"{went_down - kill_time:.1f} s" if went_down else "never")
        + "; back in after "
        + (f"{came_back - back_up:.1f} s" if came_back else "never")
        + f" from serving again; requests it answered after the restart {len(served_again)}"
    )

    assert not [label for label, number in acked.items() if numbers[number] != 1]
    assert all(
        re.search(rf"压测来电 {label}：", by_number[number]) for label, number in acked.items()
    )
    # nginx never re-sent a POST: a request is stored twice only if the client re-sent it.
    assert not [label for label, count in by_label.items() if count > 1 and label not in retried]
    assert len(server_errors) <= len(in_flight)
    assert sum(t.lost_sessions for t in tallies) == 0
    assert all(status >= 500 for t in tallies for status in t.others)  # counted above
    for tally in tallies:  # each session was served by both hosts, and after the kill
        hosts_seen = {a[3].split(", ")[-1] for a in tally.answers if a[2] == 302}
        assert hosts_seen == {h.name for h in centre.hosts}
        assert any(a[0] > kill_time and a[2] == 302 for a in tally.answers)
    assert went_down is not None and came_back is not None
    assert served_again


def test_a_password_flood_from_one_address_is_answered_by_nginx(centre):
    """Beyond a burst of 30 posts to /login, nginx answers 429 itself: no host sees them.
    (Last in the module: it uses up this address's allowance.)"""
    client = Client(centre)
    try:
        answers = [
            client.request("POST", "/login", {"username": "nobody", "password": "wrong"})
            for _ in range(45)
        ]
    finally:
        client.close()
    by_nginx = [h for status, h, _ in answers if status == 429 and h["X-Upstream"] is None]
    assert len(by_nginx) >= 10
    assert all(h["X-Request-Id"] is None for h in by_nginx)  # the app never saw them
