"""Tasks on a work order besides its lead unit's own work: assistance asked of other units
(协办/会办, and 吹哨 when a 街乡镇 calls a district body) and second-level dispatch to a
sub-unit (科室, 社区/村) or a named staff member of the lead unit (二级派单)."""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from hotline.core.units.kinds import BODY, STREET

MAX_INSTRUCTION = 2000
MAX_REPLY = 4000
# Units asked to assist in one request: a real 会办 gathers a few, not the whole city.
MAX_ASSISTING_UNITS = 10
# How far past now a task on an already overdue order may be due.
OVERDUE_GRACE = timedelta(days=3)


class TaskKind(StrEnum):
    """Why the task exists."""

    ASSIST = "assist"  # 协办: another unit helps the lead unit
    ASSIGN = "assign"  # 二级派单: a sub-unit or a staff member of the lead unit does the work


class TaskState(StrEnum):
    """Where a task stands."""

    OPEN = "open"  # sent, not yet accepted
    ACCEPTED = "accepted"  # 签收
    REPLIED = "replied"  # answered to the lead unit
    DECLINED = "declined"  # an assisting unit said it is not theirs (never for 吹哨)
    WITHDRAWN = "withdrawn"  # the lead unit took it back, or the order left the lead unit


class TaskAction(StrEnum):
    """Something a person does to a task."""

    ACCEPT = "accept"
    REPLY = "reply"
    DECLINE = "decline"
    WITHDRAW = "withdraw"


OPEN_TASK_STATES = frozenset({TaskState.OPEN, TaskState.ACCEPTED})


@dataclass(frozen=True)
class TaskMove:
    """One allowed move of a task: from which states, by whom, with a note or not."""

    from_states: frozenset[TaskState]
    to: TaskState
    by_lead: bool  # the lead unit (else the unit or person holding the task)
    note_required: bool


TASK_MOVES: dict[TaskAction, TaskMove] = {
    TaskAction.ACCEPT: TaskMove(frozenset({TaskState.OPEN}), TaskState.ACCEPTED, False, False),
    TaskAction.REPLY: TaskMove(OPEN_TASK_STATES, TaskState.REPLIED, False, True),
    TaskAction.DECLINE: TaskMove(frozenset({TaskState.OPEN}), TaskState.DECLINED, False, True),
    TaskAction.WITHDRAW: TaskMove(OPEN_TASK_STATES, TaskState.WITHDRAWN, True, True),
}


class TaskRefused(Exception):
    """A task action that is not allowed: `code` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def is_whistle(lead_level: str, helper_level: str) -> bool:
    """吹哨报到: a 街乡镇 calls a district or city body, which must come (it cannot decline)."""
    return lead_level == STREET and helper_level == BODY


def move(
    state: TaskState, action: TaskAction, *, by_lead: bool, whistle: bool, note: str
) -> TaskState:
    """The task's state after `action`, or TaskRefused with the reason."""
    rule = TASK_MOVES[action]
    if state not in rule.from_states:
        raise TaskRefused("not_allowed_in_state")
    if by_lead != rule.by_lead:
        raise TaskRefused("not_allowed_for_role")
    if action is TaskAction.DECLINE and whistle:
        raise TaskRefused("whistle_cannot_decline")
    if rule.note_required and not note.strip():
        raise TaskRefused("note_required")
    return rule.to


def actions_for(state: TaskState, *, by_lead: bool, whistle: bool) -> list[TaskAction]:
    """The task actions open to the lead unit or to the task's holder, in table order."""
    return [
        action
        for action, rule in TASK_MOVES.items()
        if state in rule.from_states
        and rule.by_lead == by_lead
        and not (action is TaskAction.DECLINE and whistle)
    ]
