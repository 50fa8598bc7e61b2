"""The call records for supervisors: search, the live view of agents and waiting calls,
and `GET /api/v1/calls?since=...` (a token of a role that may read them)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask_login import current_user

from hotline import labels
from hotline.core import phone
from hotline.core.accounts.permissions import Permission
from hotline.core.telephony.calls import CallOutcome
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.orders import disclosure
from hotline.services.telephony import recordings, records
from hotline.web.api import bp as api_bp
from hotline.web.api import refuse, since_argument
from hotline.web.api.tokens import token_required
from hotline.web.helpers import parse_int, requires
from hotline.web.telephony import line_settings

bp = Blueprint("calls", __name__, url_prefix="/calls")


def _day(name: str, default: datetime) -> datetime:
    """A date argument (YYYY-MM-DD, local) as the UTC start of that day."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    try:
        day = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return default
    if not 2000 <= day.year <= 2999:  # 0001-01-01 in Beijing is before year 1 in UTC
        return default
    return datetime.combine(day, time(), tzinfo=zone).astimezone(ZoneInfo("UTC"))


@bp.route("")
@requires(Permission.READ_CALLS)
def search():
    """Call records of a period (default today), by outcome, agent or caller's number."""
    now = utcnow()
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    local_midnight = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    since = _day("from", local_midnight.astimezone(ZoneInfo("UTC")))
    until = _day("to", since) + timedelta(days=1)
    outcome = request.args.get("outcome", "")
    query = records.CallQuery(
        since=since,
        until=until,
        outcome=outcome if outcome in {o.value for o in CallOutcome} else "",
        agent_id=parse_int(request.args.get("agent")),
        caller=phone.normalise(request.args.get("caller", "")) or "",
        after_id=parse_int(request.args.get("after")) or 0,
    )
    calls = records.search(db.session, query)
    if query.caller:  # a search by a caller's number is logged, as the orders' search is
        disclosure.log_phone_search(
            db.session,
            actor=current_user,
            number=query.caller,
            results=len(calls),
            ip=request.remote_addr or "",
            now=now,
        )
    return render_template(
        "telephony/calls.html",
        calls=calls,
        query=query,
        outcomes=list(CallOutcome),
        live=records.live(db.session, now=now, line=line_settings()),
        page=records.PAGE,
    )


@bp.route("/<int:call_id>/recording")
@requires(Permission.PLAY_RECORDINGS)
def recording(call_id: int):
    """The call's recording as WAV: supervisors any call, agents the calls they answered
    (404 otherwise); every play in the security log."""
    wav = recordings.play(
        db.session,
        user=current_user,
        call_id=call_id,
        folder=recordings.recordings_folder(current_app),
        now=utcnow(),
        ip=request.remote_addr or "",
    )
    response = Response(wav, mimetype="audio/wav")
    response.headers["Cache-Control"] = "no-store"  # evidence: not kept by the browser
    return response


@bp.route("/live")
@requires(Permission.READ_CALLS)
def live():
    """Agents by state and calls waiting, for the supervisor's page to refresh."""
    return jsonify(live_json(records.live(db.session, now=utcnow(), line=line_settings())))


def live_json(view: records.LiveView) -> dict:
    """The live view as JSON (the calls page and the wallboard)."""
    return {
        "by_state": {
            state: {"count": count, "label": str(labels.AGENT_STATE_LABELS[state])}
            for state, count in view.by_state.items()
        },
        "waiting": view.waiting,
        "longest_wait_seconds": view.longest_wait_seconds,
        "agents": [
            {
                "name": agent.user.display_name,
                "extension": agent.extension,
                "state": state.value,
                "state_label": str(labels.AGENT_STATE_LABELS[state.value]),
            }
            for agent, state in view.agents
        ],
    }


@api_bp.route("/calls")
@token_required(Permission.READ_CALLS)
def api_calls():
    """Call records since `since` (ISO 8601 with a time zone; default: the last day),
    oldest first, at most a page; `after` (an earlier page's last `id`) for the next."""
    try:
        since = since_argument(utcnow() - timedelta(days=1))
    except ValueError as exc:
        return refuse(400, "invalid", str(exc))
    query = records.CallQuery(
        since=since,
        until=utcnow() + timedelta(days=1),
        after_id=parse_int(request.args.get("after")) or 0,
    )
    calls = records.search(db.session, query)
    return jsonify({"items": [{"id": c.id, **records.api_item(c)} for c in calls]})
