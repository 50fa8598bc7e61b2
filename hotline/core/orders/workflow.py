"""Work-order states and the one table of allowed transitions."""

from dataclasses import dataclass
from enum import StrEnum

from hotline.core.accounts.permissions import Permission, roles_with
from hotline.core.accounts.roles import Role


class State(StrEnum):
    """Where a work order stands in the closed loop."""

    REGISTERED = "registered"  # 受理: waiting for the desk to route it by hand
    ROUTED = "routed"  # 已派单: sent to a department
    ACCEPTED = "accepted"  # 签收
    RETURNED = "returned"  # 退单: back at the desk for 改派 (re-routing)
    REPLIED = "replied"  # 已答复: waiting for the desk's review
    CLOSED = "closed"  # 办结
    CLOSED_AT_INTAKE = "closed_at_intake"  # 直接办结
    CANCELLED = "cancelled"  # 无效/重复来电


class Action(StrEnum):
    """Something a person does to a work order."""

    ROUTE = "route"  # desk: manual routing to a department
    REROUTE = "reroute"  # desk: 改派 after a return, or override of a routed order
    CANCEL = "cancel"  # desk: invalid or duplicate call
    ACCEPT = "accept"  # department: 签收
    RETURN = "return"  # department: 退单
    REPLY = "reply"  # department: 办结答复
    APPROVE = "approve"  # desk: 审核办结
    SEND_BACK = "send_back"  # desk: reply not good enough, back to the department
    CLASSIFY = "classify"  # intake desk: give an unrouted order (a mailbox letter) its category
    REOPEN = "reopen"  # survey: unresolved or dissatisfied, back to the department (重办)
    TRANSFER = "transfer"  # department: 转办 straight to another unit an admin rule allows


OPEN_STATES = frozenset(
    {State.REGISTERED, State.ROUTED, State.ACCEPTED, State.RETURNED, State.REPLIED}
)
FINAL_STATES = frozenset({State.CLOSED, State.CLOSED_AT_INTAKE, State.CANCELLED})


@dataclass(frozen=True)
class Transition:
    """One allowed move: who may do it and whether a note is required."""

    to: State
    roles: frozenset[Role]
    note_required: bool = False


_DESK = roles_with(Permission.WORK_DESK)
# Operators classify and route what reached the hotline without a category (the mailbox).
_ROUTERS = roles_with(Permission.ROUTE_NEW_ORDERS)
_DEPT = roles_with(Permission.HANDLE_ORDERS)
_SURVEYORS = roles_with(Permission.SURVEY)

TRANSITIONS: dict[tuple[State, Action], Transition] = {
    (State.REGISTERED, Action.ROUTE): Transition(State.ROUTED, _ROUTERS),
    (State.REGISTERED, Action.CLASSIFY): Transition(State.REGISTERED, _ROUTERS),
    (State.REGISTERED, Action.CANCEL): Transition(State.CANCELLED, _DESK, note_required=True),
    (State.RETURNED, Action.REROUTE): Transition(State.ROUTED, _DESK, note_required=True),
    (State.RETURNED, Action.CANCEL): Transition(State.CANCELLED, _DESK, note_required=True),
    (State.ROUTED, Action.REROUTE): Transition(State.ROUTED, _DESK, note_required=True),
    (State.ROUTED, Action.ACCEPT): Transition(State.ACCEPTED, _DEPT),
    (State.ROUTED, Action.RETURN): Transition(State.RETURNED, _DEPT, note_required=True),
    (State.ACCEPTED, Action.RETURN): Transition(State.RETURNED, _DEPT, note_required=True),
    (State.ACCEPTED, Action.REPLY): Transition(State.REPLIED, _DEPT, note_required=True),
    (State.ROUTED, Action.TRANSFER): Transition(State.ROUTED, _DEPT, note_required=True),
    (State.ACCEPTED, Action.TRANSFER): Transition(State.ROUTED, _DEPT, note_required=True),
    (State.REPLIED, Action.APPROVE): Transition(State.CLOSED, _DESK),
    (State.REPLIED, Action.SEND_BACK): Transition(State.ACCEPTED, _DESK, note_required=True),
    # Reopened from a survey, with the caller's words as the note.
    (State.CLOSED, Action.REOPEN): Transition(State.ROUTED, _SURVEYORS, note_required=True),
    (State.CLOSED_AT_INTAKE, Action.REOPEN): Transition(
        State.REGISTERED, _SURVEYORS, note_required=True
    ),
}

# Actions that choose a (new) department: any active unit (the desk's), or one an admin rule
# allows the unit to transfer to.
ACTIONS_WITH_DEPARTMENT = frozenset({Action.ROUTE, Action.REROUTE})
ACTIONS_WITH_TRANSFER_TARGET = frozenset({Action.TRANSFER})
# Actions that send the order away from its unit: they count as hops (退单, 转办).
HOPS = frozenset({Action.RETURN, Action.TRANSFER})
# The hop that sends an order to a supervisor instead of round again (裁定).
HOPS_BEFORE_SUPERVISOR = 3


class Arbitration(StrEnum):
    """An order that went round too often (退单 and 转办): a supervisor decides its unit."""

    NONE = ""
    PENDING = "pending"  # waiting for a supervisor's re-routing
    DECIDED = "decided"  # a supervisor chose the unit: it may no longer send it away


@dataclass(frozen=True)
class Step:
    """One action on an order as a person asks for it: the note, and the unit when routing."""

    action: Action
    note: str = ""
    department_id: int | None = None


class TransitionError(Exception):
    """An action that the table does not allow from this state or for this role."""

    def __init__(self, code: str, state: State, action: Action) -> None:
        super().__init__(f"{code}: {action} from {state}")
        self.code = code
        self.state = state
        self.action = action


def apply(state: State, action: Action, role: Role, note: str = "") -> State:
    """Return the state after `action`, or raise TransitionError; never a silent no-op."""
    transition = TRANSITIONS.get((state, action))
    if transition is None:
        raise TransitionError("not_allowed_in_state", state, action)
    if role not in transition.roles:
        raise TransitionError("not_allowed_for_role", state, action)
    if transition.note_required and not note.strip():
        raise TransitionError("note_required", state, action)
    return transition.to


def refers_to_supervisor(earlier_hops: int) -> bool:
    """Whether one more return or transfer, after `earlier_hops`, goes to a supervisor."""
    return earlier_hops + 1 >= HOPS_BEFORE_SUPERVISOR


def arbitration_refusal(action: Action, role: Role, arbitration: Arbitration) -> str | None:
    """Why an order's arbitration forbids `action` to `role` (None: it does not): while a
    supervisor decides, and after, only a supervisor re-routes or cancels it, and the unit
    decided on may no longer send it away."""
    if arbitration is Arbitration.NONE:
        return None
    if action in {Action.REROUTE, Action.CANCEL} and role is not Role.SUPERVISOR:
        return "supervisor_decides"
    if arbitration is Arbitration.DECIDED and action in HOPS:
        return "decided_by_supervisor"
    return None


def available_actions(
    state: State, role: Role, arbitration: Arbitration = Arbitration.NONE
) -> list[Action]:
    """The actions a person in `role` may take on an order in `state`, in table order."""
    return [
        a
        for (s, a), t in TRANSITIONS.items()
        if s == state and role in t.roles and arbitration_refusal(a, role, arbitration) is None
    ]
