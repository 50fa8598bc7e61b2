"""Each user's own password: the change page, and no other page until an administrator's
or an expired password has been replaced."""

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import PasswordField

from hotline.core.accounts.permissions import Permission
from hotline.core.accounts.roles import Role
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.accounts import users as accounts
from hotline.web.accounts.auth import bp, start_session
from hotline.web.accounts.context import password_policy
from hotline.web.errors import returns_to
from hotline.web.forms import Form
from hotline.web.helpers import requires

# What a user who must change their password may still open.
OPEN_BEFORE_CHANGE = {"auth.password", "auth.login", "auth.logout", "auth.language", "static"}


class PasswordForm(Form):
    """The current password, and the new one twice."""

    current_password = PasswordField(_l("Current password"))
    new_password = PasswordField(_l("New password"))
    repeated = PasswordField(_l("New password again"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires(Permission.OWN_PASSWORD)
@returns_to("auth.password")
def password():
    """Change one's own password; the other sessions of the account end."""
    form = PasswordForm()
    policy = password_policy()
    if form.validate_on_submit():
        user, token = accounts.change_own_password(
            db.session,
            user_id=current_user.id,
            current_password=form.current_password.data or "",
            new_password=form.new_password.data or "",
            repeated=form.repeated.data or "",
            hash_method=current_app.config["PASSWORD_HASH_METHOD"],
            now=utcnow(),
            ip=request.remote_addr or "",
            policy=policy,
        )
        start_session(user, token)
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("auth.home"))
    return render_template(
        "accounts/password.html",
        form=form,
        policy=policy,
        forced=current_user.must_change_password,
        unassigned=current_user.role == Role.UNASSIGNED,
    )


@bp.before_app_request
def _password_first():
    """A user whose password an administrator chose, or whose password expired, changes it
    before anything else."""
    if request.endpoint in OPEN_BEFORE_CHANGE or not current_user.is_authenticated:
        return None
    if not current_user.must_change_password:
        return None
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        return jsonify(error="password_change_required"), 403
    return redirect(url_for("auth.password"))
