"""Crash under load: no acknowledged order may be lost when the server is killed.

16 clients (half desk operators posting the intake form with a login session and CSRF, half
Open311 apps posting requests.json with an api_key and an Idempotency-Key) drive gunicorn
(2 workers x 4 threads, as bench/intake.py) for 40 s. At about 10, 20 and 30 s (each kill
at least 5 s after the previous restart, so that it lands under load; the run is extended
to end 5 s after the last restart) the whole gunicorn process group (master and workers)
gets SIGKILL mid-load and is restarted on the same port; clients see connection errors,
count them and retry the same request once the server answers again (Open311 with the
same Idempotency-Key; a desk form has none, so a retried desk intake whose first answer
was lost may be stored twice). Each client records every order number it got a success
answer for (302 to /orders/<number>, or 201/200 with a service_request_id). At the end
every acknowledged number must be in the database.

Printed: acknowledged orders, missing (must be 0), stored orders beyond the acknowledged
ones, throughput, the restarts' downtime; then the database's own checks: SQLite's
`PRAGMA integrity_check` and `foreign_key_check`, or on PostgreSQL the row counts and
amcheck's `bt_index_check` of every index; on both, every order has its audit event and
each day's number counter equals the highest number stored. There is no ratio to a naive
way here: the figures that matter are acknowledged / missing / throughput.
Exit status 1 if anything acknowledged is missing, a check fails or the server answered
with a 5xx (a kill shows as a connection error, never as a 500).

Run: .venv/bin/python bench/crash.py [--database sqlite|postgres] [--pg-url URL]
     [--seconds 40] [--clients 16] [--kills 3]
Default: SQLite, and PostgreSQL too when a URL is given (--pg-url or BENCH_PG_URL), each in
its own process. The PostgreSQL database must exist with PostGIS; this bench DROPS every
table in it first (use a database of your own, e.g. hotline_crash, never a shared one).
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import BENCH_PASSWORD, add_operator, intake_form, prepared_app  # noqa: E402
from bench._http import CONNECTION_ERRORS, Client, Server, operator_session  # noqa: E402

PASSWORD = BENCH_PASSWORD
MIN_UP = 5.0  # seconds of load between a restart and the next kill, and before the end
ORDER_PATH = re.compile(r"/orders/([0-9]{8}-[0-9]{6})$")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"])
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL"))
    parser.add_argument("--seconds", type=int, default=40)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--kills", type=int, default=3)
    return parser.parse_args()


def reset_postgres(url: str) -> None:
    """Drop this application's tables (PostGIS's stay) so that migrations start empty."""
    import psycopg

    with psycopg.connect(plain(url), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'spatial_ref_sys'"
        ).fetchall()
        for (table,) in tables:
            conn.execute(f'DROP TABLE IF EXISTS "{table}" CASCADE')
        for table in ("audit_events", "incident_events"):
            conn.execute(f"DROP FUNCTION IF EXISTS {table}_append_only() CASCADE")


def plain(url: str) -> str:
    """The libpq form of a SQLAlchemy URL."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


def prepare(directory: Path, database_url: str | None) -> tuple[dict, str]:
    """A migrated database with the reference data, one operator and one API client."""
    from hotline.database import utcnow
    from hotline.plugins import db
    from hotline.services.accounts import credentials

    limits = {
        "OPEN311_RATE_PER_KEY": str(10**9),
        "OPEN311_RATE_PER_IP": str(10**9),
        "OPEN311_READ_RATE_PER_IP": str(10**9),
    }
    env, app = prepared_app(directory, database_url, **limits)
    add_operator(app)
    with app.app_context():
        key = credentials.create_client(db.session, name="crash-bench", now=utcnow())[1]
        db.engine.dispose()
    return env, key


class Tally:
    """One client's record: what it was told, and what went wrong on the way."""

    def __init__(self) -> None:
        self.acked: dict[str, str] = {}  # request key -> order number acknowledged
        self.connection_errors = 0
        self.statuses: Counter = Counter()  # answers that were not a success
        self.replays = 0  # Open311 answers 200: the same key's order, created before
        self.unanswered = 0  # still being retried when the run ended
        self.latencies: list[float] = []


def desk_client(base: str, cookie: str, token: str, seed: int, stop, tally: Tally) -> None:
    """Post intake forms as an operator; a success is 302 to the new order's page."""
    client = Client(base)
    client.cookie = cookie
    rng = random.Random(seed)
    n = 0
    while not stop.is_set():
        n += 1
        form = intake_form(rng, token, f"{seed}-{n}")
        answer = send(client, "POST", "/intake", urlencode(form), {}, stop, tally)
        if answer is None:
            return
        status, response, _ = answer
        match = ORDER_PATH.search(response.getheader("Location") or "")
        if status == 302 and match:
            tally.acked[f"desk-{seed}-{n}"] = match.group(1)
        else:
            tally.statuses[status] += 1


