"""Order pages: search, detail with timeline, actions, the desk's and departments' queues."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hotline import labels
from hotline.core.accounts import privacy
from hotline.core.accounts.permissions import Permission, allows
from hotline.core.accounts.roles import Role
from hotline.core.orders import workflow
from hotline.core.orders.attachments import AttachmentKind
from hotline.core.orders.intake import OrderType
from hotline.core.orders.search import parse_filters
from hotline.core.orders.workflow import Action, State, Step
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.orders import duplicates as merges
from hotline.services.orders import handling, pages, queries
from hotline.web.errors import returns_to
from hotline.web.fields import member_or_404
from hotline.web.helpers import parse_int, requires
from hotline.web.orders import attachments, co_handling, duplicates
from hotline.web.orders.forms import ActionForm

bp = Blueprint("orders", __name__, url_prefix="/orders")
attachments.install(bp)  # the files on an order: /orders/<number>/attachments/...
co_handling.install(bp)  # assistance and second-level dispatch: /orders/<number>/assist, ...
duplicates.install(bp)  # 并单: /orders/similar, /orders/<number>/merge and /unmerge


@bp.route("")
@requires(Permission.READ_ORDERS)
def search():
    """Search by number, phone, dates, state, type, district, department and category."""
    filters, errors = parse_filters(request.args.to_dict())
    page = queries.search(
        db.session,
        actor=current_user,
        filters=filters,
        page=parse_int(request.args.get("page")) or 1,
        page_size=current_app.config["PAGE_SIZE"],
        timezone=current_app.config["TIMEZONE"],
        ip=request.remote_addr or "",
        now=utcnow(),
    )
    choices = pages.search_choices(db.session, current_user)
    return render_template(
        "orders/search.html",
        page=page,
        args={k: v for k, v in request.args.items() if k != "page" and v},
        errors={k: labels.error_text(v) for k, v in errors.items()},
        states=list(State),
        order_types=list(OrderType),
        districts=choices.districts,
        departments=choices.departments,
        categories=choices.categories,
        may_search_by_phone=privacy.may_search_by_phone(current_user.role_enum),
    )


@bp.route("/<number>")
@requires(Permission.READ_ORDERS)
def detail(number: str):
    """One order with its timeline and the actions the user may take."""
    page = pages.order_detail(
        db.session, actor=current_user, number=number, ip=request.remote_addr or "", now=utcnow()
    )
    # 并单: the master it follows, the orders that follow it, and (for the desk) candidates.
    desk = allows(current_user.role_enum, Permission.WORK_DESK)
    similar = []
    if desk and page.order.master_id is None and page.order.state_enum in workflow.OPEN_STATES:
        similar = merges.similar_to_order(db.session, actor=current_user, number=number)
    return render_template(
        "orders/detail.html",
        order=page.order,
        events=page.events,
        actions=page.actions,
        needs_department=workflow.ACTIONS_WITH_DEPARTMENT,
        departments=page.departments,
        categories=page.categories,
        pending_extensions=page.pending_extensions,
        surveys=page.surveys,
        can_set_reminder=page.can_set_reminder,
        can_request_extension=page.can_request_extension,
        work=page.work,
        master=merges.merged_into(db.session, page.order),
        followers=merges.followers(db.session, page.order),
        similar=similar,
        may_merge=desk,
    )


@bp.route("/<number>/<action>", methods=["POST"])
@requires(Permission.READ_ORDERS)
@returns_to("orders.detail")
def act(number: str, action: str):
    """Apply one action; a refusal is answered by the app (JSON 409/422, or a message)."""
    action_enum = member_or_404(Action, action)
    form = ActionForm()
    # Handling proof comes with the reply: checked before it, stored once it is done.
    proof = []
    if action_enum is Action.REPLY:
        proof = attachments.prepare(AttachmentKind.PROOF, bool(request.form.get("keep_location")))
    handling.perform(
        db.session,
        actor_id=current_user.id,
        number=number,
        step=Step(action_enum, form.note.data, form.department_id.data),
        now=utcnow(),
        expected_version=form.version.data,
        category_code=form.category_code.data or None,
        timezone=current_app.config["TIMEZONE"],
        public_summary=form.summary(),
    )
    attachments.store(number, proof, AttachmentKind.PROOF)
    if request.accept_mimetypes.best == "application/json":
        return {"ok": True}
    flash(_("Done: %(action)s.", action=labels.ACTION_LABELS[action]), "success")
    if current_user.role_enum is Role.DEPARTMENT and action_enum is Action.RETURN:
        return redirect(url_for("orders.queue"))
    return redirect(url_for("orders.detail", number=number))


@bp.route("/desk")
@requires(Permission.WORK_DESK)
def desk():
    """The 12345 desk: manual routing, returned orders, replies to review."""
    return render_template("orders/desk.html", queues=queries.desk_queues(db.session, current_user))


@bp.route("/queue")
@requires(Permission.HANDLE_ORDERS)
def queue():
    """The department's open orders, most urgent first."""
    page = pages.department_queue(db.session, actor=current_user, now=utcnow())
    return render_template(
        "orders/queue.html",
        items=page.items,
        notices=page.notices,
        holders=page.holders,
        tasks=page.tasks,
    )
