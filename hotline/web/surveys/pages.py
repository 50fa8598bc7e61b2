"""Surveys (回访): the queue of due surveys and the survey form."""

from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hotline import labels
from hotline.core.accounts.permissions import Permission
from hotline.core.surveys import rules
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.errors import ValidationFailed
from hotline.services.orders import disclosure
from hotline.services.surveys import tasks as surveys
from hotline.web.errors import returns_to
from hotline.web.helpers import requires
from hotline.web.surveys.forms import SurveyForm

bp = Blueprint("surveys", __name__)


@bp.route("/surveys")
@requires(Permission.SURVEY)
def queue():
    """Surveys whose time has come, oldest first."""
    now = utcnow()
    return render_template(
        "surveys/queue.html",
        tasks=surveys.due(db.session, now),
        upcoming=surveys.upcoming_count(db.session, now),
    )


def _render(task, errors: dict[str, str], form: dict, status: int = 200):
    return (
        render_template(
            "surveys/form.html",
            task=task,
            order=task.order,
            history=surveys.for_order(db.session, task.order_id),
            errors={k: labels.error_text(v) for k, v in errors.items()},
            form=form,
            outcomes=list(rules.Outcome),
            satisfactions=list(rules.Satisfaction),
            attitudes=list(rules.Attitude),
            max_attempts=rules.MAX_ATTEMPTS,
        ),
        status,
    )


@bp.route("/surveys/<int:survey_id>", methods=["GET", "POST"])
@requires(Permission.SURVEY)
@returns_to("surveys.form")
def form(survey_id: int):
    """The survey form for one task; POST records one call."""
    task = surveys.get(db.session, actor_id=current_user.id, survey_id=survey_id)
    if request.method == "GET":
        # The surveyor sees the number to call: that read is logged.
        disclosure.log_order_read(
            db.session,
            actor=current_user,
            order=task.order,
            ip=request.remote_addr or "",
            now=utcnow(),
        )
        return _render(task, {}, {})
    posted = SurveyForm()
    timezone = current_app.config["TIMEZONE"]
    try:
        task = surveys.record_call(
            db.session,
            actor_id=current_user.id,
            survey_id=survey_id,
            result=posted.call(ZoneInfo(timezone)),
            now=utcnow(),
            timezone=timezone,
            expected_version=posted.version.data,
        )
    # Not left to the app's handler: the form comes back with what the operator typed.
    except rules.SurveyInputError as exc:
        return _render(task, exc.errors, posted.typed(), 422)
    except ValidationFailed as exc:
        db.session.rollback()
        task = surveys.get(db.session, actor_id=current_user.id, survey_id=survey_id)
        return _render(task, exc.errors, posted.typed(), 422)
    flash(_recorded(task), "success")
    return redirect(url_for("surveys.queue")), 303


def _recorded(task) -> str:
    """The confirmation, naming the department when the order went back to it."""
    if not task.reopened:
        return _("Recorded.")
    department = task.order.department.name if task.order.department else "—"
    return _("Recorded. The order was reopened to %(department)s.", department=department)


@bp.route("/callbacks", defaults={"survey_id": None}, strict_slashes=False)
@bp.route("/callbacks/<int:survey_id>")
@requires(Permission.SURVEY)
def old_address(survey_id: int | None):
    """The pages' address before surveys had their own name: bookmarks still arrive."""
    target = url_for("surveys.form", survey_id=survey_id) if survey_id else url_for("surveys.queue")
    return redirect(target), 301
