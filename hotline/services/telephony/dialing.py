"""Click to call (回访, the desk): the agent clicks the citizen's number on an order; their
own phone dials a one-use token at Kamailio (sip:d<token>@line), Kamailio asks the app what
the token stands for and calls the citizen through the trunk. The number never reaches the
page (a masked number is shown where the role needs it), and the call is on record like an
incoming one, linked to its order.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core import phone
from hotline.core.accounts import privacy
from hotline.core.accounts.permissions import Permission, allows
from hotline.core.telephony.agents import AgentState, Skill, skills_from_text, takes_calls
from hotline.core.telephony.calls import CallOutcome, CallState
from hotline.database import write_transaction
from hotline.models import Agent, Call, User
from hotline.services.errors import Forbidden, NotFound, ValidationFailed
from hotline.services.orders import queries
from hotline.services.telephony.records import MISSED_WINDOW

TOKEN_LIFETIME = timedelta(minutes=2)
DIAL_PREFIX = "d"  # what the phone dials: d<token>


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_dial(
    session: Session, *, user: User, order_number: str, now: datetime
) -> tuple[str, str]:
    """A one-use number for the user's phone to dial the order's caller, and the number as
    the user may see it. NotFound for an order they may not see or a caller they may not
    reach (a confidential reporter), ValidationFailed when the order has no phone."""
    if not allows(user.role, Permission.ANSWER_CALLS):
        raise Forbidden()
    if not allows(user.role, Permission.READ_ORDERS):
        raise NotFound()  # 120 answers calls but reads no 12345 order: none to dial
    order = queries.get_order(session, actor=user, number=order_number)
    if order.confidential and not allows(user.role, Permission.SEE_CONFIDENTIAL_REPORTERS):
        raise NotFound()
    number = phone.normalise(order.caller_phone or "")
    if number is None:
        raise ValidationFailed({"caller_phone": "invalid_phone"})
    token = _outgoing(session, user=user, number=number, now=now, order_id=order.id)
    return token, privacy.shown_phone(user.role_enum, order.confidential, number)


def request_return(session: Session, *, user: User, call_id: int, now: datetime) -> tuple[str, str]:
    """回拨: a one-use number to call back a missed call of one of the user's queues."""
    missed = session.get(Call, call_id)
    agent = session.get(Agent, user.id)
    if missed is None or agent is None or not _returnable(session, missed, now):
        raise NotFound()  # only a missed call of the last day that nobody returned yet
    if missed.queue not in {s.value for s in skills_from_text(agent.skills)}:
        raise NotFound()  # another queue's caller is not this agent's to call
    number = phone.normalise(missed.caller or "")
    if number is None:
        raise ValidationFailed({"caller_phone": "invalid_phone"})
    token = _outgoing(session, user=user, number=number, now=now, returns_call_id=missed.id)
    return token, privacy.shown_phone(user.role_enum, False, number)


def _returnable(session: Session, missed: Call, now: datetime) -> bool:
    if missed.direction != "in" or missed.outcome not in (
        CallOutcome.ABANDONED,
        CallOutcome.REJECTED,
    ):
        return False
    if missed.queued_at < now - MISSED_WINDOW:
        return False
    returned = select(Call.id).where(Call.returns_call_id == missed.id).limit(1)
    return session.scalar(returned) is None


def _outgoing(
    session: Session,
    *,
    user: User,
    number: str,
    now: datetime,
    order_id: int | None = None,
    returns_call_id: int | None = None,
) -> str:
    token = secrets.token_hex(8)
    with write_transaction(session):
        agent = session.get(Agent, user.id)
        if agent is None:
            raise NotFound("no_phone")
        skills = skills_from_text(agent.skills)
        call = Call(
            sip_call_id=f"dial:{_digest(token)}",
            direction="out",
            queue=(Skill.SURVEY if Skill.SURVEY in skills else Skill.HOTLINE).value,
            called=agent.extension,
            state=CallState.QUEUED.value,
            queued_at=now,
            offers=0,
            flagged=False,
            reconciled=False,
            agent_id=user.id,
            order_id=order_id,
            returns_call_id=returns_call_id,
            dial_token=_digest(token),
            dial_expires_at=now + TOKEN_LIFETIME,
        )
        call.set_caller(number)
        session.add(call)
    return DIAL_PREFIX + token


def resolve_dial(
    session: Session, *, dialled: str, extension: str, sip_call_id: str, now: datetime
) -> str | None:
    """The citizen's number a phone's dialled token stands for, once, for the extension it
    was issued to and before it expires; the call's record takes the SIP Call-ID."""
    if not dialled.startswith(DIAL_PREFIX):
        return None
    digest = _digest(dialled.removeprefix(DIAL_PREFIX))
    with write_transaction(session):
        if session.scalar(select(Call.id).where(Call.sip_call_id == sip_call_id)) is not None:
            return None  # a Call-ID already on record: not this token's call
        call = session.scalar(select(Call).where(Call.dial_token == digest))
        agent = session.scalar(select(Agent).where(Agent.extension == extension))
        if (
            call is None
            or agent is None
            or call.agent_id != agent.user_id
            or call.dial_expires_at is None
            or call.dial_expires_at < now
        ):
            return None
        call.dial_token = None  # one use
        call.dial_expires_at = None
        call.sip_call_id = sip_call_id
        call.state = CallState.RINGING.value
        call.offered_at = now
        call.offers = 1
        if takes_calls(AgentState(agent.state), agent.after_call_until, now):
            # A ready agent on an outgoing call takes no incoming one meanwhile; a busy or
            # signed-out agent (回访 outside the queue) stays as they are.
            agent.state = AgentState.RINGING.value
            agent.state_since = now
            agent.call_id = call.id
        return call.caller
