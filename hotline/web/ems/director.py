"""主任查询: live counts, the bulletin board, the period's statistics against 环比 and 同比
(the monthly report's 120 section shows the same rows), and the incident history's search
and export."""

from collections.abc import Mapping
from datetime import date
from zoneinfo import ZoneInfo

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hotline.core import days
from hotline.core.accounts.permissions import Permission, allows
from hotline.core.ems.vocabulary import DISPATCH_TARGET_SECONDS, TRIAGE_LEVELS, IncidentState
from hotline.core.reports.periods import Period, PeriodKind, period_for
from hotline.database import utcnow
from hotline.labels.ems_codes import complaint_label, diagnosis_label
from hotline.labels.ems_statistics import LINK_LABELS, TOTAL_LABELS, WEEKDAY_LABELS
from hotline.plugins import db
from hotline.services.ems import bulletins, incidents, statistics_report, statistics_search
from hotline.services.ems import director as figures
from hotline.services.ems.statistics_search import Filters
from hotline.services.reports.files import to_csv
from hotline.web.ems import bp
from hotline.web.ems.forms import BulletinForm
from hotline.web.errors import returns_to
from hotline.web.helpers import parse_int, requires

KINDS = ("month", "week", "day", "range")
# A range (with its 环比 and 同比 ranges) is computed on every GET: a year at most.
MAX_DAYS = 366


def _today() -> date:
    return utcnow().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def _date(value: str | None) -> date | None:
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if days.in_range(day) else None


def parse_period(args: Mapping[str, str], today: date) -> Period | None:
    """The period asked for: a month (default), week or day containing `on`, or a range
    from `from` to `to` (this month when a date is wrong; None over MAX_DAYS days)."""
    kind = args.get("kind") if args.get("kind") in KINDS else "month"
    if kind == "range":
        start, end = _date(args.get("from")), _date(args.get("to"))
        if start and end and start <= end:
            too_long = (end - start).days + 1 > MAX_DAYS
            return None if too_long else Period(PeriodKind.RANGE, start, end)
        kind = "month"
    return period_for(PeriodKind(kind), _date(args.get("on")) or today)


def _medical() -> bool:
    # A chief complaint is medical data: for the 120 roles only, not for officials.
    return allows(current_user.role_enum, Permission.EMS_MEDICAL)


def _names() -> dict:
    """The rows' names for the statistics' tables."""
    return {
        "link_labels": LINK_LABELS,
        "total_labels": TOTAL_LABELS,
        "weekday_labels": WEEKDAY_LABELS,
        "complaint_label": complaint_label,
        "diagnosis_label": diagnosis_label,
        "rows": statistics_report,
    }


@bp.route("/ems/director")
@requires(Permission.EMS_DIRECTOR)
def director():
    """Live counts, bulletins, the last incidents and the period's statistics."""
    now, timezone = utcnow(), current_app.config["TIMEZONE"]
    period = parse_period(request.args, _today())
    if period is None:
        message = _("Range too long: at most %(days)d days.", days=MAX_DAYS)
        return render_template("error.html", code=422, messages={"to": message}), 422
    return render_template(
        "ems/director.html",
        live=figures.live_counts(db.session, now=now),
        bulletins=bulletins.bulletins(db.session),
        history=incidents.recent_incidents(db.session, limit=20),
        figures=figures.recent_figures(db.session, now=now),
        target=DISPATCH_TARGET_SECONDS,
        stats=statistics_report.report(db.session, period=period, timezone=timezone),
        kind=request.args.get("kind") if request.args.get("kind") in KINDS else "month",
        can_post=allows(current_user.role_enum, Permission.POST_BULLETINS),
        can_open_incidents=allows(current_user.role_enum, Permission.EMS_DISPATCH),
        can_read_medical=_medical(),
        **_names(),
    )


@bp.route("/ems/director", methods=["POST"])
@requires(Permission.POST_BULLETINS)
@returns_to("ems.director")
def post_bulletin():
    """A supervisor's bulletin."""
    form = BulletinForm()
    bulletins.post_bulletin(db.session, actor_id=current_user.id, text=form.text.data, now=utcnow())
    flash(_("Saved."), "success")
    return redirect(url_for("ems.director")), 303


def parse_filters(args: Mapping[str, str], medical: bool) -> Filters:
    """The history's filters from the query string (a wrong value: that filter is off; the
    patients' complaint category only for those who may read medical data)."""
    triage = parse_int(args.get("triage"))
    outcome = args.get("outcome") or None
    return Filters(
        date_from=_date(args.get("from")),
        date_to=_date(args.get("to")),
        district_code=(args.get("district") or "")[:16] or None,
        triage=triage if triage in TRIAGE_LEVELS else None,
        complaint_code=((args.get("complaint") or "")[:16] or None) if medical else None,
        hospital_id=parse_int(args.get("hospital")),
        vehicle_id=parse_int(args.get("vehicle")),
        outcome=outcome if outcome in {s.value for s in IncidentState} else None,
    )


@bp.route("/ems/director/incidents")
@requires(Permission.EMS_DIRECTOR)
def director_incidents():
    """The incident history, searched and paged."""
    medical = _medical()
    filters = parse_filters(request.args, medical)
    page = parse_int(request.args.get("page")) or 1
    total, found = statistics_search.search(
        db.session, filters, timezone=current_app.config["TIMEZONE"], medical=medical, page=page
    )
    return render_template(
        "ems/director_incidents.html",
        filters=filters,
        total=total,
        found=found,
        page=page,
        pages=max(1, -(-total // statistics_search.PAGE_SIZE)),
        choices=statistics_search.choices(db.session),
        outcomes=[s.value for s in IncidentState],
        triage_levels=TRIAGE_LEVELS,
        complaint_label=complaint_label,
        args={k: v for k, v in request.args.items() if k != "page"},
        can_open_incidents=allows(current_user.role_enum, Permission.EMS_DISPATCH),
        can_read_medical=medical,
    )


@bp.route("/ems/director/incidents/export")
@requires(Permission.EMS_DIRECTOR)
def director_incidents_export() -> Response:
    """The searched history as CSV (UTF-8 with BOM; no caller phone); logged."""
    medical = _medical()
    rows = statistics_search.export(
        db.session,
        parse_filters(request.args, medical),
        timezone=current_app.config["TIMEZONE"],
        medical=medical,
        actor_id=current_user.id,
        ip=request.remote_addr or "",
        now=utcnow(),
    )
    name = f"incidents-{_today().isoformat()}.csv"
    header = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(to_csv(rows), mimetype="text/csv", headers=header)
