"""The security administrator's page for the wallboard token: issue one (shown once, the
link a hall screen opens) or revoke it."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hotline.core.accounts.permissions import Permission
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.accounts import wallboard_token
from hotline.web.accounts.context import actor
from hotline.web.admin import bp
from hotline.web.errors import returns_to
from hotline.web.helpers import parse_int, requires

DEFAULT_DAYS = 180


def _page(new_link: str | None = None):
    return render_template(
        "admin/wallboard_token.html",
        status=wallboard_token.status(db.session),
        now=utcnow(),
        new_link=new_link,
        default_days=DEFAULT_DAYS,
        max_days=wallboard_token.MAX_DAYS,
    )


@bp.route("/wallboard-token")
@requires(Permission.MANAGE_KEYS_AND_TOKENS)
def wallboard_token_page():
    """Whether a wallboard token is in force, until when; issue or revoke it."""
    return _page()


@bp.route("/wallboard-token", methods=["POST"])
@requires(Permission.MANAGE_KEYS_AND_TOKENS)
@returns_to("admin.wallboard_token_page")
def wallboard_token_issue():
    """A new token (the old one and its screens stop); its link is shown once."""
    days = parse_int(request.form.get("days")) or DEFAULT_DAYS
    token = wallboard_token.issue(db.session, now=utcnow(), days=days, **actor())
    link = url_for("wallboard.page", token=token, _external=True)
    return _page(new_link=link)


@bp.route("/wallboard-token/revoke", methods=["POST"])
@requires(Permission.MANAGE_KEYS_AND_TOKENS)
def wallboard_token_revoke():
    """The token stops working, and every hall screen that opened it with it."""
    wallboard_token.revoke(db.session, now=utcnow(), **actor())
    flash(_("Revoked."), "success")
    return redirect(url_for("admin.wallboard_token_page"))
