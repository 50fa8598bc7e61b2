"""The append-only audit trail of every state change."""

from datetime import datetime

from sqlalchemy import DDL, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.database import UTCDateTime
from hotline.plugins import db


class AuditEvent(db.Model):
    """Who did what to which order, when, from which state to which."""

    __tablename__ = "audit_events"
    # The report counts returns (退单) in a period from here.
    __table_args__ = (Index("ix_audit_events_action_at", "action", "at", "actor_id", "order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")

    actor = relationship("User", lazy="joined")


def append_only_ddl(table: str) -> dict[str, list[str]]:
    """The triggers that make `table` append-only, per dialect (the migrations hold copies)."""
    return {
        "sqlite": [
            f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
            f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
        ],
        "postgresql": [
            f"""CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION {table}_append_only()""",
            f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()""",
        ],
    }


def make_append_only(table) -> None:
    """The database itself refuses to change history (tables made by create_all)."""
    for dialect, statements in append_only_ddl(table.name).items():
        for sql in statements:
            event.listen(table, "after_create", DDL(sql).execute_if(dialect=dialect))


make_append_only(AuditEvent.__table__)
