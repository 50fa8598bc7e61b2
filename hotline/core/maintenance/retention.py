"""How long each kind of personal or bulky data is kept, and the cut-off times that follow.

Callers' personal data stays on a closed order (and on a 120 record) for `caller_data_days`
after it ended; delivered notifications for `notifications_days` after delivery; vehicle
positions for `positions_days` after the fix. The audit trails have no period: they are
append-only and kept.
"""

from dataclasses import dataclass, fields
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Cutoffs:
    """Rows older than these times are due: anonymised (caller data) or deleted."""

    caller_data: datetime
    notifications: datetime
    positions: datetime


@dataclass(frozen=True)
class RetentionPeriods:
    """The retention periods in days; each at least one day."""

    caller_data_days: int
    notifications_days: int
    positions_days: int

    def __post_init__(self) -> None:
        for field in fields(self):
            days = getattr(self, field.name)
            # A zero or negative period would empty the tables at the next run.
            if not isinstance(days, int) or days < 1:
                raise ValueError(f"{field.name} must be a whole number of days, at least 1")

    def cutoffs(self, now: datetime) -> Cutoffs:
        """The cut-off times as of `now` (aware)."""
        if now.tzinfo is None:
            raise ValueError("naive datetime given as now")
        return Cutoffs(
            caller_data=now - timedelta(days=self.caller_data_days),
            notifications=now - timedelta(days=self.notifications_days),
            positions=now - timedelta(days=self.positions_days),
        )


def next_watermark(
    previous: datetime | None, cutoff: datetime, oldest_pending: datetime | None
) -> datetime:
    """Where the next run starts: every row before it is done.

    A run finishes everything before `cutoff`, except rows that may still reach a final
    state (an incident still open): the oldest of those holds the mark back. The mark never
    moves back (a longer period must not re-read what is already anonymised).
    """
    mark = cutoff if oldest_pending is None else min(cutoff, oldest_pending)
    return mark if previous is None else max(previous, mark)
