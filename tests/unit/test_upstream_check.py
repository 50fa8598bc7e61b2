"""deploy/upstream_check.py against two tiny HTTP servers: the sick one is marked down."""

import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "upstream_check.py"
OPTIONS = "max_fails=2 fail_timeout=10s"


class Host:
    """A /readyz that answers 200 or 503, as `status` says, in a thread."""

    def __init__(self) -> None:
        self.status = 200
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                code = host.status if self.path == "/readyz" else 404
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def hosts():
    pair = [Host(), Host()]
    yield pair
    for host in pair:
        host.close()


class Checker:
    """Runs the script as the timer does; counts the reloads it asks for."""

    def __init__(self, directory: Path, addresses: list[str]) -> None:
        self.hosts = directory / "upstream-hosts"
        self.hosts.write_text("# the app hosts\n" + "".join(f"{a}\n" for a in addresses))
        self.output = directory / "upstreams.conf"
        self.reloads = directory / "reloads"
        self.directory = directory

    def run(self, reload: str | None = None) -> subprocess.CompletedProcess:
        reload = reload or f"{sys.executable} -c \"open('{self.reloads}', 'a').write('x')\""
        return subprocess.run(
            [
                sys.executable,
                str(SCRIPT),
                "--hosts",
                str(self.hosts),
                "--output",
                str(self.output),
                "--state",
                str(self.directory / "state.json"),
                "--timeout",
                "1",
                "--reload",
                reload,
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )

    def lines(self) -> list[str]:
        return [x for x in self.output.read_text().splitlines() if not x.startswith("#")]

    def reload_count(self) -> int:
        return len(self.reloads.read_text()) if self.reloads.exists() else 0


def test_a_failing_host_is_taken_out_after_two_failures_and_back_after_two_successes(
    tmp_path, hosts
):
    good, sick = hosts
    sick.status = 503
    checker = Checker(tmp_path, [good.address, sick.address])
    up = [f"server {good.address} {OPTIONS};", f"server {sick.address} {OPTIONS};"]
    out = [up[0], f"server {sick.address} {OPTIONS} down;"]

    assert checker.run().returncode == 0  # first failure: still in
    assert checker.lines() == up
    assert checker.reload_count() == 1  # the file is new

    result = checker.run()  # second failure in a row: out
    assert result.returncode == 0
    assert checker.lines() == out
    assert f"{sick.address}: down" in result.stdout
    assert checker.reload_count() == 2

    checker.run()  # nothing changed: no reload
    assert checker.lines() == out
    assert checker.reload_count() == 2

    sick.status = 200
    checker.run()  # one success is not enough
    assert checker.lines() == out
    checker.run()
    assert checker.lines() == up
    assert checker.reload_count() == 3


def test_a_host_that_refuses_connections_is_taken_out(tmp_path, hosts):
    good, gone = hosts
    gone.close()  # its port now refuses connections, as a killed gunicorn's does
    checker = Checker(tmp_path, [good.address, gone.address])
    checker.run()
    checker.run()
    assert checker.lines() == [
        f"server {good.address} {OPTIONS};",
        f"server {gone.address} {OPTIONS} down;",
    ]


def test_when_every_host_fails_none_is_taken_out(tmp_path, hosts):
    for host in hosts:
        host.status = 503
    checker = Checker(tmp_path, [h.address for h in hosts])
    for _ in range(3):
        result = checker.run()
    assert checker.lines() == [f"server {h.address} {OPTIONS};" for h in hosts]
    assert "every host fails" in result.stderr
    assert checker.reload_count() == 1  # written once, never changed


def test_a_failed_reload_is_tried_again_on_the_next_round(tmp_path, hosts):
    checker = Checker(tmp_path, [h.address for h in hosts])
    assert checker.run(reload=f"{sys.executable} -c 'raise SystemExit(3)'").returncode == 1
    assert checker.run().returncode == 0  # the file is unchanged, but nginx has not seen it
    assert checker.reload_count() == 1
    checker.run()
    assert checker.reload_count() == 1
