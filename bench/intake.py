"""Full intakes per second through gunicorn (2 workers x 4 threads) on SQLite, synchronous=FULL.

Each request is the real intake form POST: login session, CSRF, validation, routing on the
Beijing polygons, order number, order row, audit row, commit. wrk drives it from 16
connections for 10 s; afterwards every acknowledged order (302) must be in the database.
The same run measures a bare one-INSERT endpoint on the same server set-up (the floor).
Run: .venv/bin/python bench/intake.py [--seconds 10] [--connections 16]
"""

import random
import re
import sqlite3
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import (  # noqa: E402
    BENCH_PASSWORD,
    COUNTING_LUA,
    add_operator,
    bench_args,
    gunicorn,
    intake_form,
    prepared_app,
    wrk,
)

USER_AGENT = "hotline-bench"
PASSWORD = BENCH_PASSWORD


def prepare(directory: Path) -> dict:
    """A migrated SQLite database with Beijing's reference data and one operator."""
    from hotline.plugins import db

    env, app = prepared_app(directory)
    add_operator(app)
    with app.app_context():
        db.engine.dispose()
    return env


def intake_script(base: str, directory: Path) -> Path:
    """Log in once; a wrk script that posts full intake forms at random Beijing points."""
    session = requests.Session()
    # wrk must send the same User-Agent: the session is bound to address and browser
    # (Flask-Login's strong session protection) and ends if either changes.
    session.headers["User-Agent"] = USER_AGENT
    page = session.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    session.post(
        f"{base}/login",
        data={"username": "bench", "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    page = session.get(f"{base}/intake").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    rng = random.Random(1)
    bodies = [urlencode(intake_form(rng, token, str(i))) for i in range(200)]
    lua = COUNTING_LUA % {"ok_status": 302}
    lua += "local bodies = {" + ",".join(f'"{b}"' for b in bodies) + "}\n"
    lua += f"""
local n = 0
function request()
  n = n + 1
  return wrk.format("POST", "/intake", {{
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "{cookie}",
    ["User-Agent"] = "{USER_AGENT}",
  }}, bodies[(n % #bodies) + 1])
end
"""
    path = directory / "intake.lua"
    path.write_text(lua, encoding="utf-8")
    return path


def bare_script(directory: Path) -> Path:
    """A wrk script that posts to the bare insert endpoint."""
    path = directory / "bare.lua"
    path.write_text(
        COUNTING_LUA % {"ok_status": 201} + 'wrk.method = "POST"\nwrk.path = "/insert"\n'
    )
    return path


def main() -> None:
    args = bench_args(__doc__)
    directory = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    env = prepare(directory)

    with gunicorn("wsgi:app", env) as base:
        script = intake_script(base, directory)
        wrk(base, script, 2, args.connections)  # warm-up: imports, routing index, caches
        with sqlite3.connect(directory / "hotline.db") as conn:
            before = conn.execute("SELECT count(*) FROM work_orders").fetchone()[0]
            events_before = conn.execute("SELECT count(*) FROM audit_events").fetchone()[0]
        full = wrk(base, script, args.seconds, args.connections)
    with sqlite3.connect(directory / "hotline.db") as conn:
        stored = conn.execute("SELECT count(*) FROM work_orders").fetchone()[0] - before
        audits = conn.execute("SELECT count(*) FROM audit_events").fetchone()[0] - events_before
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    acked = full["counts"]["ok"]
    missing = max(0, acked - stored)

    bare_env = {**env, "BENCH_DATABASE_URL": f"sqlite:///{directory / 'bare.db'}"}
    with gunicorn("bench.bare_app:app", bare_env) as base:
        script = bare_script(directory)
        wrk(base, script, 2, args.connections)
        bare = wrk(base, script, args.seconds, args.connections)

    intakes = acked / args.seconds
    floor = bare["counts"]["ok"] / args.seconds
    print(
        f"SQLite {mode}, synchronous=FULL, gunicorn 2 workers x 4 threads, "
        f"wrk {args.connections} connections, {args.seconds} s"
    )
    print(
        f"full intake:  {intakes:8.1f} intakes/s  p50 {full['p50_ms']:.1f} ms  "
        f"p99 {full['p99_ms']:.1f} ms  non-302 {full['counts']['other']}  "
        f"socket errors {full['counts']['errors']}"
    )
    print(f"acknowledged {acked}, stored {stored}, audit rows {audits}, missing {missing}")
    print("(stored may exceed acknowledged: wrk stops counting while requests are in flight)")
    print(
        f"bare insert:  {floor:8.1f} inserts/s  p50 {bare['p50_ms']:.1f} ms  "
        f"p99 {bare['p99_ms']:.1f} ms"
    )
    print(f"ratio full/bare: {intakes / floor:.2f}")
    print(
        f"targets: >= 300 intakes/s {'met' if intakes >= 300 else 'NOT met'}; "
        f"ratio >= 0.5 {'met' if intakes / floor >= 0.5 else 'NOT met'}; "
        f"missing == 0 {'met' if missing == 0 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
