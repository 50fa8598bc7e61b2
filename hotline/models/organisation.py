"""Districts, departments, the category tree and routing rules."""

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.plugins import db


class District(db.Model):
    """A jurisdiction polygon (GeoJSON geometry in WGS84)."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    geometry_geojson: Mapped[str] = mapped_column(Text)
    label_lon: Mapped[float | None]
    label_lat: Mapped[float | None]
    population: Mapped[int | None]


class Department(db.Model):
    """A unit that handles orders (承办单位), one tree: a district-level or city-level body,
    a 街乡镇 (level "street", its official 9-digit code) under its district, or a sub-unit
    (科室, 社区/村) under either (`parent_id`)."""

    __tablename__ = "departments"
    __table_args__ = (Index("ix_departments_kind_district", "kind", "district_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    active: Mapped[bool] = mapped_column(default=True)
    level: Mapped[str] = mapped_column(String(16), default="body")  # core/units/kinds.LEVELS
    # The official statistical division code of a 街乡镇 (110105004) or 社区/村 (12 digits).
    code: Mapped[str | None] = mapped_column(String(16), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    # A 街乡镇's boundary (GeoJSON, WGS84) once imported: then the point decides the unit.
    geometry_geojson: Mapped[str | None] = mapped_column(Text, deferred=True)

    district = relationship("District", lazy="joined")


class Category(db.Model):
    """A two-level tree: major categories have no parent; minor ones carry the routing kind."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    department_kind: Mapped[str | None] = mapped_column(String(64))
    time_limit: Mapped[int | None]
    time_limit_unit: Mapped[str] = mapped_column(String(16), default="working_days")
    keywords: Mapped[str] = mapped_column(String(255), default="")
    active: Mapped[bool] = mapped_column(default=True)
    # 热点 thresholds of this category (None: the defaults of core/hotspots/clusters.Rule).
    hotspot_min_orders: Mapped[int | None]
    hotspot_radius_m: Mapped[int | None]
    hotspot_window_hours: Mapped[int | None]

    parent = relationship("Category", remote_side=[id], lazy="joined")
    # 并单: the admin's candidate rule of this category, if any (models/duplicates.py).
    duplicate_rule = relationship("DuplicateRule", uselist=False, lazy="select", viewonly=True)

    @property
    def duplicate_radius_m(self) -> int | None:
        """The 并单 rule's radius (None: the default), as the admin form shows it."""
        return self.duplicate_rule.radius_m if self.duplicate_rule else None

    @property
    def duplicate_window_hours(self) -> int | None:
        """The 并单 rule's window in hours (None: the default)."""
        return self.duplicate_rule.window_hours if self.duplicate_rule else None


class RoutingRule(db.Model):
    """An explicit rule: this category (in this district, or anywhere) goes to that department."""

    __tablename__ = "routing_rules"
    __table_args__ = (UniqueConstraint("category_id", "district_id", name="uq_routing_rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))

    category = relationship("Category", lazy="joined")
    district = relationship("District", lazy="joined")
    department = relationship("Department", lazy="joined")


class TransferRule(db.Model):
    """An admin's permission for one unit to transfer orders straight to another (转办),
    instead of returning them to the desk (退单)."""

    __tablename__ = "transfer_rules"
    __table_args__ = (
        UniqueConstraint("from_department_id", "to_department_id", name="uq_transfer_rule"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    to_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))

    from_department = relationship("Department", foreign_keys=[from_department_id], lazy="joined")
    to_department = relationship("Department", foreign_keys=[to_department_id], lazy="joined")
