"""Attachments on work orders: check, clean and store uploaded files; find them again for
a user who may see the order.

Images are decoded and re-encoded with Pillow, which drops every piece of metadata (EXIF
with its GPS location, XMP, comments); a thumbnail is stored beside them. PDFs are stored as
they are after the magic check (they are served as downloads, never inline). Files are on
disk under ATTACHMENTS_DIR by a random name; the database holds what the pages show.
"""

import hashlib
import io
import os
import secrets
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.accounts.roles import Role
from hotline.core.orders import attachments as rules
from hotline.core.orders.attachments import AttachmentError, AttachmentKind, Incoming, MediaType
from hotline.core.orders.audit_actions import AuditAction
from hotline.core.orders.workflow import OPEN_STATES
from hotline.database import write_transaction
from hotline.models import Attachment, User, WorkOrder
from hotline.services import audit
from hotline.services.errors import NotFound, ValidationFailed
from hotline.services.orders import queries

FIELD = "attachments"  # the form field, and the key of ValidationFailed's errors
_PIL_FORMATS = {"JPEG": MediaType.JPEG, "PNG": MediaType.PNG, "WEBP": MediaType.WEBP}
_SAVE = {
    MediaType.JPEG: {"format": "JPEG", "quality": 88},
    MediaType.PNG: {"format": "PNG"},
    MediaType.WEBP: {"format": "WEBP", "quality": 88},
}


def folder(config: Mapping[str, Any], instance_path: str) -> Path:
    """Where the files are: ATTACHMENTS_DIR, else instance/attachments (created 0700)."""
    root = Path(config.get("ATTACHMENTS_DIR") or Path(instance_path) / "attachments")
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


@dataclass(frozen=True)
class Prepared:
    """One checked file, cleaned and ready to store."""

    name: str
    media_type: MediaType
    data: bytes
    thumbnail: bytes | None
    width: int | None
    height: int | None
    location_kept: bool


def prepare(
    files: list[Incoming],
    *,
    kind: AttachmentKind,
    keep_location: bool = False,
    max_bytes: int = rules.MAX_BYTES,
    confidential: bool = False,
) -> list[Prepared]:
    """Check every file by its content and clean the images; ValidationFailed for the first
    refusal, before anything is stored. A confidential report takes photos only: a PDF is
    stored as it came, and its metadata (author, creator) could name the reporter."""
    try:
        types = rules.check(files, max_bytes=max_bytes)
        if confidential and kind is AttachmentKind.INTAKE and MediaType.PDF in types:
            raise ValidationFailed({FIELD: "pdf_confidential"})
        keep = rules.may_keep_location(kind, keep_location)
        return [_prepare_one(f, t, keep) for f, t in zip(files, types, strict=True)]
    except AttachmentError as exc:
        raise ValidationFailed({FIELD: exc.code}) from exc


def _prepare_one(incoming: Incoming, media_type: MediaType, keep_location: bool) -> Prepared:
    name = rules.display_name(incoming.name, media_type)
    if media_type is MediaType.PDF:
        return Prepared(name, media_type, incoming.data, None, None, None, False)
    image, gps = _decode(incoming, media_type)
    data = _encode(image, media_type, gps if keep_location else None)
    thumb = image.copy()
    thumb.thumbnail((rules.THUMBNAIL_PX, rules.THUMBNAIL_PX))
    return Prepared(
        name,
        media_type,
        data,
        _encode(thumb, media_type, None),
        image.width,
        image.height,
        keep_location and bool(gps),
    )


