"""The gazetteer's suggestions at 1,000,000 places: p50/p95 of `gazetteer.suggest` (an index
range per match kind, core/places/keys.py) for typed prefixes, words inside names, full
pinyin and initials; and the naive way (name LIKE '%q%' over every place, ordered by
popularity) for comparison. Target (issue 16): p95 under 30 ms.

    .venv/bin/python bench/places.py [--places 1000000] [--queries 2000] [--database-url URL]
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import prepared_app  # noqa: E402

# Syllables of real-looking Beijing place names, and their endings by kind.
HEADS = "东西南北中新老大小金银玉红绿青白安平福康宁华兴盛源泰丰裕春秋梅兰竹菊松柏明光景和顺"
MIDDLES = "里庄营屯坊门桥村园苑湖河山台井街巷口坡店厂寺庙关城"
ENDINGS = [
    ("compound", ["小区", "家园", "花园", "东里", "西里", "北区", "南区"]),
    ("road", ["路", "大街", "胡同", "北路", "南路", "东路", "西路"]),
    ("bus_stop", ["站", "公交站", "路口南站", "路口北站"]),
    ("school", ["小学", "中学", "幼儿园"]),
    ("hospital", ["医院", "社区卫生服务中心"]),
    ("market", ["市场", "菜市场", "商场", "超市"]),
    ("junction", ["路口", "桥"]),
]


def names(rng: random.Random, count: int):
    """`count` synthetic places as import dicts (numbered, so every name is distinct)."""
    for i in range(count):
        kind, endings = rng.choice(ENDINGS)
        stem = "".join(rng.choice(HEADS) for _ in range(rng.randint(1, 2)))
        stem += "".join(rng.choice(MIDDLES) for _ in range(rng.randint(1, 2)))
        yield {
            "name": f"{stem}{rng.choice(endings)}{i % 97 or ''}",
            "kind": kind,
            "lon": rng.uniform(115.8, 117.2),
            "lat": rng.uniform(39.5, 40.6),
            "district": "朝阳区",
            "weight": int(rng.expovariate(0.1)),
        }


def load(app, count: int, rng: random.Random) -> tuple[list, float]:
    """Insert `count` places with their keys, 50,000 to a transaction; a sample of names."""
    from hotline.database import utcnow, write_transaction
    from hotline.plugins import db
    from hotline.services.places import gazetteer

    sample = []
    started = time.perf_counter()
    generated = names(rng, count)
    with app.app_context():
        done = 0
        while done < count:
            chunk = [next(generated) for _ in range(min(50_000, count - done))]
            sample += rng.sample(chunk, min(200, len(chunk)))
            rows = gazetteer.rows_from(chunk)
            with write_transaction(db.session):
                gazetteer.add_many(db.session, rows, now=utcnow(), synthetic=True)
            done += len(chunk)
            print(f"  {done:,} places", file=sys.stderr, flush=True)
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE places")
                conn.exec_driver_sql("ANALYZE place_keys")
        else:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
    return sample, time.perf_counter() - started


def queries(rng: random.Random, sample: list, count: int) -> list[tuple[str, str]]:
    """What operators type: a name's first 1-4 characters, a word inside it, its full
    pinyin's start, its initials' start."""
    from hotline.core.places import keys

    found = []
    for _ in range(count):
        name = keys.normalize(rng.choice(sample)["name"])
        full, initials = keys.pinyin(name)
        how = rng.choice(["prefix", "text", "pinyin", "initials"])
        if how == "prefix":
            q = name[: rng.randint(1, min(4, len(name)))]
        elif how == "text":
            start = rng.randint(1, max(1, len(name) - 2))
            q = name[start : start + rng.randint(2, 3)]
        elif how == "pinyin":
            q = full[: rng.randint(3, min(10, len(full)))]
        else:
            q = initials[: rng.randint(2, min(5, len(initials)))]
        found.append((how, q or name))
    return found


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--naive", type=int, default=30, help="naive LIKE '%%q%%' queries")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    rng = random.Random(16)
    with tempfile.TemporaryDirectory() as tmp:
        _env, app = prepared_app(Path(tmp), args.database_url)
        from sqlalchemy import text

        from hotline.plugins import db
        from hotline.services.places import gazetteer

        sample, load_s = load(app, args.places, rng)
        typed = queries(rng, sample, args.queries)
        with app.app_context():
            key_rows = db.session.execute(text("SELECT count(*) FROM place_keys")).scalar()
            for _how, q in typed[:100]:  # warm the cache and pypinyin
                gazetteer.suggest(db.session, q)
            times: dict[str, list[float]] = {}
            empty = 0
            for how, q in typed:
                started = time.perf_counter()
                found = gazetteer.suggest(db.session, q, k=5)
                times.setdefault(how, []).append((time.perf_counter() - started) * 1000)
                empty += not found
            naive = []
            like = text(
                "SELECT id, name FROM places WHERE name LIKE :q OR aliases LIKE :q "
                "ORDER BY weight DESC LIMIT 5"
            )
            for _how, q in typed[: args.naive]:
                started = time.perf_counter()
                db.session.execute(like, {"q": f"%{q}%"}).all()
                naive.append((time.perf_counter() - started) * 1000)
            dialect = db.engine.dialect.name
        every = [t for values in times.values() for t in values]
        p95 = percentile(every, 95)
        print(
            f"database: {dialect}; places: {args.places:,}; keys: {key_rows:,}; "
            f"loaded in {load_s:.0f} s"
        )
        print(
            f"suggest: {len(every)} queries, p50 {percentile(every, 50):.2f} ms, "
            f"p95 {p95:.2f} ms, max {max(every):.2f} ms; {empty} found nothing"
        )
        for how, values in times.items():
            print(
                f"  {how:<9} n={len(values):<5} p50 {percentile(values, 50):.2f} ms, "
                f"p95 {percentile(values, 95):.2f} ms"
            )
        print(
            f"naive LIKE '%q%' scan: {len(naive)} queries, p50 {statistics.median(naive):.0f} ms,"
            f" p95 {percentile(naive, 95):.0f} ms: {percentile(naive, 95) / p95:.0f}x the p95"
        )
        print("target p95 < 30 ms:", "met" if p95 < 30 else "NOT met")


if __name__ == "__main__":
    main()
