"""Order pages: search, detail with timeline, actions, the desk's and departments' queues."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hotline import labels
from hotline.core.accounts.permissions import Permission, allows
from hotline.core.accounts.roles import Role
from hotline.core.orders import workflow
from hotline.core.orders.intake import OrderType
from hotline.core.orders.search import parse_filters
from hotline.core.orders.workflow import Action, State
from hotline.database import utcnow
from hotline.extensions import db
from hotline.models import Category, Department, District
from hotline.services.deadlines import escalation, extensions, reminders
from hotline.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hotline.services.orders import handling, queries
from hotline.services.surveys import tasks
from hotline.web.helpers import flash_errors, parse_int, requires

bp = Blueprint("orders", __name__, url_prefix="/orders")


def _departments():
    return db.session.scalars(select(Department).where(Department.active).order_by(Department.name))


@bp.route("")
@requires(Permission.READ_ORDERS)
def search():
    """Search by number, phone, dates, state, type, district, department and category."""
    filters, errors = parse_filters(request.args.to_dict())
    page_number = parse_int(request.args.get("page")) or 1
    page = queries.search(
        db.session,
        current_user,
        filters,
        page_number,
        current_app.config["PAGE_SIZE"],
        current_app.config["TIMEZONE"],
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "orders/search.html",
        page=page,
        args=args,
        errors={k: labels.error_text(v) for k, v in errors.items()},
        states=list(State),
        order_types=list(OrderType),
        districts=db.session.scalars(select(District).order_by(District.code)),
        departments=_departments() if current_user.role_enum is not Role.DEPARTMENT else [],
        categories=db.session.scalars(select(Category).order_by(Category.code)),
    )


@bp.route("/<number>")
@requires(Permission.READ_ORDERS)
def detail(number: str):
    """One order with its timeline and the actions the user may take."""
    try:
        order = queries.get_order(db.session, current_user, number)
    except NotFound:
        abort(404)
    actions = workflow.available_actions(order.state_enum, current_user.role_enum)
    return render_template(
        "orders/detail.html",
        order=order,
        events=queries.timeline(db.session, order),
        actions=actions,
        needs_department=workflow.ACTIONS_WITH_DEPARTMENT,
        departments=list(_departments()) if workflow.ACTIONS_WITH_DEPARTMENT & set(actions) else [],
        categories=queries.routable_categories(db.session) if Action.CLASSIFY in actions else [],
        pending_extensions=extensions.pending(db.session, order.id),
        surveys=tasks.for_order(db.session, order.id),
        can_set_reminder=allows(current_user.role_enum, Permission.SET_REMINDERS),
        can_request_extension=allows(current_user.role_enum, Permission.HANDLE_ORDERS)
        and order.state in extensions.WORKING_STATES,
    )


@bp.route("/<number>/<action>", methods=["POST"])
@requires(Permission.READ_ORDERS)
def act(number: str, action: str):
    """Apply one action; a conflict or invalid action is explained, never a 500."""
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        action_enum = Action(action)
    except ValueError:
        abort(404)
    try:
        handling.perform(
            db.session,
            current_user.id,
            number,
            action_enum,
            utcnow(),
            note=request.form.get("note", ""),
            department_id=parse_int(request.form.get("department_id")),
            expected_version=parse_int(request.form.get("version")),
            category_code=request.form.get("category_code") or None,
            timezone=current_app.config["TIMEZONE"],
        )
    except NotFound:
        abort(404)
    except Conflict as exc:
        if wants_json:
            return jsonify(error="conflict", description=labels.error_text(exc.code)), 409
        flash(labels.error_text(exc.code), "error")
        return redirect(url_for("orders.detail", number=number)), 303
    except ValidationFailed as exc:
        messages = {k: labels.error_text(v) for k, v in exc.errors.items()}
        if wants_json:
            return jsonify(error="invalid", errors=messages), 422
        for message in messages.values():
            flash(message, "error")
        return redirect(url_for("orders.detail", number=number)), 303
    if wants_json:
        return jsonify(ok=True)
    flash(_("Done: %(action)s.", action=labels.ACTION_LABELS[action_enum.value]), "success")
    if current_user.role_enum is Role.DEPARTMENT and action_enum is Action.RETURN:
        return redirect(url_for("orders.queue"))
    return redirect(url_for("orders.detail", number=number))


@bp.route("/desk")
@requires(Permission.WORK_DESK)
def desk():
    """The 12345 desk: manual routing, returned orders, replies to review."""
    return render_template("orders/desk.html", queues=queries.desk_queues(db.session, current_user))


@bp.route("/queue")
@requires(Permission.HANDLE_ORDERS)
def queue():
    """The department's open orders, most urgent first."""
    items = queries.department_queue(db.session, current_user)
    notices = reminders.due_orders(db.session, [o.id for o in items], utcnow())
    return render_template("orders/queue.html", items=items, notices=notices)


