"""Permission checks, template helpers and small parsing utilities for views."""

from functools import wraps
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from flask import Flask, abort, current_app, flash, jsonify, request
from flask_login import current_user, login_required

from hotline import labels
from hotline.core.accounts import privacy
from hotline.core.accounts.permissions import Permission, allows
from hotline.core.accounts.roles import Role
from hotline.core.orders.workflow import OPEN_STATES
from hotline.core.phone import mask as phone_mask
from hotline.database import utcnow
from hotline.services.errors import ServiceError, ValidationFailed
from hotline.web import menu


def requires(permission: Permission):
    """Login, then the permission table: 403 (JSON for API callers) when the role lacks it."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not allows(current_user.role_enum, permission):
                if request.accept_mimetypes.best == "application/json":
                    return jsonify(error="forbidden"), 403
                abort(403)
            return view(*args, **kwargs)

        wrapped.permission = permission  # read by the menu and the authorization tests
        return wrapped

    return decorator


def hidden_unless(*permissions: Permission):
    """Login, then 404 for a role with none of `permissions`: for personal health data, whose
    very existence is not told (the object checks follow in the service)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not any(allows(current_user.role_enum, p) for p in permissions):
                abort(404)
            return view(*args, **kwargs)

        wrapped.permission = permissions[0]  # read by the menu and the authorization tests
        wrapped.permissions = permissions
        wrapped.hidden = True  # refused with 404, not 403
        return wrapped

    return decorator


def flash_errors(exc: ServiceError) -> None:
    """Show a service's refusal as messages: one per field, or one for the whole action."""
    if isinstance(exc, ValidationFailed):
        for code in exc.errors.values():
            flash(labels.error_text(code), "error")
    else:
        flash(labels.error_text(exc.code), "error")


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, whatever its encoding; else None."""
    if not target:
        return None
    decoded = unquote(target)
    parts = urlsplit(decoded)
    if parts.scheme or parts.netloc or not decoded.startswith("/"):
        return None
    # "//host" and "/\\host" are read by browsers as another host.
    if decoded.startswith("//") or "\\" in decoded or any(ord(c) < 32 for c in decoded):
        return None
    return target


# The largest id a column can hold (PostgreSQL integer): bigger ones are not ids, not 500s.
MAX_ID = 2**31 - 1


def parse_int(value: str | None) -> int | None:
    """An int from a form field, or None when empty, not a number (ASCII digits only: "²"
    is a digit to `isdigit`) or too big for a database id (a 32-bit integer)."""
    if value is None:
        return None
    value = value.strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        return None
    number = int(value)
    return number if number <= MAX_ID else None


def caller(order, listing: bool = False) -> dict[str, str]:
    """The caller's name, phone and address as the current user may see them (in a list of
    orders: masked)."""
    role = current_user.role_enum
    handling = privacy.handles(role, current_user.department_id, order.department_id)
    shown = {"listing": listing, "handling": handling}
    visibility = privacy.caller_visibility(role, order.confidential, **shown)
    if visibility is privacy.CallerVisibility.HIDDEN:
        return {"hidden": "1", "name": "", "phone": "", "address": ""}
    full = visibility is privacy.CallerVisibility.FULL
    return {
        "hidden": "",
        "name": order.caller_name,
        "phone": privacy.shown_phone(role, order.confidential, order.caller_phone, **shown),
        "address": order.caller_address if full else "",
    }


def local_time(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC datetime shown in the hotline's time zone."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime(fmt)


def _answers_calls() -> bool:
    """Whether the page shows the phone bar: the user's role answers calls."""
    return current_user.is_authenticated and allows(current_user.role_enum, Permission.ANSWER_CALLS)


def init_app(app: Flask) -> None:
    """Make the helpers available to templates."""
    app.jinja_env.globals.update(
        menu=menu.menu,
        caller=caller,
        Role=Role,
        role_labels=labels.ROLE_LABELS,
        state_labels=labels.STATE_LABELS,
        action_labels=labels.ACTION_LABELS,
        type_labels=labels.TYPE_LABELS,
        channel_labels=labels.CHANNEL_LABELS,
        kind_labels=labels.KIND_LABELS,
        reason_labels=labels.REASON_LABELS,
        unit_labels=labels.UNIT_LABELS,
        level_labels=labels.LEVEL_LABELS,
        error_text=labels.error_text,
        survey_state_labels=labels.SURVEY_STATE_LABELS,
        priority_labels=labels.PRIORITY_LABELS,
        period_labels=labels.PERIOD_LABELS,
        capability_labels=labels.CAPABILITY_LABELS,
        vehicle_status_labels=labels.VEHICLE_STATUS_LABELS,
        health_check_labels=labels.HEALTH_CHECK_LABELS,
        stamp_labels=labels.STAMP_LABELS,
        incident_state_labels=labels.INCIDENT_STATE_LABELS,
        withdraw_labels=labels.WITHDRAW_LABELS,
        incident_action_labels=labels.INCIDENT_ACTION_LABELS,
        outcome_labels=labels.OUTCOME_LABELS,
        satisfaction_labels=labels.SATISFACTION_LABELS,
        attitude_labels=labels.ATTITUDE_LABELS,
        key_figure_labels=labels.KEY_FIGURE_LABELS,
        task_kind_labels=labels.TASK_KIND_LABELS,
        arbitration_labels=labels.ARBITRATION_LABELS,
        task_state_labels=labels.TASK_STATE_LABELS,
        task_action_labels=labels.TASK_ACTION_LABELS,
        agent_state_labels=labels.AGENT_STATE_LABELS,
        call_outcome_labels=labels.CALL_OUTCOME_LABELS,
        call_state_labels=labels.CALL_STATE_LABELS,
        answers_calls=_answers_calls,
        masked_phone=phone_mask,
    )
    app.jinja_env.filters["local"] = local_time

    @app.context_processor
    def _now() -> dict:
        return {"now": utcnow(), "open_states": OPEN_STATES}
