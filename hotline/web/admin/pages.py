"""Administration: users, departments and their jurisdictions, categories, routing rules."""

from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from hotline import labels
from hotline.core.accounts.permissions import Permission
from hotline.core.accounts.roles import Role
from hotline.core.deadlines.calendar import WorkCalendar
from hotline.core.deadlines.limits import LimitUnit
from hotline.database import utcnow
from hotline.demo.reference import CITY_BODIES, DISTRICT_BODIES
from hotline.extensions import db
from hotline.models import (
    ApiClient,
    CalendarOverride,
    Category,
    Department,
    District,
    RoutingRule,
    TimeLimitRule,
    User,
)
from hotline.services.accounts import credentials
from hotline.services.accounts import users as accounts
from hotline.services.errors import Conflict, NotFound, ServiceError, ValidationFailed
from hotline.services.units import organisation
from hotline.web.helpers import flash_errors, parse_int, requires

bp = Blueprint("admin", __name__, url_prefix="/admin")
KINDS = list(DISTRICT_BODIES) + list(CITY_BODIES)


def _form_flag(name: str) -> bool:
    return request.form.get(name) in {"on", "1", "true"}


def _lists() -> dict:
    return {
        "departments": db.session.scalars(select(Department).order_by(Department.name)).all(),
        "districts": db.session.scalars(select(District).order_by(District.code)).all(),
        "categories": db.session.scalars(select(Category).order_by(Category.code)).all(),
        "roles": list(Role),
        "kinds": KINDS,
    }


