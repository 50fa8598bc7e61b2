"""Admin pages for deadlines: time-limit rules and the working-day calendar."""

from datetime import date

from flask import abort, current_app, redirect, render_template, url_for

from hotline.core.accounts.permissions import Permission
from hotline.core.deadlines.limits import LimitUnit
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.deadlines import settings
from hotline.web.admin import bp, deleted, saved
from hotline.web.admin.forms import CalendarForm, TimeLimitForm
from hotline.web.admin.organisation import page
from hotline.web.helpers import requires


@bp.route("/time-limits", methods=["GET", "POST"])
@requires(Permission.MANAGE_CONFIGURATION)
def time_limits():
    """Time limits per order type, category and priority, with their warning thresholds."""
    form = TimeLimitForm()
    if saved(form, settings.add_limit_rule, db.session):
        return redirect(url_for("admin.time_limits"))
    rules = settings.limit_rules(db.session)
    return page("admin/time_limits.html", rules=rules, form=form, units=list(LimitUnit))


@bp.route("/time-limits/<int:rule_id>/delete", methods=["POST"])
@requires(Permission.MANAGE_CONFIGURATION)
def time_limit_delete(rule_id: int):
    """Remove a time-limit rule."""
    settings.delete_limit_rule(db.session, rule_id)
    return deleted("admin.time_limits")


@bp.route("/calendar", methods=["GET", "POST"])
@requires(Permission.MANAGE_CONFIGURATION)
def calendar():
    """Local changes to the working-day calendar, and a warning for years it does not know."""
    form = CalendarForm()
    if saved(form, settings.set_calendar_day, db.session):
        return redirect(url_for("admin.calendar"))
    return render_template(
        "admin/calendar.html",
        form=form,
        overrides=settings.calendar_overrides(db.session),
        uncovered=settings.uncovered_years(now=utcnow(), timezone=current_app.config["TIMEZONE"]),
    )


@bp.route("/calendar/<day>/delete", methods=["POST"])
@requires(Permission.MANAGE_CONFIGURATION)
def calendar_delete(day: str):
    """Back to the official calendar for that day."""
    try:
        when = date.fromisoformat(day)
    except ValueError:
        abort(404)  # not a day: no such page
    settings.clear_calendar_day(db.session, when)
    return deleted("admin.calendar")