def open311_client(base: str, key: str, seed: int, stop, tally: Tally) -> None:
    """Post Open311 requests with an Idempotency-Key; a success is 201 (or 200, a replay)."""
    client = Client(base)
    rng = random.Random(seed)
    n = 0
    while not stop.is_set():
        n += 1
        form = {
            "api_key": key,
            "service_code": rng.choice(["0101", "0401", "0505", "0701"]),
            "lat": f"{rng.uniform(39.85, 40.0):.6f}",
            "long": f"{rng.uniform(116.3, 116.5):.6f}",
            "description": f"压测请求 {seed}-{n}",
            "phone": f"139{rng.randrange(10**8):08d}",
        }
        idempotency = f"crash-{seed}-{n}"
        headers = {"Idempotency-Key": idempotency}
        answer = send(
            client, "POST", "/open311/v2/requests.json", urlencode(form), headers, stop, tally
        )
        if answer is None:
            return
        status, _, data = answer
        if status in (200, 201):
            tally.acked[idempotency] = json.loads(data)[0]["service_request_id"]
            tally.replays += status == 200
        else:
            tally.statuses[status] += 1


def send(client: Client, method: str, path: str, body: str, headers: dict, stop, tally: Tally):
    """The request, retried after connection errors until it is answered or the run ends."""
    while True:
        started = time.monotonic()
        try:
            answer = client.request(method, path, body, headers)
        except CONNECTION_ERRORS:
            tally.connection_errors += 1
            if stop.is_set():
                tally.unanswered += 1
                return None
            time.sleep(0.05)
            continue
        tally.latencies.append(time.monotonic() - started)
        return answer


def check_sqlite(path: Path, acked: set[str]) -> tuple[dict, list[str]]:
    """Stored numbers and the database's own checks, read with the plain sqlite3 module."""
    import sqlite3

    with sqlite3.connect(path) as conn:
        figures = common_checks(conn, acked)
        integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    figures["integrity_check"] = ", ".join(integrity)
    figures["foreign_key_check"] = f"{len(foreign)} rows"
    figures["journal_mode"] = mode
    problems = [] if integrity == ["ok"] else ["integrity_check"]
    problems += ["foreign_key_check"] if foreign else []
    return figures, problems


def check_postgres(url: str, acked: set[str]) -> tuple[dict, list[str]]:
    """Stored numbers, row counts and amcheck over every index of this application's tables."""
    import psycopg

    with psycopg.connect(plain(url), autocommit=True) as conn:
        figures = common_checks(conn, acked)
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
            indexes = conn.execute(
                "SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_am a ON a.oid = c.relam "
                "WHERE t.relnamespace = 'public'::regnamespace AND a.amname = 'btree' "
                "AND t.relname <> 'spatial_ref_sys'"
            ).fetchall()
            for oid, _name in indexes:
                conn.execute("SELECT bt_index_check(%s, true)", (oid,))
            figures["amcheck"] = f"ok ({len(indexes)} btree indexes, heap included)"
            problems = []
        except psycopg.Error as exc:
            figures["amcheck"] = f"failed: {exc}".splitlines()[0]
            problems = ["amcheck"]
    return figures, problems


def common_checks(conn, acked: set[str]) -> dict:
    """What both databases answer in plain SQL: stored numbers, audit events, counters."""
    stored = {row[0] for row in conn.execute("SELECT number FROM work_orders")}
    without_audit = conn.execute(
        "SELECT count(*) FROM work_orders w "
        "WHERE NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.order_id = w.id)"
    ).fetchone()[0]
    counters = dict(conn.execute("SELECT day, last FROM order_sequences").fetchall())
    highest: dict[str, int] = {}
    for number in stored:
        day, _, sequence = number.partition("-")
        highest[day] = max(highest.get(day, 0), int(sequence))
    off = {
        day: (counters.get(day), top) for day, top in highest.items() if counters.get(day) != top
    }
    missing = sorted(acked - stored)
    return {
        "stored": len(stored),
        "missing": missing,
        "without_audit": without_audit,
        "counter_mismatch": off,
    }


