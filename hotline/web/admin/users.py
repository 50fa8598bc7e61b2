"""The system administrator's pages for accounts: the list, a new account (without a role),
changes of name, department and status, and password resets."""

from flask import current_app, redirect, render_template, request, url_for

from hotline.core.accounts.permissions import Permission
from hotline.core.accounts.roles import ADMINISTRATORS
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.accounts import users as accounts
from hotline.services.accounts import workplaces
from hotline.services.ems import resources
from hotline.services.units import organisation
from hotline.web.accounts.context import actor, password_policy
from hotline.web.admin import bp, saved
from hotline.web.admin.forms import UserEditForm, UserForm, WorkplaceForm
from hotline.web.helpers import requires


def _page(template: str, **context) -> str:
    departments = organisation.choices(db.session).departments
    return render_template(
        template,
        departments=departments,
        policy=password_policy(),
        administrators=ADMINISTRATORS,
        **context,
    )


def _account_service_arguments() -> dict:
    return {
        "hash_method": current_app.config["PASSWORD_HASH_METHOD"],
        "now": utcnow(),
        "policy": password_policy(),
        **actor(),
    }


@bp.route("/users", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def users():
    """List accounts and create one; the security administrator then gives it a role."""
    form = UserForm()
    if saved(form, accounts.create_user, db.session, **_account_service_arguments()):
        return redirect(url_for("admin.users"))
    status = 422 if request.method == "POST" else 200
    return _page("admin/users.html", users=accounts.list_users(db.session), form=form), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def user_edit(user_id: int):
    """Change an account's name, department or status, or reset its password."""
    user = accounts.get_user(db.session, user_id)
    form = UserEditForm(obj=user)
    arguments = _account_service_arguments()
    if saved(form, accounts.update_user, db.session, user_id=user_id, **arguments):
        return redirect(url_for("admin.users"))
    return _page(
        "admin/user_edit.html",
        user=user,
        form=form,
        workplace=WorkplaceForm(obj=user, formdata=None),
        places=resources.inventory(db.session),
    )


@bp.route("/users/<int:user_id>/workplace", methods=["POST"])
@requires(Permission.MANAGE_USERS)
def user_workplace(user_id: int):
    """The station or hospital a 120 desk account works at."""
    accounts.get_user(db.session, user_id)  # 404 before anything else
    form = WorkplaceForm()
    saved(form, workplaces.set_workplace, db.session, user_id=user_id, now=utcnow(), **actor())
    return redirect(url_for("admin.user_edit", user_id=user_id)), 303
