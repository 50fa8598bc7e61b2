"""Kamailio, rtpengine and SIPp for the phone line's tests: the repository's own
deploy/telephony/pbx.sh on free ports of 127.0.0.1 pointed at a given app, SIPp phones and
callers from tests/data/sipp, and Kamailio's accounting rows."""

import itertools
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PBX_SH = ROOT / "deploy" / "telephony" / "pbx.sh"
SCENARIOS = ROOT / "tests" / "data" / "sipp"
TOOLS = ("kamailio", "rtpengine", "sipp")
# SIPp's and rtpengine's media ports come from blocks of this range, checked free when
# taken; blocks never overlap (rtpengine binds its ports with SO_REUSEADDR as Kamailio does:
# a media port that is also Kamailio's SIP port would take its requests).
_PORTS = itertools.count(random.randrange(20000, 50000, 100), 10)


def require_tools() -> None:
    """Fail with the fix when a Debian package is missing (`make apt` installs them)."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: `make apt` installs the phone line's packages")


def free_udp_block(size: int = 10) -> int:
    """The first of `size` consecutive free UDP ports of 127.0.0.1."""
    for base in _PORTS:
        if base + size > 60000:
            continue
        for _ in range((size - 1) // 10):
            next(_PORTS)  # the next block starts after this one
        try:
            for port in range(base, base + size):
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free UDP ports")


def sip_options(port: int, timeout: float = 0.3) -> bool:
    """Whether Kamailio on `port` answers an OPTIONS with 200."""
    call_id = uuid.uuid4().hex
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        local = sock.getsockname()[1]
        message = (
            f"OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK{call_id[:12]}\r\n"
            f"From: <sip:probe@127.0.0.1>;tag={call_id[:8]}\r\nTo: <sip:127.0.0.1:{port}>\r\n"
            f"Call-ID: {call_id}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
            "Content-Length: 0\r\n\r\n"
        )
        sock.settimeout(timeout)
        sock.sendto(message.encode(), ("127.0.0.1", port))
        try:
            return sock.recv(4096).startswith(b"SIP/2.0 200")
        except OSError:
            return False


@dataclass
class Pbx:
    """A running pbx.sh: Kamailio on `sip_port`, its run folder, its process group."""

    sip_port: int
    run_dir: Path
    process: subprocess.Popen
    log: Path

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.sip_port}"

    @property
    def recordings(self) -> Path:
        return self.run_dir / "recordings"

    def acc(self, table: str = "acc") -> list[dict]:
        """Kamailio's accounting rows (acc or missed_calls), oldest first."""
        with sqlite3.connect(self.run_dir / "acc.sqlite") as db:
            db.row_factory = sqlite3.Row
            rows = db.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 - two names
            return [dict(row) for row in rows]

    def stop(self) -> None:
        """Stop rtpengine and Kamailio (the whole process group)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def start_pbx(
    run_dir: Path, app_url: str, secret: str, rtp_ports: int = 40, **settings: str
) -> Pbx:
    """pbx.sh on free ports, asking `app_url`; settings are PBX_* values (hunt_12345=...);
    rtpengine takes 4 of its `rtp_ports` per call."""
    require_tools()
    sip_port, ng_port, rtp = free_udp_block(2), free_udp_block(2), free_udp_block(rtp_ports)
    env = {
        **os.environ,
        "TELEPHONY_SECRET": secret,
        "PBX_RUN_DIR": str(run_dir),
        "PBX_SIP_LISTEN": f"udp:127.0.0.1:{sip_port}",
        "PBX_APP_URL": app_url,
        "PBX_NG_PORT": str(ng_port),
        "PBX_RTP_MIN": str(rtp),
        "PBX_RTP_MAX": str(rtp + rtp_ports - 1),
        **{f"PBX_{key.upper()}": value for key, value in settings.items()},
    }
    run_dir.mkdir(parents=True, exist_ok=True)
    log = run_dir / "pbx.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own script
            ["bash", str(PBX_SH)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    pbx = Pbx(sip_port, run_dir, process, log)
    deadline = time.monotonic() + 15
    while not sip_options(sip_port):
        if process.poll() is not None or time.monotonic() > deadline:
            pbx.stop()
            pytest.fail(f"the pbx did not start:\n{log.read_text(errors='replace')[-3000:]}")
    return pbx


@dataclass
class Sipp:
    """One SIPp run: a phone's or a caller's, in the foreground or in the background."""

    scenario: str
    pbx: Pbx
    port: int
    args: list[str]
    folder: Path
    process: subprocess.Popen | None = None
    started: float = 0.0
    finished: float = 0.0
    returncode: int | None = None
    output: str = field(default="", repr=False)

    def start(self) -> "Sipp":
        """Start SIPp in the background."""
        media = free_udp_block(10)
        command = [
            "sipp", "-sf", str(SCENARIOS / f"{self.scenario}.xml"), "-i", "127.0.0.1",
            "-p", str(self.port), "-mi", "127.0.0.1", "-mp", str(media), "-nostdin",
            "-trace_err", "-trace_stat", "-trace_msg", "-timeout", "60s",
            "-recv_timeout", "30000", *self.args, self.pbx.target,
        ]  # fmt: skip
        self.folder.mkdir(parents=True, exist_ok=True)
        self.started = time.monotonic()
        # SIPp redraws its screen every second: into a file, since a pipe nobody reads
        # fills after half a minute or so and SIPp then blocks on it, calls and all.
        with (self.folder / "screen.log").open("wb") as screen:
            self.process = subprocess.Popen(  # noqa: S603 - sipp with our scenario
                command,
                cwd=self.folder,
                stdout=screen,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def wait(self, timeout: float = 30) -> int:
        """Its exit status (0: every call as the scenario says); killed after `timeout` s."""
        assert self.process is not None
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.finished = time.monotonic()
        self.returncode = self.process.returncode
        self.output = (self.folder / "screen.log").read_text(errors="replace")
        return self.returncode

    def run(self, timeout: float = 30) -> int:
        """Start and wait."""
        return self.start().wait(timeout)

    def kill(self) -> None:
        """Stop it now (if it runs) and collect it."""
        if self.process is None or self.returncode is not None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.wait(timeout=5)

    def finish(self, timeout: float = 10) -> int:
        """Place no new calls, let the ongoing ones end (SIGUSR1), and collect it."""
        if self.process is not None and self.returncode is None and self.process.poll() is None:
            self.process.send_signal(signal.SIGUSR1)
        return self.wait(timeout)

    def logs(self) -> list[str]:
        """The lines of the scenario's <log> actions (-trace_logs), in the order written."""
        files = sorted(self.folder.glob("*_logs.log"))
        return [line for p in files for line in p.read_text(errors="replace").splitlines()]

    def errors(self) -> str:
        """SIPp's error log and the end of its screen, for a failed assertion's message."""
        logs = [p.read_text(errors="replace") for p in self.folder.glob("*_errors.log")]
        return "\n".join(logs)[-3000:] + "\n" + self.output[-2000:]

    def messages(self) -> str:
        """Every SIP message SIPp sent and received."""
        return "\n".join(p.read_text(errors="replace") for p in self.folder.glob("*_messages.log"))