@bp.route("/overdue")
@requires(Permission.SEE_OVERDUE)
def overdue():
    """The supervisors' dashboard: overdue open orders by department and level."""
    rows = escalation.overdue_by_department(db.session, utcnow())
    return render_template("deadlines/overdue.html", rows=rows)


@bp.route("/<number>/extension", methods=["POST"])
@requires(Permission.HANDLE_ORDERS)
def extension_request(number: str):
    """The department asks for more time, before the deadline."""
    try:
        day = date.fromisoformat(request.form.get("day", ""))
        extensions.request_extension(
            db.session, current_user.id, number, day, request.form.get("reason", ""),
            utcnow(), current_app.config["TIMEZONE"],
        )  # fmt: skip
    except ValueError:
        flash(labels.error_text("invalid_date"), "error")
    except (NotFound, Forbidden):
        abort(404)
    except ValidationFailed as exc:
        flash_errors(exc)
    else:
        flash(_("The extension request was sent to the supervisors."), "success")
    return redirect(url_for("orders.detail", number=number)), 303


@bp.route("/extensions")
@requires(Permission.DECIDE_EXTENSIONS)
def extension_list():
    """Pending extension requests, oldest first."""
    return render_template("deadlines/extensions.html", requests=extensions.pending(db.session))


@bp.route("/extensions/<int:request_id>/<decision>", methods=["POST"])
@requires(Permission.DECIDE_EXTENSIONS)
def extension_decide(request_id: int, decision: str):
    """Approve (the due time moves) or refuse."""
    if decision not in {"approve", "refuse"}:
        abort(404)
    try:
        extensions.decide(
            db.session, current_user.id, request_id, decision == "approve",
            request.form.get("note", ""), utcnow(), current_app.config["TIMEZONE"],
        )  # fmt: skip
    except NotFound:
        abort(404)
    except ValidationFailed as exc:
        flash_errors(exc)
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("orders.extension_list")), 303


@bp.route("/<number>/reminder", methods=["POST"])
@requires(Permission.SET_REMINDERS)
def reminder_set(number: str):
    """Remind me (and the department) of this order at a given time."""
    try:
        remind_at = datetime.fromisoformat(request.form.get("remind_at", ""))
    except ValueError:
        flash(labels.error_text("invalid_datetime"), "error")
        return redirect(url_for("orders.detail", number=number)), 303
    if remind_at.tzinfo is None:
        remind_at = remind_at.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))
    try:
        reminders.set_reminder(
            db.session, current_user.id, number, remind_at, request.form.get("note", ""), utcnow()
        )
    except (NotFound, Forbidden):
        abort(404)
    except ValidationFailed as exc:
        flash_errors(exc)
    else:
        flash(_("Reminder set."), "success")
    return redirect(url_for("orders.detail", number=number)), 303


@bp.route("/reminders")
@requires(Permission.SET_REMINDERS)
def reminder_list():
    """My reminders whose time has come."""
    items = reminders.due_for(db.session, current_user.id, utcnow())
    return render_template("deadlines/reminders.html", reminders=items)
