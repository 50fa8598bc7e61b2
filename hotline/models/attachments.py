"""Files on a work order: photos and documents at intake, and the unit's handling proof."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.database import UTCDateTime
from hotline.plugins import db


class Attachment(db.Model):
    """One stored file: its bytes are on disk under ATTACHMENTS_DIR by `stored_name`."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # core.orders.attachments.AttachmentKind
    original_name: Mapped[str] = mapped_column(String(128))  # sanitised, for display only
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)  # a random token
    media_type: Mapped[str] = mapped_column(String(64))  # from the content
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    has_thumbnail: Mapped[bool] = mapped_column(Boolean, default=False)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location_kept: Mapped[bool] = mapped_column(Boolean, default=False)  # EXIF GPS kept

    uploaded_by = relationship("User", lazy="joined")
