"""The security administrator's page for roles: every account and the role it holds."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hotline.core.accounts.permissions import Permission
from hotline.core.accounts.roles import Role
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.accounts import users as accounts
from hotline.web.accounts.context import actor
from hotline.web.admin import bp
from hotline.web.admin.forms import RoleForm
from hotline.web.errors import returns_to
from hotline.web.helpers import requires


@bp.route("/roles")
@requires(Permission.MANAGE_ROLES)
def roles():
    """Accounts with their roles, those still without one first."""
    users = sorted(
        accounts.list_users(db.session), key=lambda u: (u.role != Role.UNASSIGNED, u.username)
    )
    return render_template("admin/roles.html", users=users, roles=list(Role), me=current_user.id)


@bp.route("/roles/<int:user_id>", methods=["POST"])
@requires(Permission.MANAGE_ROLES)
@returns_to("admin.roles")
def role_set(user_id: int):
    """Give an account a role (never one's own)."""
    form = RoleForm()
    if form.validate_on_submit():
        accounts.set_role(db.session, user_id=user_id, role=form.role.data, now=utcnow(), **actor())
        flash(_("Saved."), "success")
    return redirect(url_for("admin.roles"))
