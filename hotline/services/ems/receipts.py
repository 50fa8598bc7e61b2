"""Idempotency-Keys of the vehicle terminals: a change and its receipt in one transaction.

A terminal queues its updates while offline and sends each with a key; when the answer is
lost on a bad connection it sends the same update again. The first request claims the key
(a row of `terminal_receipts`), makes the change and stores its answer, all in one
transaction; a repeated key gets the stored answer and changes nothing. The receipt keeps a
digest of its request (method, path and body): a key sent again with another request is
refused (`idempotency_key_reused`), never answered with the first request's answer.

The change runs on a session of its own, joined to an outer transaction with savepoints:
the services it calls commit as usual (`write_transaction`), but those commits only release
savepoints, so the change and the receipt are committed together or not at all.
"""

import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.database import write_intent
from hotline.models import TerminalReceipt
from hotline.services.errors import ServiceError, ValidationFailed

KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
# The status a claimed key has until its change is done (never seen outside the transaction).
_CLAIMED = 0

Answer = tuple[int, dict]


def valid_key(key: str) -> bool:
    """1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'."""
    return KEY_PATTERN.fullmatch(key) is not None


def request_digest(method: str, path: str, body: bytes) -> str:
    """SHA-256 (hex) of a request's method, path and raw body."""
    digest = hashlib.sha256(f"{method.upper()} {path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def stored(session: Session, vehicle_id: int, key: str, digest: str) -> Answer | None:
    """The stored answer for this vehicle's key, if the key was used; ServiceError
    `idempotency_key_reused` when it was used for another request than `digest`'s."""
    row = session.execute(
        select(
            TerminalReceipt.status_code, TerminalReceipt.body, TerminalReceipt.request_digest
        ).where(TerminalReceipt.vehicle_id == vehicle_id, TerminalReceipt.key == key)
    ).first()
    if row is None or row.status_code == _CLAIMED:
        return None
    # Receipts from before the digest was kept have "": they answer as they always did.
    if row.request_digest and row.request_digest != digest:
        raise ServiceError("idempotency_key_reused")
    return row.status_code, json.loads(row.body)


def answered(
    session: Session,
    vehicle_id: int,
    key: str | None,
    do: Callable[[Session], Answer],
    *,
    now: datetime,
    digest: str,
) -> Answer:
    """`do(s)`'s answer, made at most once per (vehicle, key) for the request whose
    `request_digest` is `digest`: `do` must read and write through the session `s` it is
    given (its services may commit: that releases a savepoint). Without a key, `do(session)`
    simply runs. An error raised by `do` changes nothing and is not stored (the same update
    may be sent again)."""
    if key is None:
        return do(session)
    if not valid_key(key):
        raise ValidationFailed({"idempotency_key": "invalid"})
    if (answer := stored(session, vehicle_id, key, digest)) is not None:
        return answer
    session.commit()  # end the request's read snapshot: the change must see the latest data
    try:
        return _once(session, vehicle_id, key, digest, do, now)
    except IntegrityError:
        # Another request claimed the key first and committed: its answer is the answer.
        session.rollback()
        if (answer := stored(session, vehicle_id, key, digest)) is not None:
            return answer
        raise


def _once(
    session: Session,
    vehicle_id: int,
    key: str,
    digest: str,
    do: Callable[[Session], Answer],
    now: datetime,
) -> Answer:
    """Claim the key, run the change and store its answer in one outer transaction."""
    with write_intent(), session.get_bind().connect() as connection:
        outer = connection.begin()
        inner = Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            # The claim first: a concurrent request with the same key waits on this row
            # (PostgreSQL's unique index) until we commit, then fails and re-reads.
            inner.add(
                TerminalReceipt(
                    vehicle_id=vehicle_id,
                    key=key,
                    request_digest=digest,
                    status_code=_CLAIMED,
                    body="",
                    created_at=now,
                )
            )
            inner.flush()
            inner.commit()
            status, body = do(inner)
            inner.execute(
                update(TerminalReceipt)
                .where(TerminalReceipt.vehicle_id == vehicle_id, TerminalReceipt.key == key)
                .values(status_code=status, body=json.dumps(body, ensure_ascii=False))
            )
            inner.commit()
            outer.commit()
        except BaseException:
            outer.rollback()
            raise
        finally:
            inner.close()
    return status, body
