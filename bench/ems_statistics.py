"""The 120 director's statistics over a busy month: 30 days × 3,000 incidents a day, about
1.1 vehicles each, one patient each, 300 ambulances with a GPS fix every 2 minutes on their
trips (about 2 million fixes).

The way used (`services/ems/statistics.figures`): one read of the month's incidents with
their assignments (ix_incidents_created) and each settled trip's metres, kept on its
assignment by the measure_trips job (services/ems/trips.py), and three GROUP BY counts; only
trips not yet measured read their vehicle's fixes (ix_vehicle_positions_vehicle_at). The
naive way: one query per incident for its assignments and one per trip for its fixes. Also
timed: the figures before any trip is measured (every fix read), and measuring the month's
trips once (the job's work, spread over the month a batch at a time). The interval chain
and the kilometres are checked equal each way.
Run: .venv/bin/python bench/ems_statistics.py [--per-day 3000] [--days 30] [--repeat 3]
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

START = datetime(2026, 9, 30, 16, 0, tzinfo=UTC)  # 1 October in Beijing
FIX_EVERY = timedelta(minutes=2)


def _trip(rng, incident_id: int, vehicle: int, dispatcher: int, called: datetime, fixes: list):
    """One assignment's row; its fixes appended to `fixes`."""
    t = called + timedelta(seconds=rng.uniform(20, 240))
    stamps = {"assigned_at": t, "dispatched_at": t}
    for name, low, high in (
        ("acknowledged_at", 5, 40),
        ("en_route_at", 20, 120),
        ("on_scene_at", 300, 1200),
        ("at_hospital_at", 600, 1800),
        ("cleared_at", 300, 1500),
    ):
        t += timedelta(seconds=rng.uniform(low, high))
        stamps[name] = t
    lon, lat, at = rng.uniform(116.2, 116.6), rng.uniform(39.8, 40.0), stamps["dispatched_at"]
    while at <= stamps["cleared_at"]:
        fixes.append({"vehicle_id": vehicle, "at": at, "lon": lon, "lat": lat})
        lon, lat, at = (
            lon + rng.uniform(-0.005, 0.005),
            lat + rng.uniform(-0.005, 0.005),
            at + FIX_EVERY,
        )
    return {
        "incident_id": incident_id,
        "vehicle_id": vehicle,
        "assigned_by_id": dispatcher,
        **stamps,
    }


def generate(session, per_day: int, days: int, vehicles: list[int], dispatchers: list[int]):
    """The month's incidents, assignments, patients and fixes, in bulk."""
    from sqlalchemy import insert

    from hotline.encryption import seal
    from hotline.models import Assignment, Incident, Patient, VehiclePosition

    rng = random.Random(20261001)
    phone = seal("13800000000", "incidents.caller_phone")
    count = per_day * days
    for base in range(0, count, 10_000):
        incidents, assignments, patients, fixes = [], [], [], []
        for n in range(base, min(count, base + 10_000)):
            called = START + timedelta(seconds=rng.uniform(0, days * 86400))
            incidents.append({"id": n + 1, "number": f"B{n:07d}", "caller_phone": phone,
                              "lon": 116.4, "lat": 39.9, "complaint": "胸痛",
                              "triage_level": rng.randint(1, 4), "state": "closed",
                              "created_by_id": rng.choice(dispatchers),
                              "created_at": called, "source": "", "source_ref": ""})  # fmt: skip
            for _ in range(2 if rng.random() < 0.1 else 1):
                vehicle = rng.choice(vehicles)
                assignments.append(
                    _trip(rng, n + 1, vehicle, rng.choice(dispatchers), called, fixes)
                )
            patients.append({"incident_id": n + 1, "complaint_code": f"C0{rng.randint(1, 9)}",
                             "diagnosis_code": rng.choice(["I21.9", "I63.9", "S06.0", ""]),
                             "created_at": called, "updated_at": called})  # fmt: skip
        for model, rows in ((Incident, incidents), (Assignment, assignments), (Patient, patients)):
            session.execute(insert(model), rows)
        for start in range(0, len(fixes), 20_000):
            session.execute(insert(VehiclePosition), fixes[start : start + 20_000])
        session.commit()


