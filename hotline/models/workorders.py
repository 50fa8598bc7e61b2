"""Work orders and their daily number sequence."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.core.orders.workflow import State
from hotline.database import UTCDateTime
from hotline.encryption import Sealed, phone_index
from hotline.plugins import db


class OrderSequence(db.Model):
    """The last order number handed out on one local day."""

    __tablename__ = "order_sequences"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class WorkOrder(db.Model):
    """One citizen matter, from intake to closure."""

    __tablename__ = "work_orders"
    __table_args__ = (
        Index("ix_work_orders_department_state_due", "department_id", "state", "due_at"),
        Index("ix_work_orders_state_due", "state", "due_at"),
        # The deadline sweep asks: open, escalated below level N, and past a time.
        Index("ix_work_orders_sweep_due", "state", "escalation_level", "due_at"),
        Index("ix_work_orders_sweep_warn", "state", "escalation_level", "warn_at"),
        Index("ix_work_orders_created_at", "created_at"),  # the search page's newest first
        # Statistics reports group a period's orders by these columns: read from the index
        # alone, never from the (wide) table.
        Index(
            "ix_work_orders_report",
            "created_at",
            "order_type",
            "channel",
            "category_id",
            "district_id",
            "department_id",
            "state",
        ),
        # The same for a district's report (and a district's orders on the search page).
        Index(
            "ix_work_orders_district_report",
            "district_id",
            "created_at",
            "order_type",
            "channel",
            "category_id",
            "department_id",
            "state",
        ),
        Index(
            "ix_work_orders_routed",
            "routed_at",
            "department_id",
            "district_id",
            "accepted_in_time",
        ),
        Index("ix_work_orders_due", "due_at", "state", "department_id", "district_id", "closed_at"),
        # Handling times: orders closed in a period, dispatch and closure times.
        Index(
            "ix_work_orders_closed",
            "state",
            "closed_at",
            "department_id",
            "district_id",
            "routed_at",
        ),
        # Survey figures join to their order for its department and district only.
        Index("ix_work_orders_owner", "id", "department_id", "district_id"),
        # A caller's orders (search, repeat callers) by the phone's blind index.
        Index("ix_work_orders_caller_phone_index_created", "caller_phone_index", "created_at"),
        # Duplicate candidates (并单) and the hotspot run (热点): a category's orders in a time
        # window with their points, read from the index alone.
        Index("ix_work_orders_duplicates", "category_id", "created_at", "lat", "lon", "id"),
        # Open311's list: the published orders, newest first, page after page (keyset).
        Index("ix_work_orders_published", "publication_consent", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    version: Mapped[int] = mapped_column(default=1)

    channel: Mapped[str] = mapped_column(String(16))
    order_type: Mapped[str] = mapped_column(String(16))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    description: Mapped[str] = mapped_column(Text)

    # The caller's identity is sealed at rest (SM4-GCM); the phone is found by its blind
    # index (HMAC-SM3), which `caller_phone` keeps in step (see the listener below).
    caller_phone: Mapped[str | None] = mapped_column(Sealed("work_orders.caller_phone"))
    caller_phone_index: Mapped[str | None] = mapped_column(String(64))
    caller_name: Mapped[str] = mapped_column(Sealed("work_orders.caller_name"), default="")
    caller_address: Mapped[str] = mapped_column(Sealed("work_orders.caller_address"), default="")
    confidential: Mapped[bool] = mapped_column(default=False)

    lon: Mapped[float | None]
    lat: Mapped[float | None]
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    # Where the matter is: the 街乡镇's official code (None: not known).
    street_code: Mapped[str | None] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(255), default="")
    caller_email: Mapped[str] = mapped_column(Sealed("work_orders.caller_email"), default="")
    media_url: Mapped[str] = mapped_column(String(1000), default="")
    attributes_json: Mapped[str] = mapped_column(Text, default="{}")
    # Which API client sent it (Open311), or "mailbox" for the public web mailbox.
    source: Mapped[str] = mapped_column(String(64), default="")

    state: Mapped[str] = mapped_column(String(24), default=State.REGISTERED.value)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    routing_reason: Mapped[str] = mapped_column(String(32), default="")
    time_limit: Mapped[int]
    time_limit_unit: Mapped[str] = mapped_column(String(16), default="working_days")
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    warning_percent: Mapped[int] = mapped_column(default=80)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # 临期预警 starts here
    escalation_level: Mapped[int] = mapped_column(default=0)
    return_count: Mapped[int] = mapped_column(default=0)
    reopen_count: Mapped[int] = mapped_column(default=0)  # 重办 after a survey
    transfer_count: Mapped[int] = mapped_column(default=0)  # 转办 from unit to unit
    # "pending": returned or transferred too often, a supervisor decides where it goes;
    # "decided": the supervisor did, and the unit may no longer return or transfer it.
    arbitration: Mapped[str] = mapped_column(String(12), default="")
    # Accepted (签收) within the response limit of its (last) dispatch: the 响应率 numerator.
    accepted_in_time: Mapped[bool] = mapped_column(default=False)
    # A confidential reporter agreed to be called back (回访).
    survey_consent: Mapped[bool] = mapped_column(default=False)
    # Open311 GET shows the order: it came in through Open311, or the caller agreed at intake.
    publication_consent: Mapped[bool] = mapped_column(default=False)
    # What Open311 publishes instead of the description (written by the operator or the
    # department); empty: nothing.
    public_summary: Mapped[str] = mapped_column(Text, default="")

    intake_answer: Mapped[str] = mapped_column(Text, default="")
    reply_text: Mapped[str] = mapped_column(Text, default="")

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    routed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 并单: the order this one was merged into (it follows that order's state).
    master_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"), index=True)
    # Demo data is marked so that nobody mistakes it for real calls.
    synthetic: Mapped[bool] = mapped_column(default=False)

    category = relationship("Category", lazy="joined")
    department = relationship("Department", lazy="joined")
    district = relationship("District", lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def state_enum(self) -> State:
        """The state as an enum."""
        return State(self.state)


@event.listens_for(WorkOrder.caller_phone, "set")
def _index_the_phone(order: WorkOrder, value: str | None, _old, _initiator) -> None:
    """Setting the phone through the ORM sets its blind index too (bulk writes set both)."""
    order.caller_phone_index = phone_index(value)
