"""Administration, one blueprint ("admin") for the three administrators (三员分立): the
system administrator's users, organisation (departments, categories, routing rules), time
limits and calendar; the security administrator's roles, password policy, API clients and
tokens; the audit administrator's security log and audit trail."""

from collections.abc import Callable

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _

from hotline.labels import error_text
from hotline.plugins import db
from hotline.services.errors import ServiceError
from hotline.web.admin.forms import AdminForm as Form
from hotline.web.helpers import flash_errors

bp = Blueprint("admin", __name__, url_prefix="/admin")


def saved(form: Form, action: Callable[..., object], *args, **extra) -> bool:
    """Whether the form was submitted, valid, and accepted by `action(*args, **values,
    **extra)`; then "Saved." is flashed.

    On a refusal the reasons are flashed and False comes back, so that the view shows the
    form again with what the admin typed: the app-level handler would redirect and lose it.
    """
    if not form.validate_on_submit():
        for code in form.errors_by_field().values():
            flash(error_text(code), "error")
        return False
    try:
        action(*args, **form.values(), **extra)
    except ServiceError as exc:  # local on purpose: re-render with the typed input
        db.session.rollback()
        flash_errors(exc)
        return False
    flash(_("Saved."), "success")
    return True


def deleted(endpoint: str):
    """After a deletion: "Deleted." and back to the list."""
    flash(_("Deleted."), "success")
    return redirect(url_for(endpoint))


# The pages register their routes on `bp`.
from hotline.web.admin import (  # noqa: E402
    api_clients,
    auditing,
    deadlines,
    health,
    organisation,
    phones,
    roles,
    security,
    users,
    wallboard,
)

__all__ = [
    "api_clients",
    "auditing",
    "bp",
    "deadlines",
    "deleted",
    "health",
    "organisation",
    "phones",
    "roles",
    "saved",
    "security",
    "users",
    "wallboard",
]
