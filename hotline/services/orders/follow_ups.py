"""Follow-up calls (追加诉求, 重复来电): a caller rings again about an open order, and the call
joins that order instead of opening a new one."""

from datetime import datetime

from sqlalchemy.orm import Session

from hotline.core.accounts.permissions import Permission, roles_with
from hotline.core.orders.audit_actions import AuditAction
from hotline.core.orders.intake import Channel
from hotline.core.orders.workflow import OPEN_STATES
from hotline.core.text import clean_text
from hotline.database import write_transaction
from hotline.labels import chinese
from hotline.models import WorkOrder
from hotline.services import audit
from hotline.services.errors import Conflict, ValidationFailed, conflict_on_stale
from hotline.services.notifications import outbox
from hotline.services.orders import co_handling
from hotline.services.orders.handling import MAX_NOTE
from hotline.services.orders.queries import load_for_action

# What the handling unit's notice quotes of the new information (the rest is on the order).
NOTICE_QUOTE = 200


def order_for_follow_up(session: Session, *, actor_id: int, number: str) -> WorkOrder:
    """The order a call would be linked to: NotFound unless the actor takes calls and may
    see it (a closed order is returned; `is_open` tells the page to refuse)."""
    _, order = load_for_action(
        session, actor_id=actor_id, number=number, roles=roles_with(Permission.TAKE_CALLS)
    )
    return order


def is_open(order: WorkOrder) -> bool:
    """Whether a call can still be linked to the order (closed orders take a new call)."""
    return order.state_enum in OPEN_STATES


def link_call(
    session: Session, *, number: str, actor_id: int, text: str, channel: str, now: datetime
) -> WorkOrder:
    """Link a caller's new call to their open order: one audit note with the new information,
    a notice to the handling unit (the desk while unrouted), no new order."""
    text = clean_text(text).strip()
    if not text:
        raise ValidationFailed({"text": "required"})
    if len(text) > MAX_NOTE:
        raise ValidationFailed({"text": "too_long"})
    try:
        call_channel = Channel(channel)
    except ValueError:
        raise ValidationFailed({"channel": "invalid_choice"}) from None
    # A note does not depend on what the order holds: when another change of the order won
    # the version race (another follow-up, a unit's action), the call is linked again.
    for attempt in (1, 2):
        try:
            return _link(session, number, actor_id, text, call_channel, now)
        except Conflict:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _link(
    session: Session, number: str, actor_id: int, text: str, call_channel: Channel, now: datetime
) -> WorkOrder:
    with conflict_on_stale(), write_transaction(session):
        actor, order = load_for_action(
            session, actor_id=actor_id, number=number, roles=roles_with(Permission.TAKE_CALLS)
        )
        if not is_open(order):
            raise ValidationFailed({"action": "not_allowed_in_state"})
        # New information moves the order on: a unit's page opened before the call is stale,
        # so a reply written without the new information is refused by the version check.
        order.updated_at = now
        session.flush()
        audit.note_event(
            session,
            order=order,
            actor_id=actor.id,
            action=AuditAction.FOLLOW_UP_CALL,
            now=now,
            note=text,
        )
        # The operator's words only: no caller data (a tip-off's reporter stays hidden).
        quote = text[:NOTICE_QUOTE] + ("…" if len(text) > NOTICE_QUOTE else "")
        channel_name = chinese(Channel, call_channel)
        notice = f"工单{order.number}有追加诉求（来电人再次反映，{channel_name}）：{quote}"
        # The lead unit, and whoever holds an open task on the order (协办, 二级派单).
        recipients = [f"department:{order.department_id or 'desk'}"]
        recipients += co_handling.holder_addresses(session, order.id)
        outbox.enqueue_many(
            session,
            messages=[("in_app", r, notice, order.id) for r in dict.fromkeys(recipients)],
            now=now,
        )
    return order
