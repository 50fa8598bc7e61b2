"""The outbox: messages are written in the same transaction as what caused them, then a
job delivers them through a pluggable sender, retrying with backoff until delivered."""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hotline.core import phone
from hotline.core.accounts.permissions import Permission, allows
from hotline.database import insert_many, raw_utc, write_transaction
from hotline.encryption import seal, unseal
from hotline.models import Notification

log = logging.getLogger(__name__)
# Channels whose recipient is a citizen's address, sealed at rest like the order's caller.
SEALED_CHANNELS = frozenset({"sms"})
RECIPIENT = "notifications.recipient"
LEASE = timedelta(minutes=5)  # a claimed message is retried if its sender never reports back
MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True)
class Message:
    """What a sender gets."""

    id: int
    channel: str
    recipient: str
    text: str


Sender = Callable[[Message], None]  # raises on failure


def log_sender(message: Message) -> None:
    """The default sender: notes the message in the log (an SMS gateway replaces it); no
    phone number or message text goes to a log file."""
    log.info("notify %s #%s to %s", message.channel, message.id, _shown(message))


def _shown(message: Message) -> str:
    return phone.mask(message.recipient) if message.channel in SEALED_CHANNELS else "(in app)"


# One message to write: (channel, recipient, text, order_id). A plain tuple, not a class:
# the deadline sweep builds tens of thousands at once.
Outgoing = tuple[str, str, str, int | None]
# The message's columns, then the times that `enqueue_many` adds (first attempt, creation);
# the other columns get their defaults (pending, no attempt yet, no error).
_COLUMNS = ("channel", "recipient", "text", "order_id", "next_attempt_at", "created_at")


def enqueue(
    session: Session,
    *,
    channel: str,
    recipient: str,
    text: str,
    now: datetime,
    order_id: int | None = None,
) -> None:
    """Add a message to the outbox, inside the caller's transaction."""
    enqueue_many(session, messages=[(channel, recipient, text, order_id)], now=now)


def text_caller(
    session: Session, *, phone: str, text: str, now: datetime, order_id: int | None
) -> None:
    """An SMS to a caller about their order, inside the caller's transaction."""
    enqueue(session, channel="sms", recipient=phone, text=text, now=now, order_id=order_id)


def enqueue_many(session: Session, *, messages: Sequence[Outgoing], now: datetime) -> None:
    """Add messages, due at `now`, with one executemany in the caller's transaction."""
    connection = session.connection()
    at = raw_utc(connection.dialect.name, now)
    rows = [
        (channel, _stored(channel, recipient), text, order, at, at)
        for channel, recipient, text, order in messages
    ]
    insert_many(connection, Notification.__table__, _COLUMNS, rows)


def _stored(channel: str, recipient: str) -> str:
    """A citizen's phone is sealed at rest (it fits the column sealed: a phone number is
    short); in-app addresses are not personal."""
    if channel in SEALED_CHANNELS:
        return seal(recipient[:32], RECIPIENT)
    return recipient[:128]


def recipient_of(note: Notification) -> str:
    """The message's recipient in clear (a citizen's phone is sealed at rest)."""
    if note.channel in SEALED_CHANNELS:
        return unseal(note.recipient, RECIPIENT) or ""
    return note.recipient


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after each failure, at most an hour."""
    return min(MAX_BACKOFF, timedelta(minutes=2 ** max(0, attempts - 1)))


def deliver_due(session: Session, *, sender: Sender, now: datetime, limit: int = 200) -> int:
    """Deliver what is due; each message is claimed by compare-and-set, so two workers never
    send the same one at once. Returns how many were delivered."""
    due = session.execute(
        select(Notification.id, Notification.attempts)
        .where(Notification.state == "pending", Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
    ).all()
    delivered = 0
    for row in due:
        with write_transaction(session):
            claimed = session.execute(
                update(Notification)
                .where(
                    Notification.id == row.id,
                    Notification.state == "pending",
                    Notification.attempts == row.attempts,
                )
                .values(attempts=row.attempts + 1, next_attempt_at=now + LEASE)
                .execution_options(synchronize_session=False)
            ).rowcount
        if claimed != 1:
            continue
        note = session.get(Notification, row.id)
        message = Message(note.id, note.channel, recipient_of(note), note.text)
        try:
            sender(message)
        except Exception as exc:  # noqa: BLE001 - any failure means: try again later
            with write_transaction(session):
                session.execute(
                    update(Notification)
                    .where(Notification.id == row.id)
                    .values(
                        next_attempt_at=now + backoff(row.attempts + 1), last_error=str(exc)[:500]
                    )
                    .execution_options(synchronize_session=False)
                )
            log.warning("notification %s failed (attempt %s): %s", row.id, row.attempts + 1, exc)
            continue
        with write_transaction(session):
            session.execute(
                update(Notification)
                .where(Notification.id == row.id)
                .values(state="delivered", delivered_at=now)
                .execution_options(synchronize_session=False)
            )
        delivered += 1
    return delivered


def inbox_recipients(user_id: int, role: str, department_id: int | None) -> list[str]:
    """The in-app addresses a user reads: their own, their role's and their department's."""
    recipients = [f"user:{user_id}", f"role:{role}"]
    # Every account may name its unit; only department staff read the unit's notices.
    if department_id is not None and allows(role, Permission.HANDLE_ORDERS):
        recipients.append(f"department:{department_id}")
    if allows(role, Permission.WORK_DESK):
        recipients.append("department:desk")  # overdue orders that have no department
    return recipients


def inbox(session: Session, recipients: list[str], limit: int = 100) -> list[Notification]:
    """The latest in-app notices for these addresses."""
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.channel == "in_app", Notification.recipient.in_(recipients))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )
