"""The dispatcher map's vehicle feed at 10,000 vehicles, 1% of them moving every 5 s: bytes
on the wire and server time of the full feed (the naive way: the map fetched it every 5 s)
against the change-only feed (?since=<version>, issue 14), through nginx with gzip in
front of gunicorn, on SQLite and PostgreSQL.

nginx runs the production site template deploy/nginx/hotline.conf, rendered into a
temporary folder: TLS with a throwaway self-signed certificate, its gzip and proxy
settings as they are; only the listening ports (free ones on 127.0.0.1 instead of 80/443)
and the placeholders change. One keep-alive HTTPS client logged in as a dispatcher plays
the map: each round moves 1% of the vehicles through the services (terminals' GPS fixes,
one transaction each), then fetches the delta at the last version, then the full feed.
Server time is nginx's $upstream_response_time (gunicorn, 2 workers x 4 threads),
bytes are the gzip body nginx sent ($body_bytes_sent) plus the response's headers.

Run: .venv/bin/python bench/feed.py [--vehicles 10000] [--rounds 24]
     [--database sqlite|postgres|both]
     [--pg-url postgresql+psycopg://postgres@127.0.0.1:55432/hotline_c]
"""

import argparse
import gzip
import http.client
import json
import os
import random
import re
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import (  # noqa: E402
    BENCH_PASSWORD,
    EAST,
    NORTH,
    ROOT,
    SOUTH,
    WEST,
    add_operator,
    free_port,
    prepared_app,
    synthetic_fleet,
)
from bench._http import CSRF_FIELD, Server  # noqa: E402

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
FEED = "/api/v1/map/vehicles.geojson"
POLL_SECONDS = 5
FULL_EVERY_POLLS = 120  # dispatch_map.js reloads the full feed every 10 minutes
SITE = ROOT / "deploy" / "nginx" / "hotline.conf"
DISPATCHER = "feedbench"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vehicles", type=int, default=10_000)
    parser.add_argument("--moving", type=float, default=0.01, help="share moving per poll")
    parser.add_argument("--rounds", type=int, default=24)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:55432/hotline_c"
        ),
    )
    return parser.parse_args()


def fill(app, vehicles: int) -> list[int]:
    """One station and `vehicles` synthetic ambulances in bulk; a dispatcher; the ids."""
    from sqlalchemy import select

    from hotline.models import Vehicle
    from hotline.plugins import db

    with app.app_context():
        synthetic_fleet(db.session, random.Random(14), vehicles, NOW)
        ids = list(db.session.scalars(select(Vehicle.id)))
    add_operator(app, DISPATCHER, role="ems_dispatcher")
    return ids


def render_site(folder: Path, upstream: str) -> tuple[Path, int]:
    """deploy/nginx/hotline.conf with its placeholders filled for this machine, inside a
    minimal nginx.conf; the configuration file and the HTTPS port."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-keyout", str(folder / "key.pem")]
        + ["-out", str(folder / "cert.pem")],
        check=True,
        capture_output=True,
    )
    (folder / "upstreams.conf").write_text(f"server {upstream};\n")
    https, http = free_port(), free_port()
    site = SITE.read_text()
    for placeholder, value in {
        "@SERVER_NAME@": "127.0.0.1",
        "@TLS_CERT@": str(folder / "cert.pem"),
        "@TLS_KEY@": str(folder / "key.pem"),
        "@STATIC_DIR@": str(ROOT / "hotline" / "static"),
        "@ETC@": str(folder),
        "@LOG_DIR@": str(folder),
    }.items():
        site = site.replace(placeholder, value)
    # Free ports on 127.0.0.1, not the machine's 80 and 443 (other servers may hold them).
    site = re.sub(r"^\s*listen \[::\]:.*$", "", site, flags=re.M)
    site = re.sub(r"^(\s*)listen 80;", rf"\1listen 127.0.0.1:{http};", site, flags=re.M)
    site = re.sub(r"^(\s*)listen 443 ", rf"\1listen 127.0.0.1:{https} ", site, flags=re.M)
    (folder / "site.conf").write_text(site)
    main = folder / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"""worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
