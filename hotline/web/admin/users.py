"""Admin pages for accounts: the list, a new account, changes, a new API token."""

from flask import current_app, redirect, render_template, request, url_for

from hotline.core.accounts.permissions import Permission
from hotline.core.accounts.roles import Role
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.accounts import credentials
from hotline.services.accounts import users as accounts
from hotline.services.units import organisation
from hotline.web.admin import bp, saved
from hotline.web.admin.forms import UserEditForm, UserForm
from hotline.web.helpers import requires


def _page(template: str, **context) -> str:
    departments = organisation.choices(db.session).departments
    return render_template(template, roles=list(Role), departments=departments, **context)


@bp.route("/users", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def users():
    """List accounts and create one."""
    form = UserForm()
    hash_method = current_app.config["PASSWORD_HASH_METHOD"]
    if saved(form, accounts.create_user, db.session, hash_method=hash_method, now=utcnow()):
        return redirect(url_for("admin.users"))
    status = 422 if request.method == "POST" else 200
    return _page("admin/users.html", users=accounts.list_users(db.session), form=form), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def user_edit(user_id: int):
    """Change an account's role, department, status or password."""
    user = accounts.get_user(db.session, user_id)
    form = UserEditForm(obj=user)
    hash_method = current_app.config["PASSWORD_HASH_METHOD"]
    if saved(form, accounts.update_user, db.session, user_id=user_id, hash_method=hash_method):
        return redirect(url_for("admin.users"))
    return _page("admin/user_edit.html", user=user, form=form)


@bp.route("/users/<int:user_id>/token", methods=["POST"])
@requires(Permission.ADMINISTER)
def user_token(user_id: int):
    """Issue a new /api/v1 token for a user (replacing the old one); shown once."""
    token = credentials.issue_user_token(db.session, user_id)
    user = accounts.get_user(db.session, user_id)
    return _page(
        "admin/user_edit.html",
        user=user,
        form=UserEditForm(formdata=None, obj=user),
        new_token=token,
    )
