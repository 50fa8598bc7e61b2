"""The whole suite, as `make test` runs it: the few tests that mostly wait (a scheduler's
leader cut off and replaced, the phone line's calls) run in a second pytest process beside
the others, on a PostgreSQL database of their own: about four minutes of waiting that no
longer add to the rest's time. The two-host test runs last, alone.

Run: .venv/bin/python tests/run_suite.py [pytest arguments for both processes]
"""

import os
import subprocess
import sys
import tempfile
import time

# Each waits on timers, leases, SIP calls or a killed process far more than it computes.
# Every test with a real Kamailio and rtpengine is here, one after the other: two phone lines
# at once (a recording's length, the screen pop's second) would measure each other.
WAITING = [
    "tests/integration/test_scheduler_failover.py",
    "tests/e2e/test_phone_line_load.py",
    "tests/e2e/test_phone_line.py",
    "tests/e2e/test_screen_pop_in_chromium.py",
]
# Last, alone: two hosts under load, one killed and restarted within the test's minute (a
# restart beside another process's tests came back too late to be seen); a leader cut off
# from the network (its interfaces changing made Chromium's navigations fail elsewhere).
ALONE = ["tests/integration/test_two_hosts.py", "tests/integration/test_scheduler_cut_off.py"]


def sibling_database(url: str) -> str:
    """A database beside TEST_DATABASE_URL's on the same server (made with PostGIS when
    missing), so that the two processes never reset each other's tables."""
    import psycopg
    from sqlalchemy.engine import make_url

    given = make_url(url)
    name = f"{given.database}_waiting"
    server = given.set(drivername="postgresql")

    def connect(database: str):
        conninfo = server.set(database=database).render_as_string(hide_password=False)
        return psycopg.connect(conninfo, autocommit=True)

    with connect("postgres") as admin:
        if (
            admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            is None
        ):
            admin.execute(f'CREATE DATABASE "{name}"')
    with connect(name) as database:
        database.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    return given.set(database=name).render_as_string(hide_password=False)


def main() -> int:
    """Both processes; the waiting ones' report is printed after the rest's."""
    arguments = sys.argv[1:]
    environment = dict(os.environ)
    if environment.get("TEST_DATABASE_URL"):
        environment["TEST_DATABASE_URL"] = sibling_database(environment["TEST_DATABASE_URL"])
    began = time.monotonic()
    with tempfile.TemporaryFile() as report:
        waiting = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *WAITING, *arguments],
            env=environment,
            stdout=report,
            stderr=subprocess.STDOUT,
        )
        ignored = [f"--ignore={path}" for path in WAITING + ALONE]
        rest = subprocess.run([sys.executable, "-m", "pytest", *ignored, *arguments])
        waiting.wait()
        report.seek(0)
        print("\n---- the tests that mostly wait, run beside the others ----", flush=True)
        sys.stdout.buffer.write(report.read())
    print("\n---- alone, at the end ----", flush=True)
    alone = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *ALONE])
    print(f"\nthe whole suite: {time.monotonic() - began:.0f} s of wall time", flush=True)
    return rest.returncode or waiting.returncode or alone.returncode


if __name__ == "__main__":
    sys.exit(main())
