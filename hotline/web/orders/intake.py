"""The intake desk: record a call, preview its routing, see the caller's earlier queries."""

from flask import (
    Blueprint,
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

from hotline import labels
from hotline.core import phone
from hotline.core.accounts.permissions import Permission
from hotline.core.orders.attachments import AttachmentKind
from hotline.core.orders.intake import Channel, IntakeValidationError, OrderType, parse_intake
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.errors import ValidationFailed
from hotline.services.kb import usage as kb_usage
from hotline.services.orders import disclosure, follow_ups, intake, queries
from hotline.services.telephony import records
from hotline.services.units import directory
from hotline.web import observability
from hotline.web.helpers import parse_int, requires
from hotline.web.maps import district_map
from hotline.web.orders import attachments

bp = Blueprint("intake", __name__, url_prefix="/intake")


def _render_form(form: dict, errors: dict[str, str], status: int = 200):
    return (
        render_template(
            "orders/intake.html",
            form=form,
            errors={k: labels.error_text(v) for k, v in errors.items()},
            tree=directory.category_tree(db.session),
            districts=directory.districts(db.session),
            streets=directory.streets(db.session),
            channels=list(Channel),
            order_types=list(OrderType),
            fmap=district_map(),
        ),
        status,
    )


@bp.route("", methods=["GET"])
@requires(Permission.TAKE_CALLS)
def form():
    """An empty intake form; for a call the user's phone took, its number and reference."""
    form = {"channel": "phone", "order_type": "complaint"}
    call = records.taken_by(
        db.session, call_id=parse_int(request.args.get("call")), user_id=current_user.id
    )
    if call is not None:
        form.update(caller_phone=call.caller, call_ref=str(call.id))
    return _render_form(form, {})


@bp.route("", methods=["POST"])
@requires(Permission.TAKE_CALLS)
def submit():
    """Validate, create the order, and go to it (post/redirect/get)."""
    data = request.form.to_dict()
    try:
        call = parse_intake(data)
        # Checked before the order exists; a confidential report takes photos only.
        files = attachments.prepare(AttachmentKind.INTAKE, confidential=call.confidential)
        result = intake.register_call(
            db.session,
            request=call,
            actor_id=current_user.id,
            now=utcnow(),
            timezone=current_app.config["TIMEZONE"],
            survey_when_closed_at_intake=current_app.config["SURVEY_AFTER_INTAKE_CLOSE"],
            on_created=_hooks(
                kb_usage.on_intake(
                    db.session,
                    article_id=parse_int(data.get("kb_article_id")),
                    query=data.get("kb_query", ""),
                    inquiry=call.order_type is OrderType.INQUIRY,
                    user_id=current_user.id,
                    now=utcnow(),
                ),
                # The phone call this order came from records it (screen pop's reference).
                records.link_hook(
                    db.session, call_id=parse_int(data.get("call_ref")), user_id=current_user.id
                ),
            ),
        )
    except (IntakeValidationError, ValidationFailed) as exc:
        # Not left to the app's handler: the form comes back with what the operator typed.
        return _render_form(data, exc.errors, 422)
    attachments.store(result.number, files, AttachmentKind.INTAKE)
    observability.count_intake(call.channel.value)
    flash(_("Work order %(number)s created.", number=result.number), "success")
    return redirect(url_for("orders.detail", number=result.number))


def _hooks(*hooks):
    """One `on_created` hook that runs each of `hooks` in the order's transaction."""

    def run(order_id: int) -> None:
        for hook in hooks:
            hook(order_id)

    return run


def _float(name: str) -> float | None:
    try:
        return float(request.args.get(name, ""))
    except ValueError:
        return None


@bp.route("/preview")
@requires(Permission.TAKE_CALLS)
def preview():
    """Which department an order would go to, and why (JSON for the form's script)."""
    try:
        result = intake.preview_route(
            db.session,
            category_code=request.args.get("category_code", ""),
            lon=_float("lon"),
            lat=_float("lat"),
            district_code=request.args.get("district_code") or None,
            street_code=request.args.get("street_code") or None,
            address=(request.args.get("address") or "")[:200],
        )
    except ValidationFailed as exc:
        # The form's script reads {ok: false, errors}: not the app handler's JSON shape.
        return jsonify(ok=False, errors={k: labels.error_text(v) for k, v in exc.errors.items()})
    department = result.decision.department
    reason = "outside_all_jurisdictions" if result.outside_city else result.decision.reason
    return jsonify(
        ok=True,
        department=department.name if department else None,
        district=result.district_name,
        district_code=result.district_code,
        street=result.street_name,
        street_code=result.street_code,
        street_source=result.street_source,
        reason=str(labels.REASON_LABELS.get(reason, reason)),
        manual=department is None,
    )


@bp.route("/history")
@requires(Permission.TAKE_CALLS)
def history():
    """The caller's earlier orders (repeat callers)."""
    number = phone.normalise(request.args.get("phone", ""))
    if number is None:
        return jsonify(orders=[])
    items = queries.caller_history(db.session, number)
    disclosure.log_phone_search(
        db.session,
        actor=current_user,
        number=number,
        results=len(items),
        ip=request.remote_addr or "",
        now=utcnow(),
    )
    return jsonify(
        orders=[
            {
                "number": o.number,
                "url": url_for("orders.detail", number=o.number),
                "created": o.created_at.isoformat(),
                "type": str(labels.TYPE_LABELS[o.order_type]),
                "category": o.category.name,
                "state": str(labels.STATE_LABELS[o.state]),
                # 追加诉求: a call about an open order is linked to it, not a new order.
                "follow_up_url": url_for("intake.follow_up", number=o.number)
                if follow_ups.is_open(o)
                else None,
            }
            for o in items
        ]
    )


def _follow_up_page(order, text: str = "", errors: dict[str, str] | None = None, status=200):
    return (
        render_template(
            "orders/follow_up.html",
            order=order,
            is_open=follow_ups.is_open(order),
            text=text,
            channels=list(Channel),
            errors={k: labels.error_text(v) for k, v in (errors or {}).items()},
            max_text=follow_ups.MAX_NOTE,
        ),
        status,
    )


@bp.route("/follow-up/<number>", methods=["GET", "POST"])
@requires(Permission.TAKE_CALLS)
def follow_up(number: str):
    """追加诉求: link the caller's new call to their open order (GET shows the form)."""
    order = follow_ups.order_for_follow_up(db.session, actor_id=current_user.id, number=number)
    if request.method == "GET":
        return _follow_up_page(order)
    text = request.form.get("text", "")
    try:
        follow_ups.link_call(
            db.session,
            number=number,
            actor_id=current_user.id,
            text=text,
            channel=request.form.get("channel", Channel.PHONE.value),
            now=utcnow(),
        )
    except ValidationFailed as exc:
        # The form again with what the operator typed (and, for a closed order, why not).
        return _follow_up_page(order, text, exc.errors, 422)
    flash(_("The call was linked to work order %(number)s.", number=number), "success")
    return redirect(url_for("orders.detail", number=number))


@bp.route("/mailbox")
@requires(Permission.TAKE_CALLS)
def mailbox_queue():
    """Letters from the web mailbox, waiting to be classified and routed."""
    return render_template("orders/mailbox.html", items=queries.mailbox_queue(db.session))
