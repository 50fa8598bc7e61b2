"""A wrong password is checked outside the writer lock, and every failure counts."""

import threading
import time

from werkzeug.security import generate_password_hash

from hotline.core.accounts.roles import Role
from hotline.database import write_transaction
from hotline.models import User
from hotline.plugins import db
from hotline.services.accounts import users
from tests import factories

SLOW = "scrypt:65536:8:1"  # about 0.1-0.3 s a check: slow enough to see a stall


def _login(app, username, password):
    with app.app_context():
        try:
            users.authenticate(
                db.session,
                username=username,
                password=password,
                ip="192.0.2.1",
                now=factories.NOW,
                max_failures=100,
                lock_minutes=10,
                hash_method=SLOW,
            )
        except users.LoginFailed:
            pass
        finally:
            db.session.remove()


def test_a_wrong_password_does_not_hold_the_writer_lock(app, make):
    user = make(factories.user, Role.OPERATOR)
    with app.app_context():
        db.session.get(User, user.id).password_hash = generate_password_hash("x" * 12, SLOW)
        db.session.commit()
    checking = threading.Thread(target=_login, args=(app, user.username, "wrong password"))
    checking.start()
    time.sleep(0.02)  # the check is under way
    with app.app_context():
        started = time.perf_counter()
        with write_transaction(db.session):  # what intake and dispatch do
            pass
        waited = time.perf_counter() - started
    checking.join()
    assert waited < 0.05, f"a write waited {waited:.3f} s behind a password check"


def test_failures_at_the_same_time_all_count(app, make):
    user = make(factories.user, Role.OPERATOR)
    # Three: the throttle lets the first three failures through without a delay.
    threads = [
        threading.Thread(target=_login, args=(app, user.username, f"wrong {i}")) for i in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with app.app_context():
        assert db.session.get(User, user.id).failed_logins == 3
