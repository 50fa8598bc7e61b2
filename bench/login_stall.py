"""Login stall: does a password-guessing attack slow the intake desk down?

gunicorn 2 workers x 4 threads on SQLite, as bench/intake.py. 4 operator clients post the
real intake form (login session, CSRF), each one every 0.1 s (40 intakes/s offered, no
catch-up burst when late), and every intake's latency is recorded.
Phase A, baseline: intakes alone for 20 s (after a 2 s warm-up).
Phase B, attack: the same while 20 attacker threads POST /login (with the form's CSRF token,
as a browser would) with wrong passwords for 20 different real usernames, each sending its
next attempt as soon as the last is answered, whatever the answer (401, 429 or a delayed
page). The 21 accounts are created with the production hash method (Config's
PASSWORD_HASH_METHOD, scrypt N=2^17: about 0.5 s of CPU per check), not the tests' fast one.
The attack starts 2 s before phase B's intakes and stops after them.

Printed: p50/p90/max intake latency in both phases, the ratio p90 B / p90 A and PASS/FAIL
against the target (p90 within 1.5x of the baseline in the same run). A client that waits
sends fewer intakes, which would hide a stall (coordinated omission), so the ratio judged
counts each intake a client could not send while it waited, with the time it would have
waited (HdrHistogram's expected-interval correction); the ratio over the intakes sent
alone is printed beside it. Then the login attempts answered, by status, and how many the
server verified (a password hash computed, counted by bench/counted_app.py) versus
answered without a hash (throttled); accounts locked.
There is no ratio to a naive way: the baseline is the same run without the attack.

Run: .venv/bin/python bench/login_stall.py [--seconds 20] [--clients 4] [--interval 0.1]
     [--attackers 20]
"""

import argparse
import random
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import BENCH_PASSWORD, add_operator, intake_form, prepared_app  # noqa: E402
from bench._http import (  # noqa: E402
    CONNECTION_ERRORS,
    Client,
    Server,
    operator_session,
    scrypt_counter,
)

PASSWORD = BENCH_PASSWORD
TARGET = 1.5


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="each phase")
    parser.add_argument("--clients", type=int, default=4, help="intake clients")
    parser.add_argument("--interval", type=float, default=0.1, help="s between a client's")
    parser.add_argument("--attackers", type=int, default=20)
    return parser.parse_args()


def prepare(directory: Path, attackers: int) -> tuple[dict, str]:
    """The reference data, one operator for the intakes and the attacked accounts, all
    hashed with the production method. Returns the environment and the method."""
    from hotline.config import Config
    from hotline.plugins import db

    env, app = prepared_app(directory)
    method = app.config["PASSWORD_HASH_METHOD"]
    if method != Config.PASSWORD_HASH_METHOD:
        raise SystemExit(f"not the production hash method: {method}")
    for name in ["bench", *(f"clerk{i:02d}" for i in range(1, attackers + 1))]:
        add_operator(app, name)
    with app.app_context():
        db.engine.dispose()
    return env, method


class Intakes:
    """The intake clients' latencies and anything that was not a 302 to the new order.

    `latencies` are as measured, one per intake sent. A client that waits longer than its
    interval sends fewer intakes, so a stall would be under-counted (coordinated omission);
    `corrected` adds, for each intake that could not be sent while the client waited, the
    time it would have waited (HdrHistogram's expected-interval correction).
    """

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.corrected: list[float] = []
        self.failures: Counter = Counter()
        self.lock = threading.Lock()

    def record(self, latency: float, interval: float) -> None:
        with self.lock:
            self.latencies.append(latency)
            self.corrected.append(latency)
            missed = latency - interval
            while missed > 0:
                self.corrected.append(missed)
                missed -= interval


def intake_client(
    base: str, cookie: str, token: str, seed: int, interval: float, until: float, out: Intakes
) -> None:
    """One operator: an intake every `interval` seconds until `until` (monotonic)."""
    client = Client(base)
    client.cookie = cookie
    rng = random.Random(seed)
    due = time.monotonic() + rng.uniform(0, interval)  # the clients out of step
    n = 0
    while due < until:
        time.sleep(max(0.0, due - time.monotonic()))
        n += 1
        form = intake_form(rng, token, f"{seed}-{n}")
        started = time.monotonic()
        try:
            status, _, _ = client.request("POST", "/intake", urlencode(form))
        except CONNECTION_ERRORS as exc:
            status = type(exc).__name__
        latency = time.monotonic() - started
        if status == 302:
            out.record(latency, interval)
        else:
            with out.lock:
                out.failures[status] += 1
        due = max(due + interval, time.monotonic())  # late: the next one now, no burst
    client.close()


