"""Knowledge-base search at 20,000 articles: p50/p95 of a search on SQLite and PostgreSQL
(target p95 < 30 ms), against a LIKE '%word%' scan over the same articles; and as-you-type
suggestions end to end through GET /kb/suggest on gunicorn (target p95 < 50 ms).

The articles are the demonstration seed (hotline/demo/kb_articles.csv) in variations: each
seed article again with a district's name in its title and part of another article's
answer appended. The queries are the test questions (tests/data/kb_queries.csv); typing is
every prefix of each question from its second character on, one request each.
Run: .venv/bin/python bench/kb.py [--articles 20000] [--database sqlite|postgres|both]
     [--pg-url postgresql+psycopg://postgres@127.0.0.1:55432/hotline_kb]
"""

import argparse
import csv
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import BENCH_PASSWORD, ROOT, add_operator, prepared_app  # noqa: E402
from bench._http import Client, Server, operator_session  # noqa: E402

PASSWORD = BENCH_PASSWORD
DISTRICTS = ["东城区", "西城区", "朝阳区", "海淀区", "丰台区", "石景山区", "通州区", "顺义区"]
TODAY = date(2026, 11, 28)


def arguments():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:55432/hotline_kb"
        ),
    )
    parser.add_argument("--no-http", dest="http", action="store_false", help="No /kb/suggest run.")
    return parser.parse_args()


def reset_postgres(url: str) -> None:
    from bench.crash import reset_postgres as reset

    reset(url)


def load(app, count: int) -> None:
    """The demo synonyms and seed, then `count` variations of the seed, all published."""
    from sqlalchemy import insert, select

    from hotline.core.kb import text
    from hotline.database import utcnow, write_transaction
    from hotline.demo import kb as demo_kb
    from hotline.models import KbArticle, KbSearch, KbVersion
    from hotline.plugins import db
    from hotline.services.kb import search, terms

    now = utcnow()
    add_operator(app)
    with app.app_context():
        demo_kb.seed_kb(db.session, now)
        seeds = db.session.execute(select(KbSearch)).scalars().all()
        seeds = [{c.key: getattr(s, c.key) for c in KbSearch.__table__.columns} for s in seeds]
        rng = random.Random(12345)
        start = db.session.scalar(select(KbArticle.id).order_by(KbArticle.id.desc()).limit(1))
        rows_articles, rows_versions, rows_search = [], [], []
        for i in range(count - len(seeds)):
            base, other = seeds[i % len(seeds)], rng.choice(seeds)
            article_id = start + 1 + i
            title = f"{rng.choice(DISTRICTS)}{base['title']}"
            cut = len(other["answer_text"]) // 3
            answer = base["answer_text"] + " " + other["answer_text"][:cut]
            other_words = other["answer_words"].split()
            extra = " ".join(other_words[: len(other_words) // 3])
            rows_articles.append(
                {
                    "id": article_id,
                    "state": "published",
                    "latest_number": 1,
                    "published_number": 1,
                    "published_at": now,
                    "created_at": now,
                    "updated_at": now,
                    "synthetic": True,
                }
            )
            rows_versions.append(
                {
                    "article_id": article_id,
                    "number": 1,
                    "category_id": base["category_id"],
                    "title": title,
                    "answer": answer,
                    "public": base["public"],
                    "valid_from": base["valid_from"],
                    "valid_to": base["valid_to"],
                    "edited_at": now,
                }
            )
            rows_search.append(
                {
                    **base,
                    "article_id": article_id,
                    "title": title,
                    "title_words": text.index_text(title),
                    "answer_words": base["answer_words"] + " " + extra,
                    "answer_text": answer,
                }
            )
        with write_transaction(db.session):
            for table, rows in (
                (KbArticle, rows_articles),
                (KbVersion, rows_versions),
                (KbSearch, rows_search),
            ):
                for j in range(0, len(rows), 2000):
                    db.session.execute(insert(table), rows[j : j + 2000])
            terms.rebuild(db.session)
        search.forget_statistics()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        else:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("INSERT INTO kb_fts(kb_fts) VALUES ('optimize')")
                conn.exec_driver_sql("ANALYZE")
        db.session.remove()
        db.engine.dispose()


def queries() -> list[str]:
    with (ROOT / "tests" / "data" / "kb_queries.csv").open(encoding="utf-8-sig") as file:
        return [row["query"] for row in csv.DictReader(file)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def figures(values: list[float]) -> str:
    return (
        f"p50 {statistics.median(values):.1f} ms, p95 {percentile(values, 0.95):.1f} ms, "
        f"max {max(values):.1f} ms (n={len(values)})"
    )


def in_process(app, questions: list[str]) -> tuple[list[float], list[float]]:
    """Milliseconds per search (the service: words, synonyms, SQL, BM25F) and per LIKE scan."""
    from sqlalchemy import or_, select

    from hotline.core.kb import text
    from hotline.models import KbSearch
    from hotline.plugins import db
    from hotline.services.kb import search

    with app.app_context():
        for q in questions[:10]:  # warm: jieba, caches, the database's pages
            search.search(db.session, q, k=5, today=TODAY)
        timed, like = [], []
        for _round in range(3):
            for q in questions:
                started = time.perf_counter()
                search.search(db.session, q, k=5, today=TODAY)
                timed.append((time.perf_counter() - started) * 1000)
        for q in questions:
            words = text.words(q) or [q]
            conditions = [
                c
                for w in words
                for c in (KbSearch.title.like(f"%{w}%"), KbSearch.answer_text.like(f"%{w}%"))
            ]
            started = time.perf_counter()
            db.session.execute(select(KbSearch.article_id).where(or_(*conditions))).all()
            like.append((time.perf_counter() - started) * 1000)
        db.session.remove()
        db.engine.dispose()
    return timed, like


def typing(env: dict, questions: list[str]) -> list[float]:
    """Milliseconds per GET /kb/suggest, every prefix of every question, one client."""
    timed = []
    with Server("wsgi:app", env, workers=2, threads=4) as server:
        cookie, _token = operator_session(server.base, "bench", PASSWORD)
        client = Client(server.base)
        client.cookie = cookie
        for q in questions[:5]:
            client.request("GET", f"/kb/suggest?q={quote(q)}")
        for q in questions:
            for end in range(2, len(q) + 1):
                started = time.perf_counter()
                status, _response, _body = client.request("GET", f"/kb/suggest?q={quote(q[:end])}")
                timed.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    raise RuntimeError(f"/kb/suggest answered {status}")
        client.close()
    return timed


def main() -> None:
    args = arguments()
    questions = queries()
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for database in databases:
        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp)
            url = None
            if database == "postgres":
                url = args.pg_url
                reset_postgres(url)
            env, app = prepared_app(directory, url)
            started = time.perf_counter()
            load(app, args.articles)
            loaded = time.perf_counter() - started
            timed, like = in_process(app, questions)
            print(f"{database}: {args.articles} articles loaded in {loaded:.0f} s")
            print(f"  search (service, k=5):   {figures(timed)}")
            print(f"  LIKE '%word%' scan:      {figures(like)}")
            ratio = statistics.median(like) / statistics.median(timed)
            print(f"  LIKE / search at p50:    {ratio:.1f}x")
            if args.http:
                http = typing(env, questions)
                print(f"  GET /kb/suggest typing:  {figures(http)}")


if __name__ == "__main__":
    main()
