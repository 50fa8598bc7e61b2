"""The security administrator's page of phone extensions: who answers which queues, and a
new SIP password for a person's phone (shown once; only its digest is kept)."""

from flask import current_app, render_template, request

from hotline import labels
from hotline.core.accounts.permissions import Permission
from hotline.core.telephony.agents import Skill
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.accounts import users as accounts
from hotline.services.telephony import credentials
from hotline.web.accounts.context import actor
from hotline.web.admin import bp
from hotline.web.errors import returns_to
from hotline.web.helpers import requires


def _page(issued: dict | None = None):
    return render_template(
        "admin/phones.html",
        holders=credentials.phone_holders(db.session),
        skills=list(Skill),
        skill_labels=labels.SKILL_LABELS,
        issued=issued,
        realm=current_app.config["TELEPHONY_REALM"],
        now=utcnow(),
    )


@bp.route("/phones")
@requires(Permission.MANAGE_KEYS_AND_TOKENS)
def phones():
    """Extensions, their queues and registrations."""
    return _page()


@bp.route("/phones/<int:user_id>", methods=["POST"])
@requires(Permission.MANAGE_KEYS_AND_TOKENS)
@returns_to("admin.phones")
def phone_issue(user_id: int):
    """An extension (kept if the person has one), their queues, and a new SIP password."""
    user = accounts.get_user(db.session, user_id)
    chosen = {Skill(value) for value in request.form.getlist("skills") if value in set(Skill)}
    extension, password = credentials.issue_phone(
        db.session,
        user.id,
        realm=current_app.config["TELEPHONY_REALM"],
        now=utcnow(),
        skills=chosen,
        **actor(),
    )
    return _page({"user": user, "extension": extension, "password": password})