class Phone:
    """An agent's softphone: its extension registers with its password, then SIPp plays
    one of the agent scenarios on the registered port."""

    def __init__(self, pbx: Pbx, extension: str, password: str, folder: Path):
        self.pbx, self.extension, self.password = pbx, extension, password
        self.port = free_udp_block(2)
        self.folder = folder / f"phone-{extension}"
        self.runs: list[Sipp] = []

    def sipp(self, scenario: str, *args: str) -> Sipp:
        folder = self.folder / f"{len(self.runs)}-{scenario}"
        self.runs.append(Sipp(scenario, self.pbx, self.port, list(args), folder))
        return self.runs[-1]

    def stop(self) -> None:
        """Kill whatever SIPp run of this phone is still going."""
        for run in self.runs:
            run.kill()

    def register(self, expires: int = 3600, password: str | None = None) -> Sipp:
        """REGISTER with digest; the finished run (returncode 0 when the server said 200)."""
        auth = ["-au", self.extension, "-ap", password or self.password]
        run = self.sipp(
            "register", "-m", "1", "-s", self.extension, *auth, "-key", "expires", str(expires)
        )
        run.run(timeout=15)
        return run

    def answers(self, calls: int = 1, after_ms: int = 300) -> Sipp:
        """In the background: ring, answer after `after_ms`, talk until the caller hangs up."""
        return self.sipp("agent_answers", "-m", str(calls), "-d", str(after_ms)).start()

    def never_answers(self, calls: int = 1) -> Sipp:
        return self.sipp("agent_no_answer", "-m", str(calls)).start()

    def busy(self, calls: int = 1) -> Sipp:
        return self.sipp("agent_busy", "-m", str(calls)).start()


def caller(pbx: Pbx, folder: Path, number: str, *, talk_ms: int = 1000, dialled="12345") -> Sipp:
    """A caller from the trunk who talks `talk_ms` once answered, then hangs up (not started)."""
    args = ["-s", dialled, "-key", "caller", number, "-m", "1", "-d", str(talk_ms)]
    return Sipp("caller", pbx, free_udp_block(2), args, folder / f"caller-{number}")


def hanging_up_caller(pbx: Pbx, folder: Path, number: str, *, after_ms: int, dialled="12345"):
    """A caller who waits in the queue and hangs up after `after_ms` (not started)."""
    args = ["-s", dialled, "-key", "caller", number, "-m", "1", "-d", str(after_ms)]
    return Sipp("caller_hangs_up", pbx, free_udp_block(2), args, folder / f"abandon-{number}")


def wait_for(check, timeout: float = 10.0, step: float = 0.05):
    """Poll `check` until it returns something true; that value (None on timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    return None
