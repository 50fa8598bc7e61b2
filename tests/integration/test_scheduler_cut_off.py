"""A scheduler leader cut off from the network is replaced within a minute.

Real processes, a real cut: a throwaway PostgreSQL cluster listens on 127.0.0.1 and on the
root side of a veth pair into a network namespace. Scheduler B runs inside the namespace
and leads; scheduler A runs outside and waits. Bringing the root side of the veth down cuts
B off without a word to either side (no FIN, no RST): the server must notice through the
TCP keepalive / TCP_USER_TIMEOUT the leader's session sets (services/scheduling/leadership.py)
and free the advisory lock, A must take over, and B's own check must fail so that it stops
running jobs. When the link comes back B finds A leading and keeps waiting.

SCHEDULER_TAKEOVER_SECONDS is long here, so that the hung-leader rule (a waiting process
ends a silent leader's session) cannot be what frees the lock.
"""

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hotline.plugins import db
from tests.conftest import make_app, postgres_url_or_skip
from tests.schedulers import leader_row, start_scheduler, wait_for

PG_ROOT = Path("/usr/lib/postgresql")
LIMIT_S = 60  # the promise: a cut-off leader is replaced within a minute


def _pg_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder (as .ci/run picks it)."""
    found = sorted(
        (p for p in PG_ROOT.glob("*/bin") if p.parent.name.isdigit()),
        key=lambda p: int(p.parent.name),
    )
    return found[-1] if found else None


def _run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)
    assert done.returncode == 0, f"{' '.join(args)}: {done.stdout}{done.stderr}"
    return done


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Namespace:
    """A network namespace joined to the root namespace by a veth pair."""

    name: str
    outside_link: str  # the root side: bringing it down is the cut
    outside: str  # the root side's address (the database listens on it)
    inside: str  # the namespace's address (the cut-off host)


@contextlib.contextmanager
def _namespace():
    """A namespace hl-cut-<random> with a /30 to the root namespace; removed afterwards."""
    tag = secrets.token_hex(3)
    used = _run("ip", "-o", "-4", "addr").stdout
    free = [n for n in range(1, 255) if f" 10.213.{n}." not in used]
    subnet = f"10.213.{secrets.choice(free)}"
    net = Namespace(f"hl-cut-{tag}", f"hlc{tag}o", f"{subnet}.1", f"{subnet}.2")
    inside_link = f"hlc{tag}i"
    _run("ip", "netns", "add", net.name)
    try:
        _run("ip", "link", "add", net.outside_link, "type", "veth", "peer", "name", inside_link)
        _run("ip", "link", "set", inside_link, "netns", net.name)
        _run("ip", "addr", "add", f"{net.outside}/30", "dev", net.outside_link)
        _run("ip", "link", "set", net.outside_link, "up")
        _run("ip", "-n", net.name, "addr", "add", f"{net.inside}/30", "dev", inside_link)
        _run("ip", "-n", net.name, "link", "set", inside_link, "up")
        _run("ip", "-n", net.name, "link", "set", "lo", "up")
        yield net
    finally:
        subprocess.run(["ip", "link", "del", net.outside_link], capture_output=True, check=False)
        subprocess.run(["ip", "netns", "del", net.name], capture_output=True, check=False)


@dataclass
class Cluster:
    """A throwaway PostgreSQL server."""

    port: int
    log: Path


@contextlib.contextmanager
def _cluster(pg_bin: Path, also_listen_on: str, clients: str):
    """A new cluster (trust auth) on 127.0.0.1 and `also_listen_on`, accepting `clients`
    (CIDR) too; stopped and removed afterwards. It runs as the postgres user, in a folder of
    its own (pytest's tmp_path is root's alone)."""
    work = Path(tempfile.mkdtemp(prefix="hl-cut-pg-"))
    shutil.chown(work, "postgres")
    data, log = work / "data", work / "server.log"
    port = _free_port()

    def as_postgres(*args: str) -> None:
        _run(*args, user="postgres", group="postgres", extra_groups=[], cwd=work)

    try:
        as_postgres(
            str(pg_bin / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        with (data / "pg_hba.conf").open("a") as hba:
            hba.write(f"host all all {clients} trust\n")
        settings = (
            f"-p {port} -k {work} -c listen_addresses=127.0.0.1,{also_listen_on} "
            "-c fsync=off -c log_connections=on -c log_disconnections=on "
            "-c log_timezone=UTC -c log_line_prefix='%m [%p] '"
        )
        as_postgres(
            str(pg_bin / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o", settings, "start"
        )
        yield Cluster(port, log)
    finally:
        subprocess.run(
            [str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            user="postgres",
            group="postgres",
            extra_groups=[],
            cwd=work,
            capture_output=True,
            check=False,
        )
        shutil.rmtree(work, ignore_errors=True)


def _scheduler(url, tmp_path, name, netns=None):
    """A scheduler inside `netns` when given; the hung-leader rule far beyond the test, so
    that the lock must free through the network, not by that rule."""
    return start_scheduler(url, tmp_path, name, netns, SCHEDULER_TAKEOVER_SECONDS="600")


def _server_lines(log: Path, address: str) -> list[tuple[datetime, str]]:
    """The server log's lines about `address`'s sessions, with their UTC time."""
    lines = []
    for line in log.read_text(errors="replace").splitlines():
        stamp = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) UTC \[(\d+)\] (.*)", line)
        if stamp and (address in line or "could not" in line or "timed out" in line):
            when = datetime.strptime(stamp[1], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)
            lines.append((when, f"[{stamp[2]}] {stamp[3]}"))
    return lines


@pytest.mark.postgres
def test_a_leader_cut_off_from_the_network_is_replaced_within_a_minute(tmp_path):
    postgres_url_or_skip()  # a PostgreSQL test; it brings its own server, reachable by veth
    pg_bin = _pg_bin()
    if os.geteuid() != 0 or not shutil.which("ip") or pg_bin is None:
        pytest.skip("needs root, iproute2 and PostgreSQL's binaries (CI runs as root with them)")
    with _namespace() as net, _cluster(pg_bin, net.outside, f"{net.inside}/32") as pg:
        local_url = f"postgresql+psycopg://postgres@127.0.0.1:{pg.port}/postgres"
        remote_url = f"postgresql+psycopg://postgres@{net.outside}:{pg.port}/postgres"
        app = make_app(local_url, tmp_path / "instance")
        processes = {}
        try:
            # B, inside the namespace, leads; A, outside, waits.
            processes["b"] = b = _scheduler(remote_url, tmp_path, "b", netns=net.name)
            holder_b = wait_for(lambda: (h := leader_row(app)[0]) and h, 30)
            assert holder_b and holder_b.endswith(f":{b.pid}"), holder_b
            processes["a"] = a = _scheduler(local_url, tmp_path, "a")
            assert wait_for(lambda: "another process leads" in a.log_path.read_text(), 30)

            # Cut just after a heartbeat, while B waits for its next check of the lock's
            # connection. The heartbeat's transaction runs on the app's pool, whose sessions
            # set no keepalive: cut in the middle of it, B's session would keep the leader
            # row locked on the server for hours (the OS's 2 h keepalive), and the new
            # leader's first heartbeat, and with it its jobs, would wait that long. That gap
            # is the app engine's to close, not this test's to hit by chance.
            beat = leader_row(app)[1]
            assert wait_for(lambda: leader_row(app)[1] != beat, 10)
            _run("ip", "link", "set", net.outside_link, "down")
            cut_at, cut_wall = time.monotonic(), datetime.now(UTC)

            successor = wait_for(lambda: (h := leader_row(app)[0]) != holder_b and h, LIMIT_S + 5)
            takeover = time.monotonic() - cut_at
            print(f"\nscheduler takeover from a cut-off leader: {takeover:.1f} s")
            assert successor and successor.endswith(f":{a.pid}"), successor
            assert takeover < LIMIT_S

            # B's own check fails through its TCP_USER_TIMEOUT: it stops running jobs.
            left = max(LIMIT_S + 5 - (time.monotonic() - cut_at), 1)
            assert wait_for(lambda: "leadership lost" in b.log_path.read_text(), left)
            print(f"the cut-off leader stood down after {time.monotonic() - cut_at:.1f} s")
            for when, line in _server_lines(pg.log, net.inside):
                if when >= cut_wall:
                    print(f"  server +{(when - cut_wall).total_seconds():5.1f} s: {line}")

            # The link comes back: B connects again, finds the lock taken and keeps waiting.
            mark = pg.log.read_text(errors="replace").count(f"host={net.inside}")
            _run("ip", "link", "set", net.outside_link, "up")
            assert wait_for(
                lambda: pg.log.read_text(errors="replace").count(f"host={net.inside}") >= mark + 3,
                30,
            ), "the cut-off host never reached the database again"
            time.sleep(3)
            assert leader_row(app)[0] == successor
            assert a.poll() is None and b.poll() is None
            assert "leadership lost" not in a.log_path.read_text()
        finally:
            for process in processes.values():
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
                    try:
                        process.wait(10)
                    except subprocess.TimeoutExpired:
                        os.killpg(process.pid, signal.SIGKILL)
                        process.wait(10)
                process.log_file.close()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
