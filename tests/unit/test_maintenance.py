"""Maintenance rules: retention cut-offs and watermarks, backup names and rotation."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from hotline.core.maintenance.backups import backup_name, is_backup_name, to_remove
from hotline.core.maintenance.retention import RetentionPeriods, next_watermark

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def test_cutoffs_follow_each_period():
    cutoffs = RetentionPeriods(1095, 90, 180).cutoffs(NOW)
    assert cutoffs.caller_data == NOW - timedelta(days=1095)
    assert cutoffs.notifications == NOW - timedelta(days=90)
    assert cutoffs.positions == NOW - timedelta(days=180)


@pytest.mark.parametrize("days", [0, -1, 1.5])
def test_a_period_is_at_least_one_whole_day(days):
    with pytest.raises(ValueError, match="at least 1"):
        RetentionPeriods(1095, days, 180)


def test_cutoffs_need_an_aware_now():
    with pytest.raises(ValueError, match="naive"):
        RetentionPeriods(1, 1, 1).cutoffs(datetime(2026, 1, 1))  # noqa: DTZ001


def test_the_watermark_stops_at_the_oldest_pending_row_and_never_moves_back():
    cutoff = NOW - timedelta(days=1095)
    earlier = cutoff - timedelta(days=10)
    assert next_watermark(None, cutoff, None) == cutoff
    assert next_watermark(None, cutoff, earlier) == earlier
    assert next_watermark(earlier, cutoff, None) == cutoff
    # A longer period (an earlier cut-off) does not re-read what is already done.
    assert next_watermark(cutoff, earlier, None) == cutoff


def test_backup_names_sort_by_time_in_utc():
    beijing = timezone(timedelta(hours=8))
    name = backup_name(datetime(2026, 11, 20, 10, 30, 5, tzinfo=beijing), ".sqlite3")
    assert name == "hotline-20261120T023005Z.sqlite3"
    assert is_backup_name(name) and is_backup_name("hotline-20261120T023005Z.dump")
    assert not is_backup_name("hotline-20261120T023005Z.sqlite3.part")
    with pytest.raises(ValueError):
        backup_name(NOW, ".zip")


def test_rotation_removes_the_oldest_beyond_keep_and_nothing_else():
    names = [backup_name(NOW + timedelta(days=d), ".dump") for d in (3, 0, 2, 1)]
    others = ["notes.txt", ".hotline-20261120T020000Z.dump.abc.part", "hotline-latest.dump"]
    assert to_remove(names + others, keep=2) == [names[1], names[3]]
    assert to_remove(names, keep=10) == []
    with pytest.raises(ValueError):
        to_remove(names, keep=0)
