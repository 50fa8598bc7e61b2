"""Open311 under load: POST requests/s and GET requests/{id} latency on gunicorn + SQLite.

gunicorn 2 workers x 4 threads on 127.0.0.1; wrk 16 connections, 10 s each phase. After
the POST phase every acknowledged request (201) must be in the database. Each POST also
counts against the per-key and per-IP rate limits, each GET against the per-IP read limit
(all set high here so they do not refuse).
Run: .venv/bin/python bench/open311.py [--seconds 10] [--connections 16]
"""

import random
import sqlite3
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import COUNTING_LUA, bench_args, gunicorn, prepared_app, wrk  # noqa: E402


def prepare(directory: Path) -> tuple[dict, str]:
    """A migrated database with Beijing's reference data and one API client."""
    from hotline.database import utcnow
    from hotline.plugins import db
    from hotline.services.accounts import credentials

    limits = {
        "OPEN311_RATE_PER_KEY": str(10**9),
        "OPEN311_RATE_PER_IP": str(10**9),
        "OPEN311_READ_RATE_PER_IP": str(10**9),
    }
    env, app = prepared_app(directory, **limits)
    with app.app_context():
        key = credentials.create_client(db.session, name="bench-app", now=utcnow())[1]
        db.engine.dispose()
    return env, key


def post_script(directory: Path, key: str) -> Path:
    """wrk posts Open311 requests at random points in the city centre."""
    rng = random.Random(2)
    bodies = [
        urlencode(
            {
                "api_key": key,
                "service_code": rng.choice(["0101", "0401", "0505", "0701"]),
                "lat": f"{rng.uniform(39.85, 40.0):.6f}",
                "long": f"{rng.uniform(116.3, 116.5):.6f}",
                "description": f"压测请求 {i}",
                "phone": f"139{rng.randrange(10**8):08d}",
            }
        )
        for i in range(200)
    ]
    lua = COUNTING_LUA % {"ok_status": 201}
    lua += "local bodies = {" + ",".join(f'"{b}"' for b in bodies) + "}\n"
    lua += """
local n = 0
function request()
  n = n + 1
  return wrk.format("POST", "/open311/v2/requests.json",
    {["Content-Type"] = "application/x-www-form-urlencoded"}, bodies[(n % #bodies) + 1])
end
"""
    path = directory / "post.lua"
    path.write_text(lua, encoding="utf-8")
    return path


def get_script(directory: Path, numbers: list[str]) -> Path:
    """wrk reads random existing requests."""
    lua = COUNTING_LUA % {"ok_status": 200}
    lua += "local ids = {" + ",".join(f'"{n}"' for n in numbers) + "}\n"
    lua += """
local n = 0
function request()
  n = n + 1
  return wrk.format("GET", "/open311/v2/requests/" .. ids[(n * 7919 % #ids) + 1] .. ".json")
end
"""
    path = directory / "get.lua"
    path.write_text(lua, encoding="utf-8")
    return path


def main() -> None:
    args = bench_args(__doc__)
    directory = Path(tempfile.mkdtemp(prefix="hotline-open311-"))
    env, key = prepare(directory)
    database = directory / "hotline.db"
    with gunicorn("wsgi:app", env) as base:
        script = post_script(directory, key)
        wrk(base, script, 2, args.connections)  # warm-up
        with sqlite3.connect(database) as conn:
            before = conn.execute("SELECT count(*) FROM work_orders").fetchone()[0]
        posted = wrk(base, script, args.seconds, args.connections)
        with sqlite3.connect(database) as conn:
            stored = conn.execute("SELECT count(*) FROM work_orders").fetchone()[0] - before
            numbers = [r[0] for r in conn.execute("SELECT number FROM work_orders LIMIT 2000")]
        got = wrk(base, get_script(directory, numbers), args.seconds, args.connections)
    acked = posted["counts"]["ok"]
    print(
        f"gunicorn 2 workers x 4 threads, SQLite WAL synchronous=FULL, "
        f"wrk {args.connections} connections, {args.seconds} s per phase"
    )
    rate = acked / args.seconds
    print(
        f"POST requests.json: {rate:8.1f} created/s  p50 {posted['p50_ms']:.1f} ms"
        f"  p99 {posted['p99_ms']:.1f} ms  non-201 {posted['counts']['other']}"
    )
    print(f"acknowledged {acked}, stored {stored}, missing {max(0, acked - stored)}")
    print(
        f"GET requests/{{id}}.json: {got['counts']['ok'] / args.seconds:8.1f} reads/s"
        f"  p50 {got['p50_ms']:.1f} ms  p99 {got['p99_ms']:.1f} ms"
        f"  non-200 {got['counts']['other']}"
    )


if __name__ == "__main__":
    main()
