"""The phone line's figures over a busy day: 60,000 synthetic calls (Beijing's 12345 at its
2024 pace) summed for the wallboard, the KPI page and the report.

The way used: counts summed in SQL per UTC hour, queue and agent from the covering index
ix_calls_figures, then rates and averages in Python over a few hundred groups. The naive
way: every call read and classified in Python (core's row-by-row reference). Each is
repeated; the figures of both are checked equal first.
Run: .venv/bin/python bench/call_figures.py [--calls 60000] [--repeat 5] [--database-url URL]
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

from bench._harness import prepared_app  # noqa: E402

DAY = datetime(2026, 11, 19, 16, 0, tzinfo=UTC)  # midnight in Beijing


def generate(session, count: int) -> None:
    """`count` synthetic calls over the day: 80% answered, 12% abandoned, some refused."""
    from sqlalchemy import insert

    from hotline.encryption import seal
    from hotline.models import Call

    rng = random.Random(20261120)
    sealed = seal("13800000000", "calls.caller")
    rows = []
    for n in range(count):
        queued = DAY + timedelta(seconds=rng.uniform(0, 86400))
        roll = rng.random()
        row = {
            "sip_call_id": f"bench-{n}",
            "version": 1,
            "direction": "in",
            "queue": "12345" if rng.random() < 0.9 else "120",
            "caller": sealed,
            "called": "12345",
            "state": "ended",
            "queued_at": queued,
            "offers": 1,
            "flagged": False,
            "reconciled": False,
            "agent_id": None,
        }
        if roll < 0.8:
            answered = queued + timedelta(seconds=rng.expovariate(1 / 9))
            row |= {
                "outcome": "answered",
                "answered_at": answered,
                "offered_at": queued,
                "ended_at": answered + timedelta(seconds=rng.uniform(30, 400)),
            }
        elif roll < 0.97:
            row |= {
                "outcome": "abandoned",
                "ended_at": queued + timedelta(seconds=rng.uniform(1, 90)),
            }
        else:
            row |= {"outcome": "rejected", "ended_at": queued}
        rows.append(row)
    for start in range(0, count, 5000):
        session.execute(insert(Call), rows[start : start + 5000])
    session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=60000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    _env, app = prepared_app(Path(tempfile.mkdtemp(prefix="bench-calls-")), args.database_url)
    from hotline.core.telephony import figures as core
    from hotline.core.telephony.line import LineSettings
    from hotline.plugins import db
    from hotline.services.telephony import figures

    line, tz = LineSettings(), "Asia/Shanghai"
    start, end = DAY, DAY + timedelta(days=1)
    with app.app_context():
        generate(db.session, args.calls)
        settings = figures.settings_of(line)

        def summed():
            return figures.breakdown(db.session, start=start, end=end, line=line, timezone=tz)

        def naive():
            return core.breakdown(figures.rows(db.session, start, end), settings, tz)

        a, b = summed().whole.counts, naive().whole.counts
        # The counts agree exactly; second totals to SQLite's julianday() milliseconds.
        assert (a.offered, a.answered, a.answered_in_target, a.abandoned) == (
            b.offered,
            b.answered,
            b.answered_in_target,
            b.abandoned,
        ), "the two ways disagree"
        assert abs(a.wait_seconds - b.wait_seconds) < 0.001 * a.answered
        timings = {}
        for name, way in (("summed in SQL", summed), ("row by row", naive)):
            runs = []
            for _ in range(args.repeat):
                began = time.perf_counter()
                way()
                runs.append(time.perf_counter() - began)
            timings[name] = runs
        whole = summed().whole
        dialect = db.engine.dialect.name
    print(
        f"{args.calls} calls on {dialect}: 接通率 {whole.answer_rate.percent()}, "
        f"15 s {whole.service_level.percent()}"
    )
    for name, runs in timings.items():
        print(
            f"{name:>14}: median {statistics.median(runs) * 1000:.0f} ms "
            f"(runs: {', '.join(f'{r * 1000:.0f}' for r in runs)})"
        )
    ratio = statistics.median(timings["row by row"]) / statistics.median(timings["summed in SQL"])
    print(f"ratio naive / summed: {ratio:.1f}x")


if __name__ == "__main__":
    main()
