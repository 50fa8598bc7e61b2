"""Tasks on the order page: the lead unit asks other units to assist (协办, 吹哨) or assigns
the work within the unit (二级派单); the holder accepts, replies or declines; the lead unit
withdraws. Routes of the orders blueprint (`install`)."""

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hotline import labels
from hotline.core.accounts.permissions import Permission
from hotline.core.orders.tasks import TaskAction
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.orders import co_handling
from hotline.services.orders.queries import load_for_action
from hotline.web.errors import returns_to
from hotline.web.fields import (
    CheckedForm,
    DateTimeField,
    OptionalIntField,
    TextField,
    member_or_404,
)
from hotline.web.helpers import parse_int, requires


class TaskForm(CheckedForm):
    """A new task: what to do and by when (local time), and the order's version seen."""

    instruction = TextField()
    due_at = DateTimeField()
    target = TextField()  # a second-level dispatch's holder: unit:<id> or user:<id>
    version = OptionalIntField()


class TaskActionForm(CheckedForm):
    """A step on a task: the reply or reason, and the task's version seen."""

    note = TextField()
    version = OptionalIntField()


def _back(number: str):
    return redirect(url_for("orders.detail", number=number)), 303


def _checked_form(number: str) -> TaskForm:
    """The form, once the order is known to be the user's unit's (else 404 first)."""
    load_for_action(db.session, actor_id=current_user.id, number=number)
    return TaskForm().checked()


def ask_for_help(number: str):
    """The lead unit asks one or more units to assist."""
    form = _checked_form(number)
    ids = [i for i in (parse_int(v) for v in request.form.getlist("department_ids")) if i]
    created = co_handling.ask_for_help(
        db.session,
        actor_id=current_user.id,
        number=number,
        department_ids=ids,
        instruction=form.instruction.data,
        due_at=form.due_at.moment(current_app.config["TIMEZONE"]),
        now=utcnow(),
        expected_version=form.version.data,
    )
    flash(_("Assistance requested from %(count)d units.", count=len(created)), "success")
    return _back(number)


def assign(number: str):
    """The lead unit gives the work to a sub-unit or a staff member."""
    form = _checked_form(number)
    kind, raw_id = form.target.data.partition(":")[::2]  # unit:<id> or user:<id>
    chosen = parse_int(raw_id)
    co_handling.assign(
        db.session,
        actor_id=current_user.id,
        number=number,
        sub_unit_id=chosen if kind == "unit" else None,
        user_id=chosen if kind == "user" else None,
        instruction=form.instruction.data,
        due_at=form.due_at.moment(current_app.config["TIMEZONE"]),
        now=utcnow(),
        expected_version=form.version.data,
    )
    flash(_("Assigned within the unit."), "success")
    return _back(number)


def task_act(number: str, task_id: int, action: str):
    """Accept, reply, decline or withdraw one task."""
    action_enum = member_or_404(TaskAction, action)
    form = TaskActionForm().checked()
    co_handling.act(
        db.session,
        actor_id=current_user.id,
        number=number,
        task_id=task_id,
        action=action_enum,
        note=form.note.data,
        now=utcnow(),
        expected_version=form.version.data,
    )
    flash(_("Done: %(action)s.", action=labels.TASK_ACTION_LABELS[action]), "success")
    if action_enum in {TaskAction.REPLY, TaskAction.DECLINE}:
        # A reply or a decline ends the holder's sight of the order: back to the queue.
        return redirect(url_for("orders.queue")), 303
    return _back(number)


def install(bp: Blueprint) -> None:
    """Add the task routes to the orders blueprint."""
    guard = requires(Permission.HANDLE_ORDERS)
    back = returns_to("orders.detail")
    bp.add_url_rule("/<number>/assist", "assist", guard(back(ask_for_help)), methods=["POST"])
    bp.add_url_rule("/<number>/assign", "assign", guard(back(assign)), methods=["POST"])
    bp.add_url_rule(
        "/<number>/tasks/<int:task_id>/<action>",
        "task_act",
        guard(back(task_act)),
        methods=["POST"],
    )