def _decode(incoming: Incoming, media_type: MediaType) -> tuple[Image.Image, dict]:
    """The image upright, and its GPS tags; AttachmentError when it is no image of the type
    its first bytes claim, cannot be decoded, or would decode to too many pixels."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(incoming.data))
            if _PIL_FORMATS.get(image.format or "") is not media_type:
                raise AttachmentError("file_type_refused", incoming.name)
            # Checked before decoding: the header's size alone tells a bomb.
            if image.width * image.height > rules.MAX_PIXELS:
                raise AttachmentError("image_too_large", incoming.name)
            image.load()
            gps = dict(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))
            # The EXIF orientation goes with the metadata: turn the pixels instead.
            upright = ImageOps.exif_transpose(image)
    except AttachmentError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise AttachmentError("image_too_large", incoming.name) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise AttachmentError("image_unreadable", incoming.name) from exc
    return upright, gps


def _encode(image: Image.Image, media_type: MediaType, gps: dict | None) -> bytes:
    """The pixels alone in a new file (no EXIF, XMP, ICC or text chunks), or with the GPS
    tags only when the unit chose to keep the location."""
    if media_type is MediaType.JPEG and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif media_type is MediaType.WEBP and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    options = dict(_SAVE[media_type])
    if gps:
        exif = Image.Exif()
        exif[ExifTags.IFD.GPSInfo] = gps
        options["exif"] = exif
    out = io.BytesIO()
    image.save(out, **options)
    return out.getvalue()


def _write(root: Path, relative: str, data: bytes) -> None:
    """Write a file atomically (a temporary file, then rename) with mode 0600."""
    target = root / relative
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _relative(stored_name: str, thumbnail: bool = False) -> str:
    """Two levels of folders from the random name, so no folder holds too many files."""
    suffix = ".thumb" if thumbnail else ""
    return f"{stored_name[:2]}/{stored_name[2:4]}/{stored_name}{suffix}"


def store(
    session: Session,
    *,
    order: WorkOrder,
    prepared: list[Prepared],
    kind: AttachmentKind,
    actor: User,
    now: datetime,
    root: Path,
) -> list[Attachment]:
    """Write the files, then their rows and one audit event in one transaction (the files
    are removed again when it fails)."""
    if not prepared:
        return []
    written: list[Path] = []
    rows = []
    try:
        for item in prepared:
            token = secrets.token_hex(16)
            _write(root, _relative(token), item.data)
            written.append(root / _relative(token))
            if item.thumbnail is not None:
                _write(root, _relative(token, True), item.thumbnail)
                written.append(root / _relative(token, True))
            rows.append(_row(order, item, token, kind, actor, now))
        if order.confidential:
            # A file's own name may name the reporter ("举报人张三.jpg"): never kept, and
            # never in the append-only audit note.
            for number, row in enumerate(rows, start=1):
                row.original_name = f"附件{number}{Path(row.original_name).suffix}"
        with write_transaction(session):
            session.add_all(rows)
            note = ", ".join(f"{r.original_name} ({_kb(r.size)})" for r in rows)
            prefix = "处置材料" if kind is AttachmentKind.PROOF else "受理材料"
            audit.note_event(
                session,
                order=order,
                actor_id=actor.id,
                action=AuditAction.ATTACH,
                now=now,
                note=f"{prefix}: {note}",
            )
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return rows


def _kb(size: int) -> str:
    return f"{max(1, round(size / 1024))} KB"


def _row(
    order: WorkOrder, item: Prepared, token: str, kind: AttachmentKind, actor: User, now: datetime
) -> Attachment:
    return Attachment(
        order_id=order.id,
        kind=kind.value,
        original_name=item.name,
        stored_name=token,
        media_type=item.media_type.value,
        size=len(item.data),
        width=item.width,
        height=item.height,
        has_thumbnail=item.thumbnail is not None,
        sha256=hashlib.sha256(item.data).hexdigest(),
        uploaded_by_id=actor.id,
        uploaded_at=now,
        location_kept=item.location_kept,
    )


def add(
    session: Session,
    *,
    order: WorkOrder,
    files: list[Incoming],
    kind: AttachmentKind,
    actor: User,
    now: datetime,
    root: Path,
    keep_location: bool = False,
    max_bytes: int = rules.MAX_BYTES,
) -> list[Attachment]:
    """Check, clean and store files on an order (the caller has checked who may)."""
    prepared = prepare(
        files,
        kind=kind,
        keep_location=keep_location,
        max_bytes=max_bytes,
        confidential=order.confidential,
    )
    return store(
        session, order=order, prepared=prepared, kind=kind, actor=actor, now=now, root=root
    )


def add_at_desk(
    session: Session,
    *,
    actor_id: int,
    number: str,
    files: list[Incoming],
    now: datetime,
    root: Path,
    max_bytes: int = rules.MAX_BYTES,
) -> list[Attachment]:
    """The operator's or desk's files for an open order they may see (kind intake)."""
    roles = frozenset({Role.OPERATOR, Role.DESK, Role.SUPERVISOR})
    actor, order = queries.load_for_action(session, actor_id=actor_id, number=number, roles=roles)
    if order.state_enum not in OPEN_STATES:
        raise ValidationFailed({FIELD: "attachments_order_closed"})
    if not files:
        raise ValidationFailed({FIELD: "no_file"})
    return add(
        session,
        order=order,
        files=files,
        kind=AttachmentKind.INTAKE,
        actor=actor,
        now=now,
        root=root,
        max_bytes=max_bytes,
    )


def for_order(session: Session, order: WorkOrder) -> dict[str, list[Attachment]]:
    """The order's attachments by kind (intake first, then proof), oldest first."""
    found: dict[str, list[Attachment]] = {k.value: [] for k in AttachmentKind}
    query = select(Attachment).where(Attachment.order_id == order.id).order_by(Attachment.id)
    for row in session.scalars(query):
        found.setdefault(row.kind, []).append(row)
    return found


def open_file(
    session: Session,
    *,
    actor: User,
    number: str,
    attachment_id: int,
    root: Path,
    thumbnail: bool = False,
) -> tuple[Attachment, Path]:
    """An attachment and its file, for a user who may see its order (the order page's rule);
    NotFound otherwise, and for a thumbnail that a PDF does not have."""
    order = queries.get_order(session, actor=actor, number=number)
    row = session.scalar(
        select(Attachment).where(Attachment.id == attachment_id, Attachment.order_id == order.id)
    )
    if row is None or (thumbnail and not row.has_thumbnail):
        raise NotFound()
    path = root / _relative(row.stored_name, thumbnail)
    if not path.is_file():
        raise NotFound()
    return row, path


def store_on(
    session: Session,
    *,
    actor_id: int,
    number: str,
    prepared: list[Prepared],
    kind: AttachmentKind,
    now: datetime,
    root: Path,
) -> list[Attachment]:
    """Store files checked before an action (the intake, the reply) on its order."""
    actor, order = queries.load_for_action(session, actor_id=actor_id, number=number)
    return store(
        session, order=order, prepared=prepared, kind=kind, actor=actor, now=now, root=root
    )
