"""The crew terminal's job stream: each open stream asks the database twice a second whether
its vehicle's jobs changed (`crew_jobs.marker`). A fleet of 600 ambulances streaming means
1,200 such checks a second.

The way used: `crew_jobs.marker`, a lookup in one read of every vehicle's change number and
of the open jobs (ix_assignments_open_vehicle), shared by the process's streams and taken
again when older than 0.4 s; the full jobs answer only when the marker changed. The naive
way: each stream building the jobs answer on every tick (two queries per vehicle). Both
read a history of 100,000 cleared assignments (a month of a big city) with one open job per
ten vehicles. Synthetic data.
Run: .venv/bin/python bench/crew_jobs.py [--vehicles 600] [--history 100000] [--checks 3000]
     [--database-url URL]
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._harness import add_operator, prepared_app, synthetic_fleet  # noqa: E402

NOW = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)


def generate(session, vehicles: list[int], history: int, dispatcher: int) -> int:
    """Cleared assignments over the last month and one open job per tenth vehicle."""
    from sqlalchemy import insert

    from hotline.encryption import seal
    from hotline.models import Assignment, Incident

    rng = random.Random(29)
    phone = seal("13800000000", "incidents.caller_phone")
    open_for = set(vehicles[::10])
    total = history + len(open_for)
    for base in range(0, total, 10_000):
        incidents, assignments = [], []
        for n in range(base, min(total, base + 10_000)):
            is_open = n >= history
            vehicle = sorted(open_for)[n - history] if is_open else rng.choice(vehicles)
            called = (
                NOW - timedelta(minutes=3) if is_open else NOW - timedelta(days=rng.uniform(1, 30))
            )
            incidents.append({"id": n + 1, "number": f"J{n:07d}", "caller_phone": phone,
                              "lon": 116.4, "lat": 39.9, "complaint": "胸痛（合成）",
                              "triage_level": 2, "state": "open" if is_open else "closed",
                              "created_by_id": dispatcher, "created_at": called,
                              "source": "", "source_ref": ""})  # fmt: skip
            sent = called + timedelta(seconds=60)
            assignments.append({"incident_id": n + 1, "vehicle_id": vehicle,
                                "assigned_by_id": dispatcher, "assigned_at": sent,
                                "dispatched_at": sent,
                                "cleared_at": None if is_open
                                else sent + timedelta(hours=1)})  # fmt: skip
        session.execute(insert(Incident), incidents)
        session.execute(insert(Assignment), assignments)
        session.commit()
    return len(open_for)


def timed(fn, vehicles: list[int], checks: int, rng) -> list[float]:
    """Milliseconds of each of `checks` calls for random vehicles."""
    out = []
    for _ in range(checks):
        vehicle = rng.choice(vehicles)
        began = time.perf_counter()
        fn(vehicle)
        out.append((time.perf_counter() - began) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vehicles", type=int, default=600)
    parser.add_argument("--history", type=int, default=100_000)
    parser.add_argument("--checks", type=int, default=3000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    _env, app = prepared_app(Path(tempfile.mkdtemp(prefix="bench-crew-jobs-")), args.database_url)
    add_operator(app, "disp", role="ems_dispatcher")
    from sqlalchemy import select

    from hotline.models import User, Vehicle
    from hotline.plugins import db
    from hotline.services.ems import crew_jobs

    with app.app_context():
        rng = random.Random(1)
        synthetic_fleet(db.session, rng, args.vehicles, NOW)
        vehicles = list(db.session.scalars(select(Vehicle.id)))
        dispatcher = db.session.scalar(select(User.id).where(User.username == "disp"))
        open_jobs = generate(db.session, vehicles, args.history, dispatcher)

        def check(vehicle: int) -> None:
            crew_jobs.marker(db.session, vehicle)
            db.session.commit()  # the stream ends its snapshot on every tick

        def naive(vehicle: int) -> None:
            crew_jobs.vehicle_jobs(db.session, vehicle)
            db.session.commit()

        def shared_read(_vehicle: int) -> None:
            crew_jobs._read_markers(db.session)
            db.session.commit()

        for fn in (check, naive):  # warm the caches
            timed(fn, vehicles, 200, rng)
        # The streams of a process tick together: 0.5 s apart, as many checks as vehicles.
        began, used = time.perf_counter(), []
        while len(used) < args.checks:
            used += timed(check, vehicles, len(vehicles), rng)
            time.sleep(max(0.0, 0.5 - (time.perf_counter() - began)))
            began = time.perf_counter()
        reads = timed(shared_read, vehicles, 50, rng)
        plain = timed(naive, vehicles, args.checks, rng)
        dialect = db.engine.dialect.name
    p50, p99 = statistics.median(used), statistics.quantiles(used, n=100)[98]
    n50, n99 = statistics.median(plain), statistics.quantiles(plain, n=100)[98]
    print(f"{args.vehicles} vehicles, {args.history} cleared assignments, {open_jobs} open jobs, "
          f"on {dialect}")  # fmt: skip
    mean, naive_mean = statistics.fmean(used), statistics.fmean(plain)
    print(f"marker (used): p50 {p50:.4f} ms, p99 {p99:.3f} ms, mean {mean:.4f} ms a check; "
          f"the shared read {statistics.median(reads):.2f} ms (median of 50)")  # fmt: skip
    print(f"jobs answer each tick (naive): p50 {n50:.3f} ms, p99 {n99:.3f} ms, "
          f"mean {naive_mean:.3f} ms")  # fmt: skip
    print(f"ratio naive / used (mean): {naive_mean / mean:.0f}x")
    need = args.vehicles * 2
    print(f"a fleet of {args.vehicles} streaming: {need} checks/s cost "
          f"{need * mean / 1000:.3f} s of work a second (naive "
          f"{need * naive_mean / 1000:.2f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