def run(database: str, args: argparse.Namespace) -> int:
    """One database: prepare, load, kill and restart, check. Returns the exit status."""
    directory = Path(tempfile.mkdtemp(prefix=f"hotline-crash-{database}-"))
    url = args.pg_url if database == "postgres" else None
    if url:
        reset_postgres(url)
    env, key = prepare(directory, url)
    stop = threading.Event()
    tallies = [Tally() for _ in range(args.clients)]
    desks = args.clients // 2
    with Server("wsgi:app", env) as server:
        sessions = [operator_session(server.base, "bench", PASSWORD) for _ in range(desks)]
        threads = [
            threading.Thread(
                target=desk_client, args=(server.base, *sessions[i], i, stop, tallies[i])
            )
            for i in range(desks)
        ] + [
            threading.Thread(target=open311_client, args=(server.base, key, i, stop, tallies[i]))
            for i in range(desks, args.clients)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        downtime, kill_times, up_since = [], [], started
        try:
            for k in range(1, args.kills + 1):
                # As planned, but each kill at least MIN_UP after the last restart: under load.
                planned = started + args.seconds * k / (args.kills + 1)
                time.sleep(max(0.0, max(planned, up_since + MIN_UP) - time.monotonic()))
                killed = time.monotonic()
                server.kill()
                server.start()
                up_since = time.monotonic()
                kill_times.append(killed - started)
                downtime.append(up_since - killed)
            end = max(started + args.seconds, up_since + MIN_UP)
            time.sleep(max(0.0, end - time.monotonic()))
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        elapsed = time.monotonic() - started

    acked_by_request = {k: v for t in tallies for k, v in t.acked.items()}
    acked = set(acked_by_request.values())
    # Two different requests told the same number: a number handed out twice.
    shared = len(acked_by_request) - len(acked)
    if database == "sqlite":
        figures, problems = check_sqlite(directory / "hotline.db", acked)
    else:
        figures, problems = check_postgres(url, acked)
    desk_acked = sum(len(t.acked) for t in tallies[:desks])
    statuses = sum((t.statuses for t in tallies), Counter())
    latencies = sorted(x for t in tallies for x in t.latencies)
    missing = figures["missing"]

    print(
        f"{database}: gunicorn 2 workers x 4 threads, {args.clients} clients "
        f"({desks} desk, {args.clients - desks} Open311), {elapsed:.0f} s, "
        f"{args.kills} x SIGKILL of the process group"
    )
    print(
        f"acknowledged {len(acked_by_request)} ({desk_acked} desk, "
        f"{len(acked_by_request) - desk_acked} Open311 of which "
        f"{sum(t.replays for t in tallies)} replays after a lost answer), "
        f"missing {len(missing)}{': ' + ', '.join(missing[:10]) if missing else ''}"
    )
    print(
        f"stored {figures['stored']} orders: {figures['stored'] - len(acked)} beyond the "
        f"acknowledged (answers lost in a kill, or desk retries stored twice); "
        f"numbers told to two requests: {shared}"
    )
    up = elapsed - sum(downtime)
    p50, p99 = (percentile(latencies, p) * 1000 for p in (50, 99))
    print(
        f"throughput {len(acked_by_request) / elapsed:.1f} acknowledged/s over the run, "
        f"{len(acked_by_request) / up:.1f}/s over the {up:.0f} s the server was up; answer "
        f"p50 {p50:.0f} ms p99 {p99:.0f} ms"
    )
    print(
        f"connection errors {sum(t.connection_errors for t in tallies)} (retried), "
        f"unanswered at the end {sum(t.unanswered for t in tallies)}, "
        f"other answers {dict(statuses) or 'none'}; killed at "
        + ", ".join(f"{t:.0f}" for t in kill_times)
        + " s, healthy again after "
        + ", ".join(f"{d:.1f}" for d in downtime)
        + " s"
    )
    print(
        "checks: "
        + "; ".join(
            f"{name} {figures[name]}"
            for name in ("integrity_check", "foreign_key_check", "journal_mode", "amcheck")
            if name in figures
        )
        + f"; orders without their audit event {figures['without_audit']}"
        + f"; day counters behind/ahead of the highest number {figures['counter_mismatch'] or 0}"
    )
    problems += ["missing"] if missing else []
    problems += ["server errors"] if any(s >= 500 for s in statuses) else []
    problems += ["shared numbers"] if shared else []
    problems += ["audit"] if figures["without_audit"] else []
    problems += ["counters"] if figures["counter_mismatch"] else []
    print(f"result: {'FAIL (' + ', '.join(problems) + ')' if problems else 'PASS'}")
    print("(no ratio to a naive way: the figures are acknowledged / missing / throughput)")
    return 1 if problems else 0


def percentile(values: list[float], pct: int) -> float:
    """Nearest-rank percentile of sorted values (0 if there are none)."""
    return values[min(len(values) - 1, len(values) * pct // 100)] if values else 0.0


def main() -> None:
    args = arguments()
    if args.database == "postgres" and not args.pg_url:
        raise SystemExit("--database postgres needs --pg-url or BENCH_PG_URL")
    if args.database:
        sys.exit(run(args.database, args))
    # Both: each database in its own process (the app and its caches are per process).
    status = 0
    for database in ["sqlite"] + (["postgres"] if args.pg_url else []):
        command = [sys.executable, __file__, "--database", database, *sys.argv[1:]]
        status |= subprocess.run(command, check=False).returncode
        sys.stdout.flush()
    sys.exit(status)


if __name__ == "__main__":
    main()
