"""Escalation levels: warning before the deadline, then reminder, supervision, official."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum


class Level(IntEnum):
    """How far an order has been escalated; it only ever goes up."""

    NONE = 0
    WARNING = 1  # 临期预警: most of the time limit is used
    REMINDER = 2  # 催办: overdue, the department is reminded
    SUPERVISION = 3  # 督办: overdue for longer, a supervisor follows it
    OFFICIAL = 4  # overdue for much longer, raised to the officials


@dataclass(frozen=True)
class EscalationPolicy:
    """When each level starts, relative to the order's times."""

    warning_ratio: float = 0.8  # share of the time limit used before the warning
    supervision_after: timedelta = timedelta(days=1)  # overdue by more than this
    official_after: timedelta = timedelta(days=3)

    def warn_at(
        self, created_at: datetime, due_at: datetime, warning_percent: int | None = None
    ) -> datetime:
        """When the warning starts: the order's own threshold if it has one."""
        ratio = self.warning_ratio if warning_percent is None else warning_percent / 100
        return created_at + (due_at - created_at) * ratio

    def level(
        self, created_at: datetime, due_at: datetime, now: datetime, warn_at: datetime | None = None
    ) -> Level:
        """The level an open order should have at `now` (`warn_at`: its stored threshold)."""
        if now >= due_at + self.official_after:
            return Level.OFFICIAL
        if now >= due_at + self.supervision_after:
            return Level.SUPERVISION
        if now >= due_at:
            return Level.REMINDER
        if now >= (warn_at or self.warn_at(created_at, due_at)):
            return Level.WARNING
        return Level.NONE