@bp.route("/users", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def users():
    """List accounts and create one."""
    if request.method == "POST":
        try:
            accounts.create_user(
                db.session,
                request.form.get("username", ""),
                request.form.get("display_name", ""),
                request.form.get("role", ""),
                request.form.get("password", ""),
                current_app.config["PASSWORD_HASH_METHOD"],
                utcnow(),
                department_id=parse_int(request.form.get("department_id")),
            )
        except ServiceError as exc:
            flash_errors(exc)
            return render_template("admin/users.html", users=_users(), **_lists()), 422
        flash(_("Saved."), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/users.html", users=_users(), **_lists())


def _users():
    return db.session.scalars(
        select(User).where(~User.username.startswith("staff-")).order_by(User.username)
    ).all()


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def user_edit(user_id: int):
    """Change an account's role, department, status or password."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if request.method == "POST":
        try:
            accounts.update_user(
                db.session,
                user_id,
                request.form.get("display_name", ""),
                request.form.get("role", ""),
                parse_int(request.form.get("department_id")),
                _form_flag("active"),
                current_app.config["PASSWORD_HASH_METHOD"],
                new_password=request.form.get("password") or None,
            )
        except ServiceError as exc:
            flash_errors(exc)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_edit.html", user=user, **_lists())


@bp.route("/departments", methods=["GET", "POST"])
@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def departments(department_id: int | None = None):
    """List departments; create one or edit its name, kind and jurisdiction."""
    editing = db.session.get(Department, department_id) if department_id else None
    if department_id and editing is None:
        abort(404)
    if request.method == "POST":
        try:
            organisation.save_department(
                db.session,
                department_id,
                request.form.get("name", ""),
                request.form.get("kind", ""),
                parse_int(request.form.get("district_id")),
                _form_flag("active"),
            )
        except (ValidationFailed, Conflict, NotFound) as exc:
            flash_errors(exc)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.departments"))
    return render_template("admin/departments.html", editing=editing, **_lists())


@bp.route("/categories", methods=["GET", "POST"])
@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def categories(category_id: int | None = None):
    """The two-level category tree with each category's responsible kind and time limit."""
    editing = db.session.get(Category, category_id) if category_id else None
    if category_id and editing is None:
        abort(404)
    if request.method == "POST":
        try:
            organisation.save_category(
                db.session,
                category_id,
                request.form.get("code", ""),
                request.form.get("name", ""),
                parse_int(request.form.get("parent_id")),
                request.form.get("department_kind"),
                parse_int(request.form.get("time_limit")),
                request.form.get("keywords", ""),
                _form_flag("active"),
                request.form.get("time_limit_unit", LimitUnit.WORKING_DAYS.value),
            )
        except (ValidationFailed, Conflict, NotFound) as exc:
            flash_errors(exc)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.categories"))
    return render_template(
        "admin/categories.html", editing=editing, units=list(LimitUnit), **_lists()
    )


@bp.route("/rules", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def rules():
    """Explicit routing rules that win over a category's default kind."""
    if request.method == "POST":
        try:
            organisation.add_rule(
                db.session,
                parse_int(request.form.get("category_id")) or 0,
                parse_int(request.form.get("district_id")),
                parse_int(request.form.get("department_id")) or 0,
            )
        except (ValidationFailed, Conflict) as exc:
            flash_errors(exc)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.rules"))
    items = db.session.scalars(select(RoutingRule).order_by(RoutingRule.id)).all()
    return render_template("admin/rules.html", rules=items, **_lists())


@bp.route("/time-limits", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def time_limits():
    """Time limits per order type, category and priority, with their warning thresholds."""
    if request.method == "POST":
        form = request.form
        try:
            organisation.add_limit_rule(
                db.session,
                form.get("order_type") or None,
                parse_int(form.get("category_id")),
                form.get("priority") or None,
                parse_int(form.get("amount")),
                form.get("unit", ""),
                parse_int(form.get("warning_percent")),
            )
        except ValidationFailed as exc:
            flash_errors(exc)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.time_limits"))
    items = db.session.scalars(select(TimeLimitRule).order_by(TimeLimitRule.id)).all()
    return render_template("admin/time_limits.html", rules=items, units=list(LimitUnit), **_lists())


@bp.route("/time-limits/<int:rule_id>/delete", methods=["POST"])
@requires(Permission.ADMINISTER)
def time_limit_delete(rule_id: int):
    """Remove a time-limit rule."""
    try:
        organisation.delete_limit_rule(db.session, rule_id)
    except NotFound:
        abort(404)
    flash(_("Deleted."), "success")
    return redirect(url_for("admin.time_limits"))


@bp.route("/rules/<int:rule_id>/delete", methods=["POST"])
@requires(Permission.ADMINISTER)
def rule_delete(rule_id: int):
    """Remove a routing rule."""
    try:
        organisation.delete_rule(db.session, rule_id)
    except NotFound:
        abort(404)
    flash(_("Deleted."), "success")
    return redirect(url_for("admin.rules"))


@bp.route("/api-clients", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def api_clients():
    """Open311 clients: create one (its key is shown once) or revoke one."""
    new_key = None
    if request.method == "POST":
        try:
            client, new_key = credentials.create_client(
                db.session, request.form.get("name", ""), utcnow()
            )
        except (ValidationFailed, Conflict) as exc:
            flash_errors(exc)
    clients = db.session.scalars(select(ApiClient).order_by(ApiClient.name)).all()
    return render_template("admin/api_clients.html", clients=clients, new_key=new_key)


@bp.route("/api-clients/<int:client_id>/revoke", methods=["POST"])
@requires(Permission.ADMINISTER)
def api_client_revoke(client_id: int):
    """The client's key stops working at once."""
    try:
        credentials.revoke_client(db.session, client_id, utcnow())
    except NotFound:
        abort(404)
    flash(_("Revoked."), "success")
    return redirect(url_for("admin.api_clients"))


@bp.route("/users/<int:user_id>/token", methods=["POST"])
@requires(Permission.ADMINISTER)
def user_token(user_id: int):
    """Issue a new /api/v1 token for a user (replacing the old one); shown once."""
    try:
        token = credentials.issue_user_token(db.session, user_id)
    except NotFound:
        abort(404)
    user = db.session.get(User, user_id)
    return render_template("admin/user_edit.html", user=user, new_token=token, **_lists())


@bp.route("/calendar", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def calendar():
    """Local changes to the working-day calendar, and a warning for years it does not know."""
    if request.method == "POST":
        try:
            day = date.fromisoformat(request.form.get("day", ""))
        except ValueError:
            flash(labels.error_text("invalid_date"), "error")
        else:
            organisation.set_calendar_day(
                db.session, day, request.form.get("kind") == "workday", request.form.get("note", "")
            )
            flash(_("Saved."), "success")
            return redirect(url_for("admin.calendar"))
    this_year = utcnow().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).year
    uncovered = [y for y in (this_year, this_year + 1) if not WorkCalendar.covers(y)]
    overrides = db.session.scalars(select(CalendarOverride).order_by(CalendarOverride.day)).all()
    return render_template("admin/calendar.html", overrides=overrides, uncovered=uncovered)


@bp.route("/calendar/<day>/delete", methods=["POST"])
@requires(Permission.ADMINISTER)
def calendar_delete(day: str):
    """Back to the official calendar for that day."""
    try:
        organisation.clear_calendar_day(db.session, date.fromisoformat(day))
    except (ValueError, NotFound):
        abort(404)
    flash(_("Deleted."), "success")
    return redirect(url_for("admin.calendar"))
