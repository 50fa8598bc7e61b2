"""Surveys (回访): the queue of due surveys and the survey form."""

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hotline import labels
from hotline.core.accounts.permissions import Permission
from hotline.core.surveys import rules
from hotline.database import utcnow
from hotline.extensions import db
from hotline.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hotline.services.surveys import tasks as surveys
from hotline.web.helpers import flash_errors, parse_int, requires

bp = Blueprint("surveys", __name__, url_prefix="/surveys")


@bp.route("")
@requires(Permission.SURVEY)
def queue():
    """Callbacks whose time has come, oldest first."""
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


@bp.route("/<int:survey_id>", methods=["GET", "POST"])
@requires(Permission.SURVEY)
def form(survey_id: int):
    """The survey form for one task; POST records one call."""
    try:
        task = surveys.get(db.session, current_user.id, survey_id)
    except (NotFound, Forbidden):
        abort(404)
    if request.method == "GET":
        return _render(task, {}, {})
    data = request.form.to_dict()
    timezone = current_app.config["TIMEZONE"]
    try:
        result = rules.parse_call(data, ZoneInfo(timezone))
        task = surveys.record_call(
            db.session, current_user.id, survey_id, result, utcnow(), timezone,
            expected_version=parse_int(data.get("version")),
        )  # fmt: skip
    except rules.SurveyInputError as exc:
        return _render(task, exc.errors, data, 422)
    except ValidationFailed as exc:
        db.session.rollback()
        task = surveys.get(db.session, current_user.id, survey_id)
        return _render(task, exc.errors, data, 422)
    except Conflict as exc:
        db.session.rollback()
        flash_errors(exc)
        return redirect(url_for("surveys.form", survey_id=survey_id)), 303
    except (NotFound, Forbidden):
        abort(404)
    if task.reopened:
        flash(_("Recorded. The order was reopened to %(department)s.",
                department=task.order.department.name if task.order.department else "—"),
              "success")  # fmt: skip
    else:
        flash(_("Recorded."), "success")
    return redirect(url_for("surveys.queue")), 303
