"""The audit administrator's pages, read only: the security log and the audit trail across
orders, filtered, newest first, with "older" pages."""

from datetime import date

from flask import current_app, render_template, request

from hotline.core import days
from hotline.core.accounts.permissions import Permission
from hotline.core.accounts.security import SecurityKind
from hotline.core.orders.audit_actions import AuditAction
from hotline.labels import SECURITY_KIND_LABELS
from hotline.plugins import db
from hotline.services.accounts import auditing
from hotline.web.admin import bp
from hotline.web.helpers import parse_int, requires


def _day(value: str | None) -> date | None:
    try:
        day = date.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return day if days.in_range(day) else None


def _filters(kinds: set[str]) -> auditing.Filter:
    """The filter from the query string; an unknown kind or a malformed day is ignored."""
    args = request.args
    kind = args.get("kind", "")
    return auditing.Filter(
        kind=kind if kind in kinds else "",
        username=args.get("username", "")[:64],
        order_number=args.get("order", "")[:32],
        first_day=_day(args.get("from")),
        last_day=_day(args.get("to")),
        before_id=parse_int(args.get("before")),
    )


def _args() -> dict[str, str]:
    """The filter's query arguments, to carry over to the "older" link."""
    return {k: v for k, v in request.args.items() if k != "before" and v}


@bp.route("/security-log")
@requires(Permission.READ_SECURITY_LOG)
def security_log():
    """Logins, failures, lock-outs, account and credential changes, reads of protected data."""
    filters = _filters({k.value for k in SecurityKind})
    page = auditing.security_log(
        db.session, filters=filters, timezone=current_app.config["TIMEZONE"]
    )
    return render_template(
        "admin/security_log.html",
        page=page,
        filters=filters,
        args=_args(),
        kinds=list(SecurityKind),
        security_kind_labels=SECURITY_KIND_LABELS,
    )


@bp.route("/audit-trail")
@requires(Permission.READ_AUDIT_TRAIL)
def audit_trail():
    """Every order's audit events: who did what to which order, when."""
    filters = _filters({a.value for a in AuditAction})
    page = auditing.audit_trail(
        db.session, filters=filters, timezone=current_app.config["TIMEZONE"]
    )
    return render_template(
        "admin/audit_trail.html",
        page=page,
        filters=filters,
        args=_args(),
        actions=list(AuditAction),
    )
