"""Labels of the phone line: agents' states, queues (skills), calls' states and outcomes."""

from flask_babel import lazy_gettext as _l

from hotline.core.telephony.agents import AgentState, Skill
from hotline.core.telephony.calls import CallEvent, CallOutcome, CallState
from hotline.labels.registry import register

AGENT_STATE_LABELS = register(
    AgentState,
    {
        AgentState.SIGNED_OUT: _l("Signed out"),
        AgentState.READY: _l("Ready"),
        AgentState.BUSY: _l("Busy"),
        AgentState.BREAK: _l("On a break"),
        AgentState.RINGING: _l("Ringing"),
        AgentState.TALKING: _l("On a call"),
        AgentState.AFTER_CALL: _l("After-call work"),
    },
)
SKILL_LABELS = register(
    Skill,
    {
        Skill.HOTLINE: _l("12345 hotline"),
        Skill.EMS: _l("120 emergency"),
        Skill.SURVEY: _l("Surveys"),
    },
)
CALL_STATE_LABELS = register(
    CallState,
    {
        CallState.QUEUED: _l("Waiting in the queue"),
        CallState.RINGING: _l("Ringing an agent"),
        CallState.TALKING: _l("In conversation"),
        CallState.ENDED: _l("Ended"),
    },
)
CALL_OUTCOME_LABELS = register(
    CallOutcome,
    {
        CallOutcome.ANSWERED: _l("Answered"),
        CallOutcome.ABANDONED: _l("Abandoned by the caller"),
        CallOutcome.NOT_ANSWERED: _l("Not answered"),
        CallOutcome.REJECTED: _l("Refused: queue full"),
    },
)
CALL_EVENT_LABELS = register(
    CallEvent,
    {
        CallEvent.ANSWERED: _l("Answered"),
        CallEvent.NO_ANSWER: _l("Rang out"),
        CallEvent.BUSY: _l("Phone refused"),
        CallEvent.UNAVAILABLE: _l("Phone unreachable"),
        CallEvent.ABANDONED: _l("Caller hung up"),
        CallEvent.ENDED: _l("Call ended"),
    },
)
