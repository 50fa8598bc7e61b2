"""The offline-install test's slow part, run in the background from the start of the session.

    python -m tests.e2e.bundle_job JOBDIR

Builds the bundle (deploy/bundle.sh: downloads, a venv, a 280 MB archive), then installs it
inside `unshare -n` (tests/e2e/offline_install.py); each step's output and exit status go to
JOBDIR/<step>.out, .err and .rc. Three minutes of mostly network and disk, started when the
session's collection finds the test (tests/e2e/conftest.py) so that it overlaps the rest of
the suite; the test, which runs last, waits for it and checks what it wrote.
"""

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STEPS = {"build": 1800, "install": 900}  # each step's time limit, seconds
# Below the tests' priority: it fills the idle core rather than slowing the suite.
NICENESS = 10
KEY = pytest.StashKey["BundleJob"]()


def can_run() -> bool:
    """Root, unshare and nginx: what the install in a network namespace needs (CI has them)."""
    return os.geteuid() == 0 and bool(shutil.which("unshare")) and bool(shutil.which("nginx"))


@dataclass
class Step:
    """One step's exit status (None: it never ran or never finished) and output."""

    rc: int | None
    out: str
    err: str


class BundleJob:
    """The background process of one session, its folder, and its stopping."""

    def __init__(self) -> None:
        # Not under pytest's tmp_path: its parents are 0700, and postgres and nginx's workers
        # read the install below here.
        self.folder = Path(tempfile.mkdtemp(prefix="hotline-offline-"))
        self.folder.chmod(0o755)
        self.started = time.monotonic()
        with (self.folder / "job.log").open("w") as log:
            self.process = subprocess.Popen(
                ["nice", "-n", str(NICENESS), sys.executable, "-m", "tests.e2e.bundle_job"]
                + [str(self.folder)],
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as a whole
            )
        atexit.register(self.stop)  # should the session end without its finish hook

    @property
    def install_folder(self) -> Path:
        return self.folder / "install"

    def wait(self) -> dict[str, Step]:
        """Each step's result once the job has finished (or its time is up: then stopped)."""
        try:
            self.process.wait(sum(STEPS.values()) + 60)
        except subprocess.TimeoutExpired:
            self._end()
        return {name: self._read(name) for name in STEPS}

    def log(self) -> str:
        """The job's own output (a traceback, should it have failed itself)."""
        path = self.folder / "job.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return f"\n--- bundle_job\n{text[-3000:]}" if text.strip() else ""

    def _read(self, name: str) -> Step:
        def text(kind: str) -> str:
            path = self.folder / f"{name}.{kind}"
            return path.read_text(errors="replace") if path.exists() else ""

        rc = text("rc").strip()
        return Step(int(rc) if rc.lstrip("-").isdigit() else None, text("out"), text("err"))

    def _end(self) -> None:
        """SIGTERM to the whole group (offline_install stops its servers), then SIGKILL."""
        for sig, grace in ((signal.SIGTERM, 60), (signal.SIGKILL, 10)):
            if self.process.poll() is not None:
                return  # it waits for its step: nothing of the group is left
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                continue

    def stop(self) -> None:
        """End the job if it still runs and remove its folder (idempotent)."""
        self._end()
        shutil.rmtree(self.folder, ignore_errors=True)


def start(config: pytest.Config) -> BundleJob:
    """The session's job, started now unless it already runs."""
    if KEY not in config.stash:
        config.stash[KEY] = BundleJob()
    return config.stash[KEY]


def stop(config: pytest.Config) -> None:
    job = config.stash.get(KEY, None)
    if job is not None:
        job.stop()


# --- the job itself ----------------------------------------------------------------------


def run_step(folder: Path, name: str, args: list[str], parent: int) -> int | None:
    """Run one step, its output in folder/<name>.out and .err, its status in <name>.rc."""
    with (folder / f"{name}.out").open("w") as out, (folder / f"{name}.err").open("w") as err:
        process = subprocess.Popen(args, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        deadline, orphaned = time.monotonic() + STEPS[name], False
        while process.poll() is None:
            if time.monotonic() > deadline:
                process.kill()
                err.write(f"\n[bundle_job: {name} killed after {STEPS[name]} s]\n")
                break
            if os.getppid() != parent and not orphaned:
                # pytest died without its session's end: the group stops as when it is ended.
                orphaned = True
                os.killpg(0, signal.SIGTERM)
            time.sleep(0.5)
        rc = process.wait()
    (folder / f"{name}.rc").write_text(f"{rc}\n")
    return rc


def main() -> None:
    folder, parent = Path(sys.argv[1]), os.getppid()
    stopping = []
    # SIGTERM reaches the whole group: the running step stops itself (offline_install stops
    # its PostgreSQL, gunicorn and nginx first); this process waits for it, starts no other.
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        build = run_step(folder, "build", ["bash", str(ROOT / "deploy/bundle.sh")], parent)
        lines = (folder / "build.out").read_text().strip().splitlines()
        archive = lines[-3] if len(lines) >= 3 else ""
        if build != 0 or stopping or not archive.endswith("-offline.tar.gz"):
            return  # the test shows the build's output
        folder_inside = folder / "install"
        folder_inside.mkdir()
        command = ["unshare", "-n", sys.executable, "-m", "tests.e2e.offline_install"]
        run_step(folder, "install", [*command, archive, str(folder_inside)], parent)
    finally:
        if os.getppid() != parent:
            shutil.rmtree(folder, ignore_errors=True)  # nobody is left to read or remove it


if __name__ == "__main__":
    main()
