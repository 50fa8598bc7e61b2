"""Shared bench plumbing: a gunicorn server on 127.0.0.1 and wrk driving it."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(app: str, env: dict, workers: int = 2, threads: int = 4):
    """Serve `app` with gunicorn on 127.0.0.1 until the block ends."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def wrk(url: str, script: Path, seconds: int, connections: int, threads: int = 2) -> dict:
    """Run wrk with a Lua script; returns requests/s, latency percentiles and script output."""
    result = subprocess.run(
        [
            "wrk",
            "--latency",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    out = result.stdout

    def latency(pct: str) -> float:
        match = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    counts = dict(re.findall(r"^(\w+)=(\d+)$", out, re.M))
    return {
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "counts": {k: int(v) for k, v in counts.items()},
        "raw": out,
    }


COUNTING_LUA = """
-- Counts responses by status in every wrk thread and prints the totals at the end.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; other = 0 end
function response(status, headers, body)
  if status == %(ok_status)d then ok = ok + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local o, x = 0, 0
  for _, t in ipairs(threads) do o = o + t:get("ok"); x = x + t:get("other") end
  io.write(string.format("ok=%%d\\nother=%%d\\nerrors=%%d\\n", o, x,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def bench_args(description: str):
    """--seconds and --connections, the same for every server benchmark."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    return parser.parse_args()


def prepared_app(directory: Path, database_url: str | None = None, **extra_env: str):
    """A migrated database with Beijing's reference data: SQLite in `directory`, or the
    (empty) database at `database_url`; the instance folder is in `directory` either way.

    Returns the environment for gunicorn and the app (for adding users or clients).
    """
    env = {
        "DATABASE_URL": database_url or f"sqlite:///{directory / 'hotline.db'}",
        "HOTLINE_INSTANCE_PATH": str(directory / "instance"),
        "SECRET_KEY": "bench-secret",
        **extra_env,
    }
    os.environ.update(env)
    from flask_migrate import upgrade

    from hotline import create_app
    from hotline.demo import seed
    from hotline.plugins import db

    app = create_app()
    with app.app_context():
        upgrade()
        seed.seed_reference_data(db.session, ROOT / "gis_data" / "beijing_districts.geojson")
    return env, app


BENCH_PASSWORD = "Load-Test-4321"  # noqa: S105 - throwaway bench accounts (pass the policy)
# 0104 (占道经营) is 属地: it goes to the 街乡镇 the address names (issue 15).
CATEGORIES = ["0101", "0104", "0401", "0402", "0501", "0701", "0301"]
# Typed addresses as operators write them: every intake runs the 街乡镇 lookup on one.
ADDRESSES = [
    "北京市朝阳区三里屯街道工体北路8号院",
    "朝阳区双井富力城",
    "海淀区中关村大街27号",
    "东城区景山街道景山前街4号",
    "西城区金融街武定侯街2号",
    "丰台区方庄芳城园一区",
]


def add_operator(app, username: str = "bench", role: str = "operator") -> None:
    """An account for the bench (an operator unless `role` says otherwise), created as the
    console creates one."""
    from hotline.database import utcnow
    from hotline.plugins import db
    from hotline.services.accounts import users

    with app.app_context():
        users.create_user(
            db.session,
            username=username,
            display_name=username,
            role=role,
            password=BENCH_PASSWORD,
            hash_method=app.config["PASSWORD_HASH_METHOD"],
            now=utcnow(),
        )


def intake_form(rng, token: str, label: str) -> dict[str, str]:
    """A full intake form (a noise complaint at a random Beijing point), synthetic."""
    return {
        "csrf_token": token,
        "caller_phone": f"139{rng.randrange(10**8):08d}",
        "channel": "phone",
        "order_type": "complaint",
        "category_code": rng.choice(CATEGORIES),
        "description": f"压测来电 {label}：夜间施工噪音扰民，请尽快处理。",
        "lon": f"{rng.uniform(116.2, 116.6):.6f}",
        "lat": f"{rng.uniform(39.8, 40.05):.6f}",
        "address": rng.choice(ADDRESSES) + f"（压测{label}）",
    }


# Beijing's extent, where the synthetic vehicles and orders are put.
WEST, SOUTH, EAST, NORTH = 115.7, 39.6, 117.2, 40.6


def synthetic_fleet(session, rng, vehicles: int, changed_at) -> int:
    """One synthetic station and `vehicles` synthetic ambulances across Beijing, in bulk
    (six in ten available); the station's id."""
    from hotline.models import Station, Vehicle

    station = Station(name="基准站（合成）", lon=116.4, lat=39.9, synthetic=True)
    session.add(station)
    session.commit()
    statuses = ["available"] * 6 + ["dispatched", "en_route", "on_scene", "returning"]
    session.execute(
        Vehicle.__table__.insert(),
        [
            {
                "call_sign": f"B{i:05d}",
                "station_id": station.id,
                "status": rng.choice(statuses),
                "lon": rng.uniform(WEST, EAST),
                "lat": rng.uniform(SOUTH, NORTH),
                "changed_at": changed_at,
                "change_seq": 0,
                "synthetic": True,
            }
            for i in range(vehicles)
        ],
    )
    session.commit()
    return station.id
