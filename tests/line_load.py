"""Helpers for the phone line's load and outage tests (tests/e2e/test_phone_line_load.py):
operators with registered SIPp phones, SIPp callers at a rate, what SIPp logged per Call-ID,
the call records, the app under gunicorn, and the figures' definitions worked by hand."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.database import utcnow
from hotline.models import Call
from hotline.plugins import db
from hotline.services.telephony import agents, credentials
from tests import factories
from tests.pbx import ROOT, Phone, Sipp, free_udp_block

ANSWER_MS = 300


def operators(app, count: int, prefix: str) -> list[tuple[int, str, str]]:
    """`count` new operators with a phone each: (user id, extension, password)."""
    made = []
    for n in range(count):
        with app.app_context():
            user = factories.user(Role.OPERATOR, username=f"{prefix}{n}")
            extension, password = credentials.issue_phone(
                db.session, user.id, realm=app.config["TELEPHONY_REALM"], now=utcnow()
            )
            made.append((user.id, extension, password))
    return made


def new_phones(app, line, folder: Path, count: int, prefix: str, issued=None) -> list[Phone]:
    """`count` operators' phones (or those `issued`), registered with Kamailio and signed
    in ready in this order (the first waits longest)."""
    made = []
    for user_id, extension, password in issued or operators(app, count, prefix):
        phone = Phone(line, extension, password, folder)
        phone.user_id = user_id
        registration = phone.register()
        assert registration.returncode == 0, registration.errors()
        made.append(phone)
    for phone in made:
        with app.app_context():
            agents.choose_state(db.session, user_id=phone.user_id, wanted="ready", now=utcnow())
        time.sleep(0.01)
    return made


def answering(phone: Phone, talk_ms: int, answer_ms: int = ANSWER_MS) -> Sipp:
    """The phone answers every call after `answer_ms`, talks `talk_ms`, hangs up."""
    return phone.sipp(
        "agent_answers_hangs_up", "-m", "1000", "-d", str(talk_ms),
        "-recv_timeout", str(answer_ms), "-timeout", "180s", "-trace_logs",
    ).start()  # fmt: skip


def callers(line, folder: Path, group: str, numbers: list[str], rate: int, period_ms: int,
            patience_ms: int) -> Sipp:  # fmt: skip
    """One SIPp caller placing a call per number at `rate` per `period_ms` (not started)."""
    folder.mkdir(parents=True, exist_ok=True)
    numbers_file = folder / f"{group}.csv"
    numbers_file.write_text("SEQUENTIAL\n" + "".join(f"{n};\n" for n in numbers))
    args = [
        "-s", "12345", "-inf", str(numbers_file), "-m", str(len(numbers)), "-r", str(rate),
        "-rp", str(period_ms), "-l", "100", "-recv_timeout", str(patience_ms),
        "-timeout", "180s", "-trace_logs",
    ]  # fmt: skip
    return Sipp("caller_patient", line, free_udp_block(2), args, folder / group)


def logged(*runs: Sipp) -> dict[str, list[str]]:
    """Call-ID -> the words SIPp's <log> actions wrote for it, in order: a caller's
    "called <number>", "answered", "ended", "abandoned"; a phone's "answered", "hung_up",
    "cancelled"."""
    found: dict[str, list[str]] = {}
    for run in runs:
        for line in run.logs():
            word, call_id, *rest = line.split()
            found.setdefault(call_id, []).append(" ".join([word, *rest]))
    return found


def records(app) -> dict[str, Call]:
    """Every call record by its Call-ID (detached)."""
    with app.app_context():
        found = {c.sip_call_id: c for c in db.session.scalars(select(Call))}
        for call in found.values():
            call.caller_number = call.caller  # sealed: read it inside the app
            db.session.expunge(call)
        return found


def by_hand(calls: list[Call], short_abandon: int) -> dict[str, int]:
    """The period's counts by the definitions (core/telephony/figures.py), worked here
    from the records' times."""
    counts = dict(offered=0, answered=0, in_15=0, abandoned=0, short=0)
    for call in calls:
        if call.answered_at is not None:
            counts["offered"] += 1
            counts["answered"] += 1
            counts["in_15"] += call.answered_at - call.queued_at <= timedelta(seconds=15)
        elif call.outcome == "abandoned" and (
            call.ended_at - call.queued_at < timedelta(seconds=short_abandon)
        ):
            counts["short"] += 1
        else:
            counts["offered"] += 1
            counts["abandoned"] += call.outcome == "abandoned"
    return counts


def serve(tmp_path: Path, port: int, line: dict) -> subprocess.Popen:
    """The app under gunicorn (deploy/gunicorn.conf.py, one worker) on the test's SQLite
    file and instance folder, so that it can be killed; answering when this returns."""
    env = {
        **os.environ,
        **{key: str(value) for key, value in line.items()},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'test.db'}",
        "HOTLINE_INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret-key",
        "READY_REQUIRES_SCHEDULER": "0",
        "HOTLINE_BIND": f"127.0.0.1:{port}",
        "HOTLINE_WORKERS": "1",
        "HOTLINE_LOG_LEVEL": "warning",
    }
    with (tmp_path / "gunicorn.log").open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - the venv's gunicorn
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py",
             "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        try:  # the worker answers (the master accepts before it has booted)
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2).close()
            return process
        except OSError:
            time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    pytest.fail("gunicorn did not start: " + (tmp_path / "gunicorn.log").read_text()[-2000:])


def free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
