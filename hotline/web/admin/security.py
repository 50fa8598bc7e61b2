"""The security administrator's pages: the password and lock-out policy, and the tokens of
users (/api/v1) and of vehicle terminals. A new token is shown once, in the page that
answers the request: never in a flash message, which travels in the session cookie."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from hotline.core.accounts.passwords import BOUNDS
from hotline.core.accounts.permissions import Permission
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.accounts import credentials, policy
from hotline.services.accounts import users as accounts
from hotline.services.ems import terminals
from hotline.web.accounts.context import actor, password_policy, policy_defaults
from hotline.web.admin import bp, saved
from hotline.web.admin.forms import PolicyForm, UserTokenForm
from hotline.web.errors import returns_to
from hotline.web.helpers import requires


@bp.route("/security-policy", methods=["GET", "POST"])
@requires(Permission.MANAGE_SECURITY_POLICY)
def security_policy():
    """Password length, history and expiry; failed logins before a lock-out and its length."""
    current = password_policy()
    form = PolicyForm(obj=current)
    arguments = {"defaults": policy_defaults(), "now": utcnow(), **actor()}
    if saved(form, policy.save, db.session, **arguments):
        return redirect(url_for("admin.security_policy"))
    return render_template(
        "admin/security_policy.html", form=form, bounds=BOUNDS, defaults=policy_defaults()
    )


def _tokens_page(**shown) -> str:
    """The tokens page, with a token just issued (`new_user_token`, `new_terminal_token`)."""
    return render_template(
        "admin/tokens.html",
        holders=credentials.token_holders(db.session),
        accounts=[u for u in accounts.list_users(db.session) if u.active],
        vehicles=terminals.vehicles(db.session),
        form=UserTokenForm(formdata=None),
        days=current_app.config["API_TOKEN_DAYS"],
        now=utcnow(),
        **shown,
    )


@bp.route("/tokens")
@requires(Permission.MANAGE_KEYS_AND_TOKENS)
def tokens():
    """Users' /api/v1 tokens and vehicle terminals' tokens."""
    return _tokens_page()


@bp.route("/tokens/users", methods=["POST"])
@requires(Permission.MANAGE_KEYS_AND_TOKENS)
@returns_to("admin.tokens")
def user_token_issue():
    """A new /api/v1 token for a user (replacing theirs), after the administrator's own
    password; shown once."""
    form = UserTokenForm()
    if not form.validate_on_submit() or form.user_id.data is None:
        flash(_("Choose an account."), "error")
        return redirect(url_for("admin.tokens"))
    user = accounts.get_user(db.session, form.user_id.data)
    token = credentials.issue_user_token(
        db.session,
        user.id,
        now=utcnow(),
        days=current_app.config["API_TOKEN_DAYS"],
        actor_password=form.actor_password.data or "",
        policy=password_policy(),
        **actor(),
    )
    return _tokens_page(new_user_token=token, token_user=user)


@bp.route("/tokens/users/<int:user_id>/revoke", methods=["POST"])
@requires(Permission.MANAGE_KEYS_AND_TOKENS)
def user_token_revoke(user_id: int):
    """The user's /api/v1 token stops working at once."""
    credentials.revoke_user_token(db.session, user_id=user_id, now=utcnow(), **actor())
    flash(_("Revoked."), "success")
    return redirect(url_for("admin.tokens"))


@bp.route("/tokens/vehicles/<int:vehicle_id>", methods=["POST"])
@requires(Permission.MANAGE_KEYS_AND_TOKENS)
def terminal_token_issue(vehicle_id: int):
    """A new token for a vehicle's terminal (the old one stops working); shown once."""
    token = terminals.issue_terminal_token(db.session, vehicle_id, now=utcnow(), **actor())
    return _tokens_page(new_terminal_token=token, token_vehicle_id=vehicle_id)


@bp.route("/tokens/vehicles/<int:vehicle_id>/revoke", methods=["POST"])
@requires(Permission.MANAGE_KEYS_AND_TOKENS)
def terminal_token_revoke(vehicle_id: int):
    """The vehicle's terminal token stops working at once."""
    terminals.revoke_terminal_token(db.session, vehicle_id, now=utcnow(), **actor())
    flash(_("Revoked."), "success")
    return redirect(url_for("admin.tokens"))
