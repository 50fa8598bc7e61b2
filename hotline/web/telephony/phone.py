"""The agent's phone bar on every page: 签入/签出, 示闲, 示忙, 小休, and the screen pop
(the caller's number, a lock warning and their earlier orders, within a second of the
ring: the page asks every half second, a read of one row by primary key)."""

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_login import current_user

from hotline import labels
from hotline.core.accounts.permissions import Permission
from hotline.core.orders.workflow import OPEN_STATES
from hotline.core.telephony.agents import AgentState
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.telephony import agents, dialing, records
from hotline.web.helpers import parse_int, requires
from hotline.web.telephony import line_settings

bp = Blueprint("phone", __name__, url_prefix="/phone")


def _state_json(agent, pop) -> dict:
    if agent is None:
        return {"phone": False}
    state = pop.state if pop else AgentState(agent.state)
    if state is AgentState.AFTER_CALL and agent.after_call_until <= utcnow():
        state = AgentState.READY
    body = {
        "phone": True,
        "extension": agent.extension,
        "state": state.value,
        "state_label": str(labels.AGENT_STATE_LABELS[state.value]),
        "break_reason": agent.break_reason,
        "registered": bool(agent.registered_until and agent.registered_until > utcnow()),
        "call": None,
    }
    if pop is not None:
        body["call"] = _call_json(pop)
    return body


def _call_json(pop) -> dict:
    call = pop.call
    return {
        "id": call.id,
        "caller": call.caller,
        "queue": call.queue,
        "flagged": call.flagged,
        "ringing": pop.state is AgentState.RINGING,
        "intake_url": url_for("intake.form", call=call.id),
        "history": [
            {
                "number": order.number,
                "url": url_for("orders.detail", number=order.number),
                "created": order.created_at.isoformat(),
                "category": order.category.name,
                "state": str(labels.STATE_LABELS[order.state]),
                "open": order.state in OPEN_STATES,
            }
            for order in pop.history
        ],
    }


@bp.route("/state")
@requires(Permission.ANSWER_CALLS)
def state():
    """The agent's phone state and, while a call rings or talks, the screen pop."""
    agent, pop = records.screen_pop(
        db.session, user_id=current_user.id, role=current_user.role_enum, now=utcnow()
    )
    return jsonify(_state_json(agent, pop))


@bp.route("/state", methods=["POST"])
@requires(Permission.ANSWER_CALLS)
def choose():
    """The agent chooses signed out, ready, busy or a break (with a reason)."""
    agent = agents.choose_state(
        db.session,
        user_id=current_user.id,
        wanted=(request.form.get("state") or "")[:16],
        reason=(request.form.get("reason") or "")[:200],
        now=utcnow(),
    )
    return jsonify(_state_json(agent, None))


@bp.route("/missed")
@requires(Permission.ANSWER_CALLS)
def missed():
    """回拨: the last day's missed calls of the agent's queues that nobody returned yet."""
    calls = records.missed_calls(
        db.session, user_id=current_user.id, now=utcnow(), line=line_settings()
    )
    return render_template("telephony/missed.html", calls=calls)


@bp.route("/return", methods=["POST"])
@requires(Permission.ANSWER_CALLS)
def return_call():
    """Call a missed caller back from the agent's own phone (a one-use SIP address)."""
    token, shown = dialing.request_return(
        db.session,
        user=current_user,
        call_id=parse_int(request.form.get("call")) or 0,
        now=utcnow(),
    )
    return jsonify(uri=f"sip:{token}@{current_app.config['TELEPHONY_SIP_DOMAIN']}", number=shown)


@bp.route("/dial", methods=["POST"])
@requires(Permission.ANSWER_CALLS)
def dial():
    """Click to call an order's caller: the one-use SIP address the agent's phone dials,
    and the number as this role may see it (never the full number where it is masked)."""
    token, shown = dialing.request_dial(
        db.session,
        user=current_user,
        order_number=(request.form.get("order") or "")[:32],
        now=utcnow(),
    )
    domain = current_app.config["TELEPHONY_SIP_DOMAIN"]
    return jsonify(uri=f"sip:{token}@{domain}", number=shown)
