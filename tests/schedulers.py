"""Helpers for the tests that run real scheduler processes: the leader row, and waiting."""

import os
import subprocess
import sys
import time
from pathlib import Path

from hotline.models import SchedulerLeader
from hotline.plugins import db

ROOT = Path(__file__).resolve().parent.parent
FLASK = Path(sys.executable).parent / "flask"


def leader_row(app):
    """(holder, heartbeat_at) of the scheduler_leader row, or (None, None)."""
    with app.app_context():
        row = db.session.get(SchedulerLeader, 1)
        found = (row.holder, row.heartbeat_at) if row else (None, None)
        db.session.remove()
    return found


def wait_for(condition, timeout: float, step: float = 0.1):
    """condition()'s first true value within `timeout` seconds, else None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return None


def start_scheduler(url: str, tmp_path: Path, name: str, netns: str | None = None, **settings):
    """`flask hotline scheduler` as a host runs it (inside network namespace `netns` when
    given), quick to lead and to sweep, its output in tmp_path/<name>.log; `settings` are
    extra environment variables."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "scheduler-test",
        "HOTLINE_INSTANCE_PATH": str(tmp_path / f"instance-{name}"),
        "HOTLINE_DATA_KEY_FILE": str(tmp_path / "instance" / "data_keys.json"),
        "SWEEP_INTERVAL_SECONDS": "2",
        "SCHEDULER_RETRY_SECONDS": "1",
        "SCHEDULER_BEAT_SECONDS": "1",
        "HOTLINE_LOG_FORMAT": "json",
        "HOTLINE_LOG_LEVEL": "INFO",
        **settings,
    }
    prefix = ["ip", "netns", "exec", netns] if netns else []
    log_path = tmp_path / f"{name}.log"
    log = log_path.open("w")  # closed by the caller with the process (process.log_file)
    process = subprocess.Popen(
        [*prefix, str(FLASK), "--app", "wsgi", "hotline", "scheduler"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.log_file, process.log_path = log, log_path
    return process
