"""The phone line: agents (people with a phone extension) and call records."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.database import UTCDateTime
from hotline.encryption import Sealed, phone_index
from hotline.plugins import db


class Agent(db.Model):
    """A person's phone extension, SIP credential, queues and state (坐席)."""

    __tablename__ = "agents"
    __table_args__ = (
        # The distribution's question: agents ready (or in after-call work), longest waiting
        # first, from the index alone in that order (partial: only those two states).
        Index(
            "ix_agents_waiting",
            "ready_since",
            "user_id",
            sqlite_where=text("state IN ('ready', 'after_call')"),
            postgresql_where=text("state IN ('ready', 'after_call')"),
        ),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    extension: Mapped[str] = mapped_column(String(16), unique=True)
    # The SIP digest's HA1 (md5 of extension:realm:password): what Kamailio checks, never
    # the password itself; sealed at rest, since it opens the extension.
    ha1: Mapped[str] = mapped_column(Sealed("agents.ha1"))
    skills: Mapped[str] = mapped_column(String(64), default="")  # core/telephony Skill, ","
    # Compare-and-set on every change, so that two calls never ring one agent.
    version: Mapped[int] = mapped_column(default=1)
    state: Mapped[str] = mapped_column(String(16), default="signed_out")  # AgentState
    state_since: Mapped[datetime] = mapped_column(UTCDateTime)
    break_reason: Mapped[str] = mapped_column(String(60), default="")
    # Since when the agent waits for a call: the order of the distribution.
    ready_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    after_call_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    # Until when the phone's registration with Kamailio holds (None: not registered).
    registered_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    credential_issued_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user = relationship("User", lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class Call(db.Model):
    """One call: its way through the queue, who answered, how it ended, and what it
    produced (an order or a 120 incident)."""

    __tablename__ = "calls"
    __table_args__ = (
        # The queue: waiting calls of a queue, first in first out.
        Index("ix_calls_queue_state_queued", "queue", "state", "queued_at"),
        # The records' search and figures by period.
        Index("ix_calls_queued_at", "queued_at"),
        Index("ix_calls_caller_index", "caller_index", "queued_at"),
        # The call figures of a period (KPI page, wallboard, report), summed from it alone.
        Index(
            "ix_calls_figures",
            "queued_at",
            "direction",
            "queue",
            "agent_id",
            "outcome",
            "answered_at",
            "ended_at",
        ),
        # Retention: ended calls older than the period (caller's number anonymised).
        Index("ix_calls_state_queued", "state", "queued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sip_call_id: Mapped[str] = mapped_column(String(255), unique=True)
    version: Mapped[int] = mapped_column(default=1)
    direction: Mapped[str] = mapped_column(String(8), default="in")  # in / out
    queue: Mapped[str] = mapped_column(String(16))  # core/telephony Skill
    # The citizen's number: the caller of an incoming call, the number an agent's
    # click-to-call dials for an outgoing one (`called` is then the agent's extension).
    caller: Mapped[str] = mapped_column(Sealed("calls.caller"))
    caller_index: Mapped[str | None] = mapped_column(String(64))
    called: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(12))  # CallState
    outcome: Mapped[str | None] = mapped_column(String(16))  # Outcome, once ended
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first ring
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offers: Mapped[int] = mapped_column(default=0)  # how many phones rang
    # The agent whose phone rings now, then the one who answered.
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    flagged: Mapped[bool] = mapped_column(default=False)  # under a malicious-caller lock
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    recording: Mapped[str | None] = mapped_column(String(255))  # file name under the folder
    # Completed from Kamailio's accounting, not from the live events (the app was down).
    reconciled: Mapped[bool] = mapped_column(default=False)
    # Click to call: the digest of the one-use token the agent's phone dials, until when.
    dial_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    dial_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 回拨: the missed call (abandoned or refused) an outgoing call returns.
    returns_call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)

    agent = relationship("User", lazy="joined")
    order = relationship("WorkOrder", lazy="select")

    __mapper_args__ = {"version_id_col": version}

    def set_caller(self, number: str) -> None:
        """The caller's number and its blind index together."""
        self.caller = number
        self.caller_index = phone_index(number)