"""
    )
    return main, https


class Https:
    """One keep-alive HTTPS connection to nginx that asks for gzip and keeps the session."""

    def __init__(self, port: int) -> None:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # throwaway cert
        self.connection = http.client.HTTPSConnection("127.0.0.1", port, context=context)
        self.cookie = ""

    def request(self, method: str, path: str, form: dict | None = None):
        """Status, headers as sent (bytes), body as sent (bytes), and the response."""
        headers = {"Accept-Encoding": "gzip", "Referer": "https://127.0.0.1/login"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            kept = dict(c.split("=", 1) for c in self.cookie.split("; ") if c)
            kept[name] = rest.split(";", 1)[0]
            self.cookie = "; ".join(f"{k}={v}" for k, v in kept.items())
        header_bytes = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + len(
            response.headers.as_bytes()
        )
        return response.status, header_bytes, data, response

    def log_in(self) -> None:
        status, _, page, _ = self.request("GET", "/login")
        token = CSRF_FIELD.search(page.decode()).group(1)
        form = {"username": DISPATCHER, "password": BENCH_PASSWORD, "csrf_token": token}
        status, _, _, _ = self.request("POST", "/login", form)
        if status != 302:
            raise RuntimeError(f"log-in through nginx: {status}")

    def feed(self, query: str = "") -> tuple[dict, int, int, int]:
        """The vehicle feed: the document, the headers' bytes, the gzip body's bytes and the
        raw body's size."""
        status, header_bytes, data, response = self.request("GET", FEED + query)
        if status != 200 or response.getheader("Content-Encoding") != "gzip":
            raise RuntimeError(f"feed {query}: {status} {response.getheader('Content-Encoding')}")
        raw = gzip.decompress(data)
        return json.loads(raw), header_bytes, len(data), len(raw)


def move(app, ids: list[int], rng: random.Random, count: int, at: datetime) -> None:
    """`count` vehicles report a new GPS fix a few hundred metres on (one transaction each,
    as the terminals' API does)."""
    from hotline.models import Vehicle
    from hotline.plugins import db
    from hotline.services.ems import terminals

    with app.app_context():
        for vehicle_id in rng.sample(ids, count):
            vehicle = db.session.get(Vehicle, vehicle_id)
            lon = min(max(vehicle.lon + rng.uniform(-0.005, 0.005), WEST), EAST)
            lat = min(max(vehicle.lat + rng.uniform(-0.005, 0.005), SOUTH), NORTH)
            terminals.record_position(db.session, vehicle_id=vehicle_id, lon=lon, lat=lat, at=at)
            db.session.expire_all()


def log_lines(path: Path) -> list[tuple[int, float, float]]:
    """(body bytes sent, request seconds, upstream seconds) of each feed request nginx
    logged, in order (the template's log format ends with
    $status $body_bytes_sent $request_time "$upstream_addr" $upstream_status
    $upstream_response_time)."""
    lines = []
    for line in path.read_text().splitlines():
        if f" {FEED} " not in line:
            continue
        fields = line.split()
        lines.append((int(fields[-5]), float(fields[-4]), float(fields[-1])))
    return lines


