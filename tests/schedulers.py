"""Helpers for the tests that run real scheduler processes: the leader row, and waiting."""

import time

from hotline.models import SchedulerLeader
from hotline.plugins import db


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
