"""The gazetteer (地名库): named places, their search keys and the candidates that
operators' confirmed locations propose."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.database import UTCDateTime
from hotline.plugins import db

# Keys compare by code point on both databases, so that `prefix <= key < bound` is exactly
# "starts with": SQLite's BINARY does; PostgreSQL needs the C collation (a language's
# collation orders Chinese differently and would cut a prefix range).
KEY_TYPE = String(64).with_variant(String(64, collation="C"), "postgresql")


class Place(db.Model):
    """A named place: a 小区, school, hospital, market, bus stop, junction, road."""

    __tablename__ = "places"
    __table_args__ = (
        # Reverse lookup reads the grid's cells around a point (core/places/grid.py).
        Index("ix_places_cell", "cell_y", "cell_x"),
        # An import finds the place it updates by name and district.
        Index("ix_places_name_district", "name", "district"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    aliases: Mapped[str] = mapped_column(Text, default="")  # separated by "|"
    kind: Mapped[str] = mapped_column(String(16))  # core/places/keys.PlaceKind
    lon: Mapped[float]
    lat: Mapped[float]
    cell_x: Mapped[int]
    cell_y: Mapped[int]
    district: Mapped[str] = mapped_column(String(32), default="")
    weight: Mapped[int] = mapped_column(default=0)  # popularity: the ranking's tie-break
    source: Mapped[str] = mapped_column(String(12), default="import")  # import, order, demo
    synthetic: Mapped[bool] = mapped_column(default=False)  # demo places
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PlaceKey(db.Model):
    """One search key of a place and how it matches (core/places/keys.MatchKind)."""

    __tablename__ = "place_keys"
    # The primary key (match, key, place_id) is the suggestion's index: a range of keys of
    # one match kind, read in key order, place ids included.
    __table_args__ = (Index("ix_place_keys_place", "place_id"),)

    match: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    key: Mapped[str] = mapped_column(KEY_TYPE, primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), primary_key=True)


class PlaceCandidate(db.Model):
    """A location an operator confirmed on an order (typed address and point), waiting for
    an administrator to accept it as a named place or reject it."""

    __tablename__ = "place_candidates"
    __table_args__ = (Index("ix_place_candidates_state", "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(200))
    lon: Mapped[float]
    lat: Mapped[float]
    district_code: Mapped[str | None] = mapped_column(String(12))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    state: Mapped[str] = mapped_column(String(10), default="new")  # new, accepted, rejected
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
