"""Supervision notices (督办单) on an order: the supervisor issues, the unit answers, anyone
who may see the order reads them and their PDF letter."""

from zoneinfo import ZoneInfo

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hotline.core.accounts.permissions import Permission, allows
from hotline.core.deadlines.notices import NoticeState
from hotline.database import utcnow
from hotline.labels import NOTICE_STATE_LABELS, chinese
from hotline.pdf import notice as notice_pdf
from hotline.plugins import db
from hotline.services.deadlines import notices
from hotline.services.orders.queries import load_for_action
from hotline.web.deadlines.forms import NoticeAnswerForm, NoticeForm
from hotline.web.deadlines.pages import bp
from hotline.web.errors import returns_to
from hotline.web.helpers import requires


def _order(number: str):
    """The order, if the current user may see it (else 404)."""
    return load_for_action(db.session, actor_id=current_user.id, number=number)[1]


@bp.route("/<number>/notices")
@requires(Permission.READ_ORDERS)
def notice_list(number: str):
    """The order's notices; the forms to issue one or to answer one, for whom may."""
    order = _order(number)
    role = current_user.role_enum
    return render_template(
        "deadlines/notices.html",
        order=order,
        notices=notices.for_order(db.session, order.id),
        may_issue=allows(role, Permission.ISSUE_NOTICES),
        may_answer=allows(role, Permission.HANDLE_ORDERS),
        answered=NoticeState.ANSWERED.value,
        state_names=NOTICE_STATE_LABELS,
        now=utcnow(),
    )


@bp.route("/<number>/notices", methods=["POST"])
@requires(Permission.ISSUE_NOTICES)
@returns_to("deadlines.notice_list")
def notice_issue(number: str):
    """A supervisor issues a notice to the unit handling the order."""
    _order(number)  # an order the user may not see is 404, whatever the form says
    form = NoticeForm().checked()
    timezone = current_app.config["TIMEZONE"]
    notice = notices.issue(
        db.session,
        actor_id=current_user.id,
        number=number,
        instruction=form.instruction.data,
        respond_by=form.deadline(timezone),
        now=utcnow(),
        timezone=timezone,
    )
    flash(_("Supervision notice %(number)s issued.", number=notice.number), "success")
    return redirect(url_for("deadlines.notice_list", number=number)), 303


@bp.route("/<number>/notices/<int:notice_id>/answer", methods=["POST"])
@requires(Permission.HANDLE_ORDERS)
@returns_to("deadlines.notice_list")
def notice_answer(number: str, notice_id: int):
    """The unit answers the notice issued to it."""
    notices.one(db.session, _order(number).id, notice_id)  # 404 before the form is read
    form = NoticeAnswerForm().checked()
    notices.answer(
        db.session,
        actor_id=current_user.id,
        number=number,
        notice_id=notice_id,
        text=form.answer.data,
        now=utcnow(),
    )
    flash(_("Answer sent to the supervisors."), "success")
    return redirect(url_for("deadlines.notice_list", number=number)), 303


@bp.route("/<number>/notices/<int:notice_id>.pdf")
@requires(Permission.READ_ORDERS)
def notice_letter(number: str, notice_id: int):
    """The notice as a PDF letter (embedded Chinese font), for the record."""
    order = _order(number)
    notice = notices.one(db.session, order.id, notice_id)
    zone = ZoneInfo(current_app.config["TIMEZONE"])

    def when(moment) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""

    letter = notice_pdf.NoticeLetter(
        number=notice.number,
        unit=notice.department.name if notice.department else "",
        order_number=order.number,
        category=order.category.name if order.category else "",
        address=order.address,
        issued_at=when(notice.issued_at),
        issued_by=notice.issued_by.display_name or notice.issued_by.username,
        instruction=notice.instruction,
        respond_by=when(notice.respond_by),
        state=chinese(NoticeState, notice.state),  # the record is in Chinese
        answer=notice.answer,
        answered_at=when(notice.answered_at),
        answered_by=(notice.answered_by.display_name or notice.answered_by.username)
        if notice.answered_by
        else "",
    )
    return Response(
        notice_pdf.render(letter),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="notice-{notice.id}.pdf"'},
    )
