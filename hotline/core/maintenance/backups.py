"""Backup file names and rotation: timestamped names, the newest `keep` kept."""

import re
from collections.abc import Iterable
from datetime import UTC, datetime

# hotline-20261120T020000Z.sqlite3 (SQLite) or .dump (pg_dump's custom format).
_NAME = re.compile(r"^hotline-\d{8}T\d{6}Z\.(sqlite3|dump)$")


def backup_name(now: datetime, suffix: str) -> str:
    """The file name of a backup taken at `now` (UTC in the name, so names sort by time)."""
    if now.tzinfo is None:
        raise ValueError("naive datetime given as now")
    if suffix not in (".sqlite3", ".dump"):
        raise ValueError(f"unknown backup suffix {suffix!r}")
    return f"hotline-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}{suffix}"


def is_backup_name(name: str) -> bool:
    """A name that `backup_name` makes: rotation touches no other file."""
    return _NAME.match(name) is not None


def to_remove(names: Iterable[str], keep: int) -> list[str]:
    """The backups beyond the newest `keep`, oldest first; other names are left alone."""
    if keep < 1:
        raise ValueError("keep at least one backup")
    # The timestamp follows a fixed prefix, so the names sort as the times do.
    backups = sorted(name for name in names if is_backup_name(name))
    return backups[: max(0, len(backups) - keep)]
