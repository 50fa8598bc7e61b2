"""API clients and their keys, idempotency records and rate-limit counters."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.database import UTCDateTime
from hotline.plugins import db


class ApiClient(db.Model):
    """An Open311 client (an app, a mini-program, another government system) and its key."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    # SHA-256 of a 32-byte random key: a slow hash buys nothing for keys this long.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IdempotencyRecord(db.Model):
    """The order a client's Idempotency-Key already created."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("client_id", "key", name="uq_idempotency_client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id"))
    key: Mapped[str] = mapped_column(String(128))
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RateCounter(db.Model):
    """Requests counted per bucket (a key, an IP) in a fixed window starting at `window`."""

    __tablename__ = "rate_counters"
    __table_args__ = (Index("ix_rate_counters_window", "window"),)

    bucket: Mapped[str] = mapped_column(String(128), primary_key=True)
    window: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class CategoryAttribute(db.Model):
    """An extra question of a category (Open311 service definition attribute)."""

    __tablename__ = "category_attributes"
    __table_args__ = (UniqueConstraint("category_id", "code", name="uq_category_attribute"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    code: Mapped[str] = mapped_column(String(32))
    datatype: Mapped[str] = mapped_column(String(16))  # string number datetime text singlevaluelist
    required: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str] = mapped_column(String(255))
    order: Mapped[int] = mapped_column(default=1)
    values_json: Mapped[str] = mapped_column(Text, default="[]")  # [{"key":..,"name":..}]