def naive(session, start: datetime, end: datetime):
    """The chain and kilometres the naive way: a query per incident and per trip."""
    from sqlalchemy import select

    from hotline.core.ems.intervals import Fix, Leg, chain, first_vehicle, track_metres
    from hotline.models import Assignment, Incident, VehiclePosition

    a, p = Assignment, VehiclePosition
    pairs, metres = [], 0.0
    for incident_id, called in session.execute(
        select(Incident.id, Incident.created_at).where(
            Incident.created_at >= start, Incident.created_at < end
        )
    ):
        legs = []
        for row in session.execute(
            select(a.id, a.vehicle_id, a.dispatched_at, a.acknowledged_at, a.en_route_at,
                   a.on_scene_at, a.at_hospital_at, a.cleared_at)
            .where(a.incident_id == incident_id)
        ):  # fmt: skip
            leg = Leg(row[0], *row[2:])
            legs.append(leg)
            fixes = session.execute(
                select(p.at, p.lon, p.lat)
                .where(p.vehicle_id == row[1], p.at >= leg.dispatched, p.at <= leg.cleared)
                .order_by(p.at)
            )
            metres += track_metres(Fix(*f) for f in fixes)
        first = first_vehicle(legs)
        if first is not None:
            pairs.append((called, first))
    return chain(pairs), metres


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=3000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    _env, app = prepared_app(Path(tempfile.mkdtemp(prefix="bench-ems-stats-")), args.database_url)
    for n in range(20):
        add_operator(app, f"disp{n}", role="ems_dispatcher")
    from sqlalchemy import func, select

    from hotline.models import User, Vehicle, VehiclePosition
    from hotline.plugins import db
    from hotline.services.ems import statistics as ems_statistics
    from hotline.services.ems import trips

    end = START + timedelta(days=args.days)
    with app.app_context():
        rng = random.Random(1)
        synthetic_fleet(db.session, rng, 300, START)
        vehicles = list(db.session.scalars(select(Vehicle.id)))
        dispatchers = list(db.session.scalars(select(User.id).where(User.role == "ems_dispatcher")))
        began = time.perf_counter()
        generate(db.session, args.per_day, args.days, vehicles, dispatchers)
        fixes = db.session.scalar(select(func.count()).select_from(VehiclePosition))
        print(f"generated in {time.perf_counter() - began:.0f} s: {fixes} fixes")

        def used():
            return ems_statistics.figures(
                db.session, start=START, end=end, timezone="Asia/Shanghai"
            )

        began = time.perf_counter()
        reference_chain, reference_metres = naive(db.session, START, end)
        naive_seconds = time.perf_counter() - began
        began = time.perf_counter()
        result = used()
        unmeasured_seconds = time.perf_counter() - began
        assert result.chain == reference_chain, "the chains disagree"
        assert abs(result.kilometres * 1000 - reference_metres) < 1, "the kilometres disagree"
        began = time.perf_counter()
        while trips.measure_settled(db.session, now=end + timedelta(days=1)):
            pass
        measuring_seconds = time.perf_counter() - began
        result = used()
        assert result.chain == reference_chain, "the chains disagree"
        # Each trip's metres are kept to a tenth of a metre.
        assert abs(result.kilometres * 1000 - reference_metres) < 0.05 * result.trips + 1
        runs = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            used()
            runs.append(time.perf_counter() - began)
        dialect = db.engine.dialect.name
    print(
        f"{result.incidents} incidents, {result.trips} trips, {result.kilometres:.0f} km "
        f"on {dialect}"
    )
    print(
        f"statistics.figures: median {statistics.median(runs):.2f} s "
        f"(runs: {', '.join(f'{r:.2f}' for r in runs)})"
    )
    print(f"before any trip was measured (every fix read): {unmeasured_seconds:.2f} s")
    print(f"measuring the month's trips once (measure_trips): {measuring_seconds:.2f} s")
    print(f"naive (a query per incident and per trip): {naive_seconds:.2f} s (one run)")
    print(f"ratio naive / used: {naive_seconds / statistics.median(runs):.1f}x")


if __name__ == "__main__":
    main()
