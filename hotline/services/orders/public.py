"""What citizens do themselves: look up an order's status, write to the mailbox."""

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.orders.intake import Channel, IntakeValidationError, parse_intake
from hotline.core.orders.workflow import State
from hotline.models import WorkOrder
from hotline.services.orders import intake

MAILBOX_CATEGORY = "9901"
MAILBOX_TYPES = ("complaint", "suggestion", "inquiry")


@dataclass(frozen=True)
class PublicStatus:
    """All a caller learns from the lookup: status, time limit, the public reply."""

    number: str
    state: str
    due_at: datetime
    reply: str


def lookup(session: Session, *, number: str, last_four: str) -> PublicStatus | None:
    """The status if the number exists and the caller's phone ends in `last_four`; else None.

    Unknown numbers and wrong digits look the same, so numbers cannot be probed.
    """
    number, last_four = number.strip()[:20], last_four.strip()
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
    expected = (order.caller_phone or "")[-4:] if order is not None else "----"
    matches = len(last_four) == 4 and hmac.compare_digest(expected.encode(), last_four.encode())
    if order is None or not order.caller_phone or not matches:
        return None
    reply = ""
    if order.state == State.CLOSED.value:
        reply = order.reply_text
    elif order.state == State.CLOSED_AT_INTAKE.value:
        reply = order.intake_answer
    return PublicStatus(order.number, order.state, order.due_at, reply)


def submit_letter(
    session: Session, *, form: Mapping[str, str], now: datetime, timezone: str
) -> str:
    """A mailbox letter becomes an unclassified order in the intake desk's queue."""
    order_type = form.get("order_type", "")
    if order_type not in MAILBOX_TYPES:
        raise IntakeValidationError({"order_type": "invalid_choice"})
    request = parse_intake(
        {
            "channel": Channel.WEB.value,
            "order_type": order_type,
            "category_code": MAILBOX_CATEGORY,
            "caller_phone": form.get("caller_phone", ""),
            "caller_name": form.get("caller_name", ""),
            "description": form.get("description", ""),
            "district_code": form.get("district_code", ""),
            "address": form.get("address", ""),
        }
    )
    if request.caller_phone is None:
        # Without a phone the citizen could never look the order up.
        raise IntakeValidationError({"caller_phone": "required"})
    request = replace(request, source="mailbox")
    # Anyone can type any number here: the receipt SMS waits until an operator has
    # classified the letter (`handling`), so the mailbox cannot be used to text strangers.
    return intake.register_call(
        session, request=request, actor_id=None, now=now, timezone=timezone, receipt=False
    ).number
