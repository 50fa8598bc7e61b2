"""Rate limits and one-time keys counted in the database, on SQLite and on PostgreSQL
(where `window` is a reserved word: the statements must quote it)."""

from datetime import timedelta

from hotline.plugins import db
from hotline.services import ratelimit
from tests.factories import NOW


def test_a_limit_counts_per_bucket_and_window(any_app):
    with any_app.app_context():
        hits = [
            ratelimit.allow(db.session, bucket="ip:192.0.2.1", limit=2, seconds=60, now=NOW)
            for _ in range(3)
        ]
        assert hits == [True, True, False]
        other = ratelimit.allow(db.session, bucket="ip:192.0.2.2", limit=2, seconds=60, now=NOW)
        later = NOW + timedelta(minutes=1)
        again = ratelimit.allow(db.session, bucket="ip:192.0.2.1", limit=2, seconds=60, now=later)
        assert other and again


def test_old_windows_are_purged(any_app):
    with any_app.app_context():
        # A window whose number is a multiple of 16 purges windows older than a day.
        start = NOW - timedelta(days=2)
        ratelimit.allow(db.session, bucket="old", limit=5, seconds=60, now=start)
        stamp = int(NOW.timestamp()) // 60
        purge_at = NOW + timedelta(minutes=(16 - stamp % 16) % 16)
        ratelimit.allow(db.session, bucket="new", limit=5, seconds=60, now=purge_at)
        assert ratelimit.allow(db.session, bucket="old", limit=1, seconds=60, now=start)


def test_a_one_time_key_is_good_once(any_app):
    with any_app.app_context():
        assert ratelimit.first_use(db.session, key="form-abc", issued=NOW)
        assert not ratelimit.first_use(db.session, key="form-abc", issued=NOW)
