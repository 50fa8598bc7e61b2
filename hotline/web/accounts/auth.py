"""Login, logout and the language switch."""

from pathlib import Path

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import PasswordField

from hotline.core.accounts.roles import Role
from hotline.core.accounts.security import SecurityKind
from hotline.database import utcnow
from hotline.labels import error_text
from hotline.plugins import db
from hotline.services.accounts import hash_slot, security_log, sessions
from hotline.services.accounts import users as accounts
from hotline.web.accounts.context import password_policy
from hotline.web.fields import TextField
from hotline.web.forms import Form
from hotline.web.helpers import local_path

bp = Blueprint("auth", __name__)
# The session cookie's key for the server-side session token.
SESSION_TOKEN = "sid"  # noqa: S105 - a key name
PLAIN = {"Content-Type": "text/plain; charset=utf-8"}

HOME_BY_ROLE = {
    Role.OPERATOR: "intake.form",
    Role.DESK: "orders.desk",
    Role.DEPARTMENT: "orders.queue",
    Role.SYSTEM_ADMIN: "admin.users",
    Role.SECURITY_ADMIN: "admin.roles",
    Role.AUDIT_ADMIN: "admin.security_log",
    Role.UNASSIGNED: "auth.password",
    Role.EMS_DISPATCHER: "ems.console",
    Role.HOSPITAL: "ems.hospital_desk",
    Role.EMS_STATION: "ems.station",
    # An API account for another centre's system: its holder only reads its notices here.
    Role.LINKED_CENTRE: "notifications.inbox",
    Role.SURVEYOR: "surveys.queue",
    Role.KNOWLEDGE_EDITOR: "kb.index",
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
        policy, now = password_policy(), utcnow()
        slots = current_app.config["PASSWORD_CHECKS_AT_ONCE"]
        try:
            with hash_slot.password_check(Path(current_app.instance_path), slots) as free:
                if not free:
                    raise accounts.LoginFailed("throttled", 1)
                user, token = accounts.authenticate(
                    db.session,
                    username=form.username.data,
                    password=form.password.data,
                    ip=request.remote_addr or "",
                    now=now,
                    max_failures=policy.max_failures,
                    lock_minutes=policy.lock_minutes,
                    hash_method=current_app.config["PASSWORD_HASH_METHOD"],
                    trusted_networks=current_app.config["LOGIN_TRUSTED_NETWORKS"],
                )
        except accounts.LoginFailed as exc:
            if exc.code == "throttled":
                # Answered as cheaply as possible: a guessing client sends many of these,
                # and the next ones from this address are answered before Flask (gate).
                if exc.address_wait:
                    current_app.extensions["hotline.login_gate"].hold(
                        request.remote_addr, exc.address_wait
                    )
                text = error_text(exc.code)
                return text, 429, {"Retry-After": str(exc.wait_seconds), **PLAIN}
            error = error_text(exc.code)
        else:
            start_session(user, token)
            if accounts.require_change_if_expired(
                db.session, user_id=user.id, now=now, max_age_days=policy.max_age_days
            ):
                return redirect(url_for("auth.password"))
            return redirect(local_path(request.args.get("next")) or url_for("auth.home"))
    page = render_template("accounts/login.html", form=form, error=error)
    return page, 401 if error else 200


def start_session(user, token: str) -> None:
    """A fresh session on login (no fixation), keeping the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session[SESSION_TOKEN] = token
    login_user(user)


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session here and on the server: the same cookie, replayed, is refused."""
    now = utcnow()
    user_id = sessions.end(db.session, token=session.get(SESSION_TOKEN), now=now)
    if user_id is not None:
        security_log.record_alone(
            db.session,
            SecurityKind.LOGOUT,
            now=now,
            actor_id=user_id,
            subject_user_id=user_id,
            ip=request.remote_addr or "",
        )
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


# The password page registers its routes on `bp`.
from hotline.web.accounts import passwords  # noqa: E402, F401
