"""Attachments on the order pages: upload (the desk's, and with the reply and the intake
form), and the files themselves for users who may see the order.

The views are routes of the orders blueprint (`install`), so they share its URL prefix and
the order page's object check: another unit's staff get 404 for the page, the file and the
thumbnail alike.
"""

from flask import Blueprint, current_app, flash, redirect, request, send_file, url_for
from flask_babel import ngettext
from flask_login import current_user

from hotline import labels
from hotline.core.accounts.permissions import Permission, allows
from hotline.core.orders.attachments import MAX_FILES, AttachmentKind, Incoming, MediaType
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.errors import ValidationFailed
from hotline.services.orders import attachments
from hotline.services.orders.attachments import FIELD, Prepared
from hotline.web.errors import returns_to
from hotline.web.helpers import requires

# The refusals' messages. TODO(lead): move them to hotline/labels/errors.py.


def _message(code: str) -> str:
    mb = f"{current_app.config['ATTACHMENT_MAX_BYTES'] / (1024 * 1024):.3g}"
    # The labels (hotline/labels/errors.py) of the size rules name their limits.
    return labels.error_text(code) % {"mb": mb, "count": MAX_FILES}


def explained(exc: ValidationFailed) -> ValidationFailed:
    """The refusal with its message as the code (shown as it is by the app's handlers)."""
    return ValidationFailed({k: _message(v) for k, v in exc.errors.items()})


def root():
    """The attachments' folder of this app."""
    return attachments.folder(current_app.config, current_app.instance_path)


def uploaded() -> list[Incoming]:
    """The files of the request's attachments field (empty file inputs left out)."""
    found = []
    for storage in request.files.getlist(FIELD):
        if not storage or not storage.filename:
            continue
        data = storage.stream.read(current_app.config["ATTACHMENT_MAX_BYTES"] + 1)
        found.append(Incoming(storage.filename, data))
    return found


def prepare(
    kind: AttachmentKind, keep_location: bool = False, confidential: bool = False
) -> list[Prepared]:
    """The request's files checked and cleaned; ValidationFailed with a clear message."""
    try:
        return attachments.prepare(
            uploaded(),
            kind=kind,
            keep_location=keep_location,
            max_bytes=current_app.config["ATTACHMENT_MAX_BYTES"],
            confidential=confidential,
        )
    except ValidationFailed as exc:
        raise explained(exc) from exc


def store(number: str, prepared: list[Prepared], kind: AttachmentKind) -> None:
    """Store checked files on an order the user has just acted on."""
    if prepared:
        attachments.store_on(
            db.session,
            actor_id=current_user.id,
            number=number,
            prepared=prepared,
            kind=kind,
            now=utcnow(),
            root=root(),
        )


@requires(Permission.TAKE_CALLS)
@returns_to("orders.detail")
def upload(number: str):
    """The operator's or desk's files for an open order (kind intake)."""
    try:
        rows = attachments.add_at_desk(
            db.session,
            actor_id=current_user.id,
            number=number,
            files=uploaded(),
            now=utcnow(),
            root=root(),
            max_bytes=current_app.config["ATTACHMENT_MAX_BYTES"],
        )
    except ValidationFailed as exc:
        raise explained(exc) from exc
    flash(ngettext("%(num)d file added.", "%(num)d files added.", len(rows)), "success")
    return redirect(url_for("orders.detail", number=number))


def _send(number: str, attachment_id: int, thumbnail: bool):
    row, path = attachments.open_file(
        db.session,
        actor=current_user,
        number=number,
        attachment_id=attachment_id,
        root=root(),
        thumbnail=thumbnail,
    )
    # Images were re-encoded by us: shown inline. PDFs are the uploader's bytes: downloaded.
    inline = row.media_type != MediaType.PDF.value
    response = send_file(
        path,
        mimetype=row.media_type,
        as_attachment=not inline,
        download_name=row.original_name,
        conditional=False,
        etag=False,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"  # not in a shared desk's disk cache
    return response


@requires(Permission.READ_ORDERS)
def file(number: str, attachment_id: int):
    """One attachment's file, for a user who may see the order (404 otherwise)."""
    return _send(number, attachment_id, thumbnail=False)


@requires(Permission.READ_ORDERS)
def thumbnail(number: str, attachment_id: int):
    """An image attachment's thumbnail, under the same rule."""
    return _send(number, attachment_id, thumbnail=True)


def order_attachments(order) -> dict:
    """The order's attachments by kind, for the order page's include."""
    return attachments.for_order(db.session, order)


def may_attach_at_desk() -> bool:
    """Whether the user may add intake files on the order page (the upload's permission)."""
    return current_user.is_authenticated and allows(current_user.role_enum, Permission.TAKE_CALLS)


def install(bp: Blueprint) -> None:
    """Add the attachments' routes and the order page's helper to the orders blueprint."""
    bp.add_url_rule("/<number>/attachments", view_func=upload, methods=["POST"])
    bp.add_url_rule("/<number>/attachments/<int:attachment_id>", view_func=file)
    bp.add_url_rule("/<number>/attachments/<int:attachment_id>/thumb", view_func=thumbnail)
    bp.add_app_template_global(order_attachments, "order_attachments")
    bp.add_app_template_global(may_attach_at_desk, "may_attach_at_desk")
