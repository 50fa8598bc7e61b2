"""Deadline pages: extension requests and decisions, timed reminders, overdue by department.

The paths stay under /orders, where these pages have always been."""

from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hotline.core.accounts.permissions import Permission
from hotline.core.deadlines.extensions import DECISIONS, ExtensionState
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.deadlines import escalation, extensions, reminders
from hotline.web.deadlines.forms import ExtensionDecisionForm, ExtensionRequestForm, ReminderForm
from hotline.web.errors import returns_to
from hotline.web.helpers import requires

bp = Blueprint("deadlines", __name__, url_prefix="/orders")


@bp.route("/overdue")
@requires(Permission.SEE_OVERDUE)
def overdue():
    """The supervisors' dashboard: overdue open orders by department and level."""
    rows = escalation.overdue_by_department(db.session, utcnow())
    return render_template("deadlines/overdue.html", rows=rows)


def _on_order(number: str, service: Callable, done: str, **values):
    """Call `service` on the order as the current user, now; then back to the order."""
    service(db.session, actor_id=current_user.id, number=number, now=utcnow(), **values)
    flash(done, "success")
    return redirect(url_for("orders.detail", number=number)), 303


@bp.route("/<number>/extension", methods=["POST"])
@requires(Permission.HANDLE_ORDERS)
@returns_to("orders.detail")
def extension_request(number: str):
    """The department asks for more time, before the deadline."""
    form = ExtensionRequestForm().checked()
    return _on_order(
        number,
        extensions.request_extension,
        _("The extension request was sent to the supervisors."),
        new_day=form.day.data,
        reason=form.reason.data,
        timezone=current_app.config["TIMEZONE"],
    )


@bp.route("/extensions")
@requires(Permission.DECIDE_EXTENSIONS)
def extension_list():
    """Pending extension requests, oldest first."""
    return render_template("deadlines/extensions.html", requests=extensions.pending(db.session))


@bp.route("/extensions/<int:request_id>/<decision>", methods=["POST"])
@requires(Permission.DECIDE_EXTENSIONS)
@returns_to("deadlines.extension_list")
def extension_decide(request_id: int, decision: str):
    """Approve (the due time moves) or refuse."""
    if decision not in DECISIONS:
        abort(404)
    extensions.decide(
        db.session,
        actor_id=current_user.id,
        request_id=request_id,
        approve=DECISIONS[decision] is ExtensionState.APPROVED,
        note=ExtensionDecisionForm().checked().note.data,
        now=utcnow(),
        timezone=current_app.config["TIMEZONE"],
    )
    flash(_("Saved."), "success")
    return redirect(url_for("deadlines.extension_list")), 303


@bp.route("/<number>/reminder", methods=["POST"])
@requires(Permission.SET_REMINDERS)
@returns_to("orders.detail")
def reminder_set(number: str):
    """Remind me (and the department) of this order at a given time."""
    form = ReminderForm().checked()
    remind_at = form.moment(current_app.config["TIMEZONE"])
    return _on_order(
        number, reminders.set_reminder, _("Reminder set."), remind_at=remind_at, note=form.note.data
    )


@bp.route("/reminders")
@requires(Permission.SET_REMINDERS)
def reminder_list():
    """My reminders whose time has come."""
    items = reminders.due_for(db.session, user_id=current_user.id, now=utcnow())
    return render_template("deadlines/reminders.html", reminders=items)
