"""The in-app notice inbox: what is addressed to me, my role or my department."""

from flask import Blueprint, render_template
from flask_login import current_user

from hotline.core.accounts.permissions import Permission
from hotline.plugins import db
from hotline.services.notifications import outbox
from hotline.web.helpers import requires

bp = Blueprint("notifications", __name__)


@bp.route("/notices")
@requires(Permission.READ_NOTICES)
def inbox() -> str:
    """In-app notices addressed to me, my role or my department."""
    recipients = outbox.inbox_recipients(
        current_user.id, current_user.role, current_user.department_id
    )
    return render_template("notifications/inbox.html", notices=outbox.inbox(db.session, recipients))