def intake_phase(base: str, session: tuple[str, str], args, seconds: float) -> Intakes:
    """`args.clients` operators posting intakes for `seconds`."""
    out = Intakes()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=intake_client, args=(base, *session, i, args.interval, until, out))
        for i in range(args.clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


class Attack:
    """Wrong passwords for real accounts, as fast as the server answers them."""

    def __init__(self, base: str, usernames: list[str]) -> None:
        self.base, self.usernames = base, usernames
        self.stop = threading.Event()
        self.statuses: Counter = Counter()
        self.latencies: list[float] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._guess, args=(u,)) for u in usernames]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        """Stop sending; wait for the attempts in flight to be answered."""
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def _guess(self, username: str) -> None:
        client = Client(self.base, timeout=120)
        token = client.csrf_token("/login")  # the login form's session and token, kept
        n = 0
        while not self.stop.is_set():
            n += 1
            form = {"username": username, "password": f"guess-{n:06d}", "csrf_token": token}
            started = time.monotonic()
            try:
                status, _, _ = client.request("POST", "/login", urlencode(form))
            except CONNECTION_ERRORS as exc:
                status = type(exc).__name__
            with self.lock:
                self.statuses[status] += 1
                self.latencies.append(time.monotonic() - started)
        client.close()


def percentile(values: list[float], pct: int) -> float:
    """Nearest-rank percentile (0 if there are none)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, len(ordered) * pct // 100)] if ordered else 0.0


def summary(name: str, out: Intakes) -> str:
    ms = [x * 1000 for x in out.latencies]
    fixed = [x * 1000 for x in out.corrected]
    failures = f", failed {dict(out.failures)}" if out.failures else ""
    return (
        f"{name}: {len(ms)} intakes, p50 {percentile(ms, 50):.0f} ms, "
        f"p90 {percentile(ms, 90):.0f} ms, max {max(ms, default=0):.0f} ms{failures}; "
        f"with the {len(fixed) - len(ms)} intakes not sent while waiting: "
        f"p50 {percentile(fixed, 50):.0f} ms, p90 {percentile(fixed, 90):.0f} ms"
    )


def main() -> None:
    args = arguments()
    directory = Path(tempfile.mkdtemp(prefix="hotline-login-stall-"))
    counter = directory / "scrypt.count"
    usernames = [f"clerk{i:02d}" for i in range(1, args.attackers + 1)]
    env, method = prepare(directory, args.attackers)
    env = {**env, "BENCH_SCRYPT_COUNT": str(counter)}
    with Server("bench.counted_app:app", env) as server:
        session = operator_session(server.base, "bench", PASSWORD)
        intake_phase(server.base, session, args, 2)  # warm-up: imports, routing index, caches
        baseline = intake_phase(server.base, session, args, args.seconds)

        attack = Attack(server.base, usernames)
        hashed_before = scrypt_counter(counter)
        attack_started = time.monotonic()
        attack.start()
        time.sleep(2)
        attacked = intake_phase(server.base, session, args, args.seconds)
        attack.finish()
        attack_seconds = time.monotonic() - attack_started
        verified = scrypt_counter(counter) - hashed_before
    with sqlite3.connect(directory / "hotline.db") as conn:
        locked = conn.execute(
            "SELECT count(*) FROM users WHERE locked_until IS NOT NULL AND username LIKE 'clerk%'"
        ).fetchone()[0]

    answered = sum(attack.statuses.values())

    def ratio_of(b: list[float], a: list[float]) -> float:
        return percentile(b, 90) / percentile(a, 90) if a and b else float("inf")

    ratio = ratio_of(attacked.corrected, baseline.corrected)
    measured = ratio_of(attacked.latencies, baseline.latencies)
    offered = args.clients / args.interval
    # Intakes that failed (not a 302) fail the run whatever the latencies.
    ok = ratio <= TARGET and not baseline.failures and not attacked.failures
    print(
        f"gunicorn 2 workers x 4 threads, SQLite WAL synchronous=FULL; {args.clients} intake "
        f"clients, one intake each every {args.interval:g} s ({offered:g}/s offered), "
        f"{args.seconds:g} s per phase; password hash {method}"
    )
    print(summary("A, baseline", baseline))
    print(summary(f"B, {args.attackers} attackers", attacked))
    print(
        f"ratio p90 B/A: {ratio:.2f} -> {'PASS' if ok else 'FAIL'} "
        f"(target <= {TARGET}; counting the intakes not sent while waiting; "
        f"{measured:.2f} over the intakes sent alone)"
    )
    ms = [x * 1000 for x in attack.latencies]
    print(
        f"login attempts answered {answered} in {attack_seconds:.0f} s "
        f"({answered / attack_seconds:.1f}/s; {dict(attack.statuses)}), answer p50 "
        f"{percentile(ms, 50):.0f} ms max {max(ms, default=0):.0f} ms; verified (hash "
        f"computed) {verified}, answered without a hash (throttled) {max(0, answered - verified)}; "
        f"accounts locked at the end {locked} of {args.attackers}"
    )
    print("(no ratio to a naive way: the baseline is phase A of the same run)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
