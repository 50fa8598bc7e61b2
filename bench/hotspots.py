"""Hotspots (热点): one incremental run over the last hour of a 60,000-orders-a-day stream.

A day of 60,000 synthetic orders in 20 categories over Beijing with 10 planted clusters
(tests/hotspot_day.py) in a migrated database (SQLite by default, or --database-url for
PostgreSQL). The scheduler's run is timed as it works every minute, but over a whole hour
of new orders (about 2,500): it reads the hour's orders, then each category's window (24 h)
from the hotspot index, and searches around the new ones. The naive way re-reads and
re-searches the whole day every run (no watermark). Each is repeated; reading orders a
second time changes nothing, so every repetition does the same work.
Run: .venv/bin/python bench/hotspots.py [--repeat 7] [--database-url URL]
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._harness import prepared_app  # noqa: E402

START = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # midnight in Beijing
TARGET_S = 1.0


def timed(session, detection, now, watermark) -> float:
    """One run at `now`, from `watermark` (None: no watermark, the whole day is new)."""
    from sqlalchemy import delete

    from hotline.models import AppSetting

    session.execute(delete(AppSetting).where(AppSetting.key == detection.WATERMARK))
    if watermark is not None:
        session.add(AppSetting(key=detection.WATERMARK, value=watermark.isoformat()))
    session.commit()
    began = time.perf_counter()
    detection.run(session, now)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="bench-hotspots-"))
    _env, app = prepared_app(directory, args.database_url)
    from hotline.plugins import db
    from hotline.services.hotspots import detection
    from tests import hotspot_day

    with app.app_context():
        began = time.perf_counter()
        hotspot_day.generate(db.session, start=START)
        print(f"generated 60,000 orders in {time.perf_counter() - began:.1f} s")
        end = START + timedelta(hours=24)
        hour_ago = end - timedelta(hours=1) + detection.OVERLAP  # the run reads back OVERLAP
        detection.run(db.session, end - timedelta(hours=1))  # the day so far, as in service
        incremental = [timed(db.session, detection, end, hour_ago) for _ in range(args.repeat)]
        naive = [timed(db.session, detection, end, None) for _ in range(max(3, args.repeat // 2))]
        found = db.session.execute(db.text("SELECT count(*) FROM hotspots")).scalar()
        db.engine.dispose()
    inc, full = statistics.median(incremental), statistics.median(naive)
    p95 = sorted(incremental)[max(0, round(0.95 * len(incremental)) - 1)]
    print(f"hotspots found: {found} (10 planted)")
    print(
        f"incremental run, last hour (~2,500 orders): median {inc * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms; runs {[round(t * 1000) for t in incremental]}"
    )
    print(
        f"naive run, whole day re-read: median {full * 1000:.0f} ms; "
        f"runs {[round(t * 1000) for t in naive]}"
    )
    print(f"ratio naive / incremental: {full / inc:.1f}x")
    print(f"target under {TARGET_S:.0f} s: {'met' if p95 < TARGET_S else 'NOT met'}")


if __name__ == "__main__":
    main()
