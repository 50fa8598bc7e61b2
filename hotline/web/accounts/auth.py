"""Login, logout and the language switch."""

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import PasswordField

from hotline.core.accounts.roles import Role
from hotline.database import utcnow
from hotline.labels import error_text
from hotline.plugins import db
from hotline.services.accounts import users as accounts
from hotline.web.fields import TextField
from hotline.web.forms import Form
from hotline.web.helpers import local_path

bp = Blueprint("auth", __name__)

HOME_BY_ROLE = {
    Role.OPERATOR: "intake.form",
    Role.DESK: "orders.desk",
    Role.DEPARTMENT: "orders.queue",
    Role.ADMIN: "admin.users",
    Role.EMS_DISPATCHER: "ems.console",
    Role.SURVEYOR: "surveys.queue",
}


@bp.route("/")
@login_required
def home():
    """Each role lands on the page it works on most."""
    endpoint = HOME_BY_ROLE.get(current_user.role_enum, "orders.search")
    return redirect(url_for(endpoint))


class LoginForm(Form):
    """Username and password, cut to sane lengths."""

    username = TextField(_l("Username"), filters=[lambda value: (value or "")[:64]])
    password = PasswordField(_l("Password"), filters=[lambda value: (value or "")[:256]])


class NextForm(Form):
    """Where to go after switching the language (a path on this site, checked)."""

    next = TextField()


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Username and password; five failures lock the account for a while."""
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(
                db.session,
                username=form.username.data,
                password=form.password.data,
                now=utcnow(),
                max_failures=current_app.config["LOGIN_MAX_FAILURES"],
                lock_minutes=current_app.config["LOGIN_LOCK_MINUTES"],
                hash_method=current_app.config["PASSWORD_HASH_METHOD"],
            )
        except accounts.LoginFailed as exc:
            error = error_text(exc.code)
        else:
            _start_session(user)
            return redirect(local_path(request.args.get("next")) or url_for("auth.home"))
    return render_template("accounts/login.html", form=form, error=error), 401 if error else 200


def _start_session(user) -> None:
    """A fresh session on login (no fixation), keeping the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session."""
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/language/<code>", methods=["POST"])
def language(code: str):
    """Switch the interface language (Chinese by default)."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    target = local_path(NextForm().next.data) or url_for("auth.home")
    return redirect(target)


@bp.app_context_processor
def _inject():
    return {"login_title": _("12345 Hotline")}
