"""What views hand the accounts services: who acts from where, and the password policy in
force (the security administrator's settings over the configuration's defaults)."""

from flask import current_app, request
from flask_login import current_user

from hotline.core.accounts.passwords import PasswordPolicy
from hotline.plugins import db
from hotline.services.accounts import policy


def actor() -> dict:
    """The logged-in user and their address, as the services' `actor_id` and `ip`."""
    return {"actor_id": current_user.id, "ip": request.remote_addr or ""}


def policy_defaults() -> PasswordPolicy:
    """The policy the configuration sets, before the security administrator's changes."""
    config = current_app.config
    return PasswordPolicy(
        min_length=config["PASSWORD_MIN_LENGTH"],
        history=config["PASSWORD_HISTORY"],
        max_age_days=config["PASSWORD_MAX_AGE_DAYS"],
        max_failures=config["LOGIN_MAX_FAILURES"],
        lock_minutes=config["LOGIN_LOCK_MINUTES"],
    )


def password_policy() -> PasswordPolicy:
    """The password and lock-out policy in force."""
    return policy.current(db.session, defaults=policy_defaults())