def run(database: str, args: argparse.Namespace) -> dict:
    """One database: fill, serve through nginx, play the map for `rounds` polls."""
    folder = Path(tempfile.mkdtemp(prefix="hotline-feed-"))
    url = None
    if database == "postgres":
        from bench.crash import reset_postgres

        url = args.pg_url
        reset_postgres(url)
    env, app = prepared_app(folder, url, TRUSTED_PROXIES="1", SESSION_COOKIE_SECURE="1")
    ids = fill(app, args.vehicles)
    moving = max(1, round(args.vehicles * args.moving))
    rng = random.Random(5)
    with Server("wsgi:app", env, workers=2, threads=4) as server:
        conf, port = render_site(folder, server.base.removeprefix("http://"))
        nginx = subprocess.Popen(
            ["nginx", "-c", str(conf), "-p", str(folder), "-g", "daemon off;"],
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 10
            while not (folder / "nginx.pid").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            client = Https(port)
            client.log_in()
            first, _, _, _ = client.feed()
            version, requests = first["version"], []
            at = NOW
            for _ in range(args.rounds):
                at += timedelta(seconds=POLL_SECONDS)
                move(app, ids, rng, moving, at)
                delta, headers, body, raw = client.feed(f"?since={version}")
                if delta["full"] or len(delta["features"]) != moving:
                    raise RuntimeError(f"delta of {len(delta['features'])}, expected {moving}")
                version = delta["version"]
                requests.append(("delta", headers, body, raw))
                full, headers, body, raw = client.feed()
                if len(full["features"]) != args.vehicles or full["version"] != version:
                    raise RuntimeError("the full feed disagrees with the deltas")
                requests.append(("full", headers, body, raw))
            client.connection.close()
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)
    logged = log_lines(folder / "hotline.access.log")[1:]  # the first full feed aside
    if len(logged) != len(requests):
        raise RuntimeError(f"nginx logged {len(logged)} feed requests, not {len(requests)}")
    result = {"database": database, "moving": moving, "delta": [], "full": []}
    for (kind, headers, body, raw), (sent_body, request_s, upstream_s) in zip(
        requests, logged, strict=True
    ):
        # nginx counts the chunked framing of its gzip stream too (a dozen bytes).
        if not body <= sent_body <= body + 64:
            raise RuntimeError(f"nginx sent {sent_body} bytes of body, the client read {body}")
        result[kind].append(
            {
                "sent": headers + sent_body,
                "raw": raw,
                "ms": upstream_s * 1000,
                "nginx_ms": request_s * 1000,
            }  # fmt: skip
        )
    return result


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(result: dict, args: argparse.Namespace) -> dict:
    """Print the figures of one run and the ratio to the naive way; the figures."""
    med = statistics.median
    figures = {}
    print(
        f"{result['database']}: {args.vehicles:,} vehicles, {result['moving']} moving per "
        f"{POLL_SECONDS} s, {args.rounds} polls, through nginx (TLS, gzip) and gunicorn 2x4"
    )
    print(
        f"  {'feed':<16} {'bytes sent':>11} {'raw bytes':>10} "
        f"{'app ms p50':>10} {'p95':>7} {'nginx ms p50':>12}"
    )
    for kind, name in (("full", "full (naive)"), ("delta", "?since= (delta)")):
        rows = result[kind]
        ms = [r["ms"] for r in rows]
        figures[kind] = {
            "sent": med(r["sent"] for r in rows),
            "raw": med(r["raw"] for r in rows),
            "ms": med(ms),
            "p95": percentile(ms, 0.95),
            "nginx_ms": med(r["nginx_ms"] for r in rows),
        }
        f = figures[kind]
        print(
            f"  {name:<16} {f['sent']:11,.0f} {f['raw']:10,.0f} "
            f"{f['ms']:10.1f} {f['p95']:7.1f} {f['nginx_ms']:12.1f}"
        )
    full, delta = figures["full"], figures["delta"]
    # The map's way: a delta every poll and the full feed once every FULL_EVERY_POLLS.
    per_poll = delta["sent"] + full["sent"] / FULL_EVERY_POLLS
    per_poll_ms = delta["ms"] + full["ms"] / FULL_EVERY_POLLS
    hour = 3600 / POLL_SECONDS
    print(
        f"  per poll with a full reload every {FULL_EVERY_POLLS} polls: {per_poll:,.0f} bytes, "
        f"{per_poll_ms:.1f} ms of app time; per map and hour {per_poll * hour / 1e6:.2f} MB "
        f"instead of {full['sent'] * hour / 1e6:.1f} MB"
    )
    print(
        f"  ratio naive / change-only: bytes {full['sent'] / per_poll:.1f}x, "
        f"app time {full['ms'] / per_poll_ms:.1f}x"
    )
    return figures


def main() -> None:
    args = arguments()
    if not SITE.exists():
        raise SystemExit(f"{SITE} is missing: this bench renders the production nginx site")
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for database in databases:
        report(run(database, args), args)


if __name__ == "__main__":
    main()
