"""Attachments' rules: which files are accepted (by their content, never by their name or
the browser's Content-Type), how large, how many, and how their names are shown."""

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class AttachmentKind(StrEnum):
    """Why a file is on an order."""

    INTAKE = "intake"  # from the operator or the desk: what the caller sent
    PROOF = "proof"  # 处置照片 and documents: the handling unit's proof with its reply


class MediaType(StrEnum):
    """The accepted types, as stored and served."""

    JPEG = "image/jpeg"
    PNG = "image/png"
    WEBP = "image/webp"
    PDF = "application/pdf"


IMAGE_TYPES = frozenset({MediaType.JPEG, MediaType.PNG, MediaType.WEBP})
EXTENSIONS = {MediaType.JPEG: "jpg", MediaType.PNG: "png", MediaType.WEBP: "webp"}
EXTENSIONS[MediaType.PDF] = "pdf"

MAX_BYTES = 10 * 1024 * 1024  # per file (ATTACHMENT_MAX_BYTES)
MAX_FILES = 5  # per upload
# Pixels an image may decode to: a 10 MB file of a few bytes per pixel is never a photo of
# 50 megapixels or more; above it is a decompression bomb (a PNG of one colour, say).
MAX_PIXELS = 50_000_000
THUMBNAIL_PX = 320
MAX_NAME = 120


class AttachmentError(ValueError):
    """A file that is refused; `code` is the error code shown through the label source."""

    def __init__(self, code: str, name: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.name = name


def sniff(head: bytes) -> MediaType | None:
    """The type that the file's first bytes prove, or None when they prove none we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return MediaType.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return MediaType.PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return MediaType.WEBP
    # PDF readers accept the header within the first 1024 bytes; we ask for it first: a
    # file that starts otherwise (HTML with a PDF tail) is no document of ours.
    if head.startswith(b"%PDF-"):
        return MediaType.PDF
    return None


def display_name(name: str, media_type: MediaType) -> str:
    """The uploaded name, for display only: no path, no control or bidi characters, short,
    and ending in the extension of its real type."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C"
    )
    name = re.sub(r"\s+", " ", name).strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem[: MAX_NAME - 6] or "file"
    return f"{stem}.{EXTENSIONS[media_type]}"


@dataclass(frozen=True)
class Incoming:
    """One uploaded file as the web layer read it."""

    name: str
    data: bytes


def check(files: list[Incoming], *, max_bytes: int = MAX_BYTES, max_files: int = MAX_FILES):
    """Each file's type by content, in order; AttachmentError for the first refusal."""
    if len(files) > max_files:
        raise AttachmentError("too_many_files")
    types = []
    for f in files:
        if not f.data:
            raise AttachmentError("empty_file", f.name)
        if len(f.data) > max_bytes:
            raise AttachmentError("file_too_large", f.name)
        media_type = sniff(f.data[:16])
        if media_type is None:
            raise AttachmentError("file_type_refused", f.name)
        types.append(media_type)
    return types


def may_keep_location(kind: AttachmentKind, asked: bool) -> bool:
    """A photo keeps its EXIF location only as handling proof, and only when the unit asks:
    a caller's photo would tell where the caller stood (a 举报's reporter, say)."""
    return asked and kind is AttachmentKind.PROOF
