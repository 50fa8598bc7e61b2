"""The call distribution's decisions at the HTTP query Kamailio makes (POST
/telephony/sip/route with the line's secret), served by gunicorn as in production.

Two loads, each for --seconds with wrk: "waiting", 40 calls queued with nobody free, each
request one of them asking again (Kamailio's queue timer does this every retry_ms for every
waiting call: the common decision at a peak); and "ringing", a new call per request with
thousands of ready agents, each decision taking the longest-waiting one by compare-and-set.
The database holds a week of a busy centre's call records (200,000) and the agents.
The naive way: the same decisions without the distribution's indexes (the queue's, the
ready agents' and the figures'), so each reads the calls or agents table in full.
Run: .venv/bin/python bench/calls.py [--seconds 10] [--connections 16] [--database-url URL]
"""

import argparse
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._harness import gunicorn, prepared_app, wrk  # noqa: E402

SECRET = "bench-line-secret"  # noqa: S105 - a throwaway bench secret
HISTORY = 200_000
AGENTS = 8_000
QUEUED = 40
INDEXES = (
    "ix_agents_waiting",
    "ix_calls_queue_state_queued",
    "ix_calls_state_queued",
    "ix_calls_figures",
    "ix_calls_queued_at",
)
LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["X-Telephony-Secret"] = "%(secret)s"
local counter = 0
local threads = {}
function setup(thread) thread:set("tid", #threads); table.insert(threads, thread) end
function init(args) ring = 0; waits = 0; other = 0 end
function request()
  counter = counter + 1
  local id
  if "%(mode)s" == "waiting" then id = "queued-" .. math.random(1, %(queued)d)
  else id = "new-" .. tid .. "-" .. counter .. "-" .. math.random(1, 1000000000) end
  return wrk.format(nil, "/telephony/sip/route", nil,
    "call_id=" .. id .. "&caller=13800000000&called=12345&attempt=1")
end
function response(status, headers, body)
  if status ~= 200 then other = other + 1
  elseif string.find(body, '"ring"') then ring = ring + 1
  elseif string.find(body, '"wait"') then waits = waits + 1
  else other = other + 1 end
end
function done(summary, latency, requests)
  local r, w, o = 0, 0, 0
  for _, t in ipairs(threads) do
    r = r + t:get("ring"); w = w + t:get("waits"); o = o + t:get("other")
  end
  io.write(string.format("ring=%%d\\nwait=%%d\\nother=%%d\\n", r, w, o))
end
"""


def seed(app) -> None:
    """A week of ended calls, and AGENTS operators with phones (signed out)."""
    from sqlalchemy import insert

    from hotline.encryption import seal
    from hotline.models import Agent, Call, User
    from hotline.plugins import db

    now = datetime.now(UTC)
    rng = random.Random(17)
    with app.app_context():
        caller = seal("13800000000", "calls.caller")
        ha1 = seal("0" * 32, "agents.ha1")
        rows = []
        for n in range(HISTORY):
            queued = now - timedelta(seconds=rng.uniform(60, 7 * 86400))
            rows.append(
                {
                    "sip_call_id": f"old-{n}",
                    "version": 1,
                    "direction": "in",
                    "queue": "12345",
                    "caller": caller,
                    "called": "12345",
                    "state": "ended",
                    "outcome": "answered",
                    "queued_at": queued,
                    "answered_at": queued + timedelta(seconds=9),
                    "ended_at": queued + timedelta(seconds=200),
                    "offers": 1,
                    "flagged": False,
                    "reconciled": False,
                }
            )
        for start in range(0, HISTORY, 10_000):
            db.session.execute(insert(Call), rows[start : start + 10_000])
        users = [
            {
                "username": f"bench-agent-{n}",
                "display_name": f"坐席{n}（合成）",
                "password_hash": "x",
                "password_changed_at": now,
                "role": "operator",
                "created_at": now,
                "active": True,
                "synthetic": True,
            }
            for n in range(AGENTS)
        ]
        db.session.execute(insert(User), users)
        ids = db.session.scalars(
            db.select(User.id).where(User.username.like("bench-agent-%")).order_by(User.id)
        ).all()
        db.session.execute(
            insert(Agent),
            [
                {
                    "user_id": uid,
                    "extension": str(10000 + n),
                    "ha1": ha1,
                    "skills": "12345",
                    "version": 1,
                    "state": "signed_out",
                    "state_since": now,
                    "break_reason": "",
                    "credential_issued_at": now,
                }
                for n, uid in enumerate(ids)
            ],
        )
        db.session.commit()


def prepare(app, mode: str) -> None:
    """Waiting: the queued calls asked about once, every agent signed out. Ringing: every
    agent registered and ready (in a random order of waiting), no queued call."""
    from sqlalchemy import delete, update

    from hotline.core.telephony.line import LineSettings
    from hotline.models import Agent, Call
    from hotline.plugins import db
    from hotline.services.telephony import routing

    now = datetime.now(UTC)
    with app.app_context():
        db.session.execute(
            update(Agent).values(
                state="signed_out", call_id=None, registered_until=now + timedelta(hours=1)
            )
        )
        db.session.execute(delete(Call).where(Call.sip_call_id.like("new-%")))
        db.session.execute(delete(Call).where(Call.sip_call_id.like("queued-%")))
        db.session.commit()
        if mode == "waiting":
            for n in range(1, QUEUED + 1):
                routing.route(
                    db.session,
                    sip_call_id=f"queued-{n}",
                    caller="13800000000",
                    called="12345",
                    now=datetime.now(UTC),
                    line=LineSettings(),
                )
        else:
            db.session.execute(
                update(Agent).values(
                    state="ready", ready_since=now - timedelta(seconds=random.uniform(0, 600))
                )
            )
            db.session.commit()


def paced(url: str, rate: float, seconds: int, workers: int = 4) -> dict:
    """Kamailio's pace at a peak, every agent busy: `rate` requests a second from `workers`
    threads (its SIP workers and queue timer), 95% a waiting call asking again, 5% a new
    call joining the queue (a write); the latency of each decision as Kamailio sees it."""
    import http.client
    import threading
    import time
    from urllib.parse import urlsplit

    host = urlsplit(url)
    latencies: list[float] = []
    answers: dict[str, int] = {}
    lock = threading.Lock()
    start = time.perf_counter()

    def work(index: int) -> None:
        connection = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
        n = index
        while (due := start + n / rate) < start + seconds:
            time.sleep(max(0.0, due - time.perf_counter()))
            new = n % 20 == 0
            call_id = f"new-{n}" if new else f"queued-{n % QUEUED + 1}"
            body = f"call_id={call_id}&caller=13800000000&called=12345&attempt=1"
            began = time.perf_counter()
            connection.request(
                "POST",
                "/telephony/sip/route",
                body,
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Telephony-Secret": SECRET,
                },
            )
            answer = connection.getresponse().read().decode()
            took = (time.perf_counter() - began) * 1000
            kind = "ring" if '"ring"' in answer else "wait" if '"wait"' in answer else "other"
            with lock:
                latencies.append(took)
                answers[kind] = answers.get(kind, 0) + 1
            n += workers

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))]

    return {"n": len(latencies), "p50": pct(0.5), "p99": pct(0.99), "answers": answers}


def drop_indexes(app) -> None:
    """The naive way: the distribution without its indexes."""
    from sqlalchemy import text

    from hotline.plugins import db

    with app.app_context():
        for name in INDEXES:
            db.session.execute(text(f"DROP INDEX IF EXISTS {name}"))
        db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--paced", type=float, default=100.0, help="decisions/s (0: off)")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="bench-calls-"))
    env, app = prepared_app(
        directory, args.database_url, TELEPHONY_SECRET=SECRET, TELEPHONY_QUEUE_MAX="1000"
    )
    seed(app)
    dialect = "postgresql" if args.database_url else "sqlite"
    print(
        f"{HISTORY:,} call records, {AGENTS:,} agents, {QUEUED} queued; {dialect}; "
        f"gunicorn 2 workers x 4 threads; wrk {args.connections} connections, "
        f"{args.seconds} s each"
    )
    results = {}
    for way in ("indexed", "naive"):
        if way == "naive":
            drop_indexes(app)
        for mode in ("waiting", "ringing"):
            prepare(app, mode)
            script = directory / f"{mode}.lua"
            script.write_text(LUA % {"secret": SECRET, "mode": mode, "queued": QUEUED})
            with gunicorn("wsgi:app", env) as url:
                found = wrk(url, script, args.seconds, args.connections)
            total = sum(found["counts"].values())
            rate = total / args.seconds
            results[(way, mode)] = (rate, found)
            print(
                f"{way:>8} {mode:>8}: {rate:7.0f} decisions/s, p50 {found['p50_ms']:.1f} ms, "
                f"p99 {found['p99_ms']:.1f} ms ({found['counts']})"
            )
        if args.paced:
            prepare(app, "waiting")  # every agent busy: new calls join the queue
            with gunicorn("wsgi:app", env) as url:
                found = paced(url, args.paced, args.seconds)
            print(
                f"{way:>8}   paced: {args.paced:.0f}/s offered, p50 {found['p50']:.1f} ms, "
                f"p99 {found['p99']:.1f} ms over {found['n']} decisions ({found['answers']})"
            )
    for mode in ("waiting", "ringing"):
        fast, slow = results[("indexed", mode)][0], results[("naive", mode)][0]
        print(f"{mode}: indexed / naive throughput {fast / slow:.1f}x")


if __name__ == "__main__":
    main()
