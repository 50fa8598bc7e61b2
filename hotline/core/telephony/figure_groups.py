"""The call figures from counts the database summed per UTC hour, queue and agent: the
same Breakdown as `figures.breakdown` gives from the calls one by one."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from hotline.core.telephony.figures import Breakdown, CallCounts, figures


@dataclass(frozen=True)
class Group:
    """Counts summed in SQL for one UTC hour (its start), queue and agent (None: none)."""

    hour: datetime
    queue: str
    agent: int | None
    counts: CallCounts


def breakdown_of_groups(groups: Iterable[Group], timezone: str) -> Breakdown:
    """The same figures as `breakdown`, from counts summed per UTC hour, queue and agent
    (a local hour holds whole UTC hours in zones of whole-hour offsets, as China's)."""
    zone = ZoneInfo(timezone)
    whole = CallCounts()
    hours: dict[int, CallCounts] = {}
    agents: dict[int, CallCounts] = {}
    queues: dict[str, CallCounts] = {}
    for group in groups:
        targets = [whole, hours.setdefault(group.hour.astimezone(zone).hour, CallCounts())]
        targets.append(queues.setdefault(group.queue, CallCounts()))
        if group.agent is not None:
            targets.append(agents.setdefault(group.agent, CallCounts()))
        for counts in targets:
            counts.add_counts(group.counts)
    return Breakdown(
        whole=figures(whole),
        by_hour={h: figures(c) for h, c in sorted(hours.items())},
        by_agent={a: figures(c) for a, c in agents.items()},
        by_queue={q: figures(c) for q, c in sorted(queues.items())},
    )
