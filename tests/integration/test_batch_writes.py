"""The batch writers write what the single-row ones write; the intake row is complete."""

from datetime import timedelta, timezone

import pytest
from sqlalchemy import event, select

from hotline.core.accounts.roles import Role
from hotline.database import column_defaults, write_transaction
from hotline.encryption import unseal
from hotline.models import AuditEvent, Notification, WorkOrder
from hotline.plugins import db
from hotline.services import audit
from hotline.services.notifications import outbox
from tests import factories
from tests.factories import NOW

# The same moment in Beijing's offset: both writers must store it as UTC.
LATER = (NOW + timedelta(hours=1)).astimezone(timezone(timedelta(hours=8)))


def _stored(table, order_id: int, since_id: int) -> list[dict]:
    """The rows for one order written after `since_id`, in order, without their ids."""
    rows = db.session.execute(
        select(table).where(table.c.order_id == order_id, table.c.id > since_id).order_by("id")
    ).all()
    return [{k: v for k, v in row._mapping.items() if k != "id"} for row in rows]


def _last_id(table) -> int:
    return db.session.scalar(select(table.c.id).order_by(table.c.id.desc()).limit(1)) or 0


def test_record_many_writes_the_rows_that_record_writes(any_app):
    with any_app.app_context():
        order = factories.order()
        actor = factories.user(Role.DESK)
        events = [
            (order.id, None, "escalate", "routed", "routed", "warning"),
            (order.id, actor.id, "remark", None, "routed", ""),
        ]
        table = AuditEvent.__table__
        start = _last_id(table)
        with write_transaction(db.session):
            for order_id, actor_id, action, from_state, to_state, note in events:
                audit.record(
                    db.session,
                    order_id=order_id,
                    actor_id=actor_id,
                    action=action,
                    from_state=from_state,
                    to_state=to_state,
                    now=LATER,
                    note=note,
                )
        middle = _last_id(table)
        with write_transaction(db.session):
            audit.record_many(db.session, events=events, now=LATER)
        single, batch = _stored(table, order.id, start), _stored(table, order.id, middle)
        assert single[: len(events)] == batch
        assert [row["at"] for row in batch] == [LATER, LATER]  # read back as aware UTC
        assert batch[1]["note"] == ""


def test_enqueue_many_writes_the_rows_that_enqueue_writes(any_app):
    with any_app.app_context():
        order = factories.order()
        messages = [
            ("in_app", "role:supervisor", "工单超期", order.id),
            ("sms", "1" * 200, "百分号 100% 不是参数", order.id),
        ]
        table = Notification.__table__
        start = _last_id(table)
        with write_transaction(db.session):
            for channel, recipient, text, order_id in messages:
                outbox.enqueue(
                    db.session,
                    channel=channel,
                    recipient=recipient,
                    text=text,
                    now=LATER,
                    order_id=order_id,
                )
        middle = _last_id(table)
        with write_transaction(db.session):
            outbox.enqueue_many(db.session, messages=messages, now=LATER)
        single, batch = _stored(table, order.id, start), _stored(table, order.id, middle)
        # The SMS recipient is sealed (a fresh nonce each time): compare it opened.
        for row in (*single, *batch):
            if row["channel"] == "sms":
                row["recipient"] = unseal(row["recipient"], outbox.RECIPIENT)
        assert single[: len(messages)] == batch
        assert batch[0]["recipient"] == "role:supervisor"
        assert batch[1]["recipient"] == "1" * 32  # a phone number is short: cut, then sealed
        assert {(r["state"], r["attempts"], r["last_error"], r["delivered_at"]) for r in batch} == {
            ("pending", 0, "", None)
        }
        assert {(r["next_attempt_at"], r["created_at"]) for r in batch} == {(LATER, LATER)}
        delivered = []
        assert (
            outbox.deliver_due(db.session, sender=delivered.append, now=LATER) == 5
        )  # + the SMS receipt
        assert {m.text for m in delivered} >= {"工单超期", "百分号 100% 不是参数"}


def test_batch_writers_refuse_naive_times(app):
    with app.app_context():
        order = factories.order()
        remark = (order.id, None, "remark", None, "routed", "")
        with pytest.raises(ValueError, match="naive"), write_transaction(db.session):
            audit.record_many(db.session, events=[remark], now=NOW.replace(tzinfo=None))


def test_the_intake_row_names_every_column_and_keeps_the_defaults(any_app):
    inserts = []

    def capture(_conn, _cursor, statement, _params, context, _executemany) -> None:
        if statement.startswith("INSERT INTO work_orders"):
            inserts.append(context.compiled_parameters[0])

    with any_app.app_context():
        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            order = factories.order(caller_name=None, address=None)
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)
        table = WorkOrder.__table__
        assert len(inserts) == 1
        assert set(inserts[0]) == {column.key for column in table.columns} - {"id"}
        # What this call and its routing decide; every other column holds its default.
        decided = {"caller_phone", "caller_phone_index", "lon", "lat", "district_id", "state"}
        decided |= {"department_id"}
        decided |= {"routing_reason", "warn_at", "routed_at", "warning_percent"}
        stored = db.session.execute(select(table).where(table.c.id == order.id)).one()._mapping
        expected = {k: v for k, v in column_defaults(table).items() if k not in decided}
        assert {k: stored[k] for k in expected} == expected
