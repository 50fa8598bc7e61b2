"""约车: book a transport for a time; the scheduler sends the nearest vehicle before it."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hotline.core.accounts.permissions import Permission
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.ems import bookings as service
from hotline.web.ems import bp
from hotline.web.ems.forms import BookingForm
from hotline.web.errors import returns_to
from hotline.web.helpers import requires


@bp.route("/ems/bookings")
@requires(Permission.EMS_DISPATCH)
def booking_list():
    """The bookings from a day ago on, and the form to book one."""
    items = service.upcoming(db.session, now=utcnow())
    form = BookingForm(formdata=None)
    return render_template("ems/bookings.html", bookings=items, lead=service.LEAD, form=form)


@bp.route("/ems/bookings", methods=["POST"])
@requires(Permission.EMS_DISPATCH)
@returns_to("ems.booking_list")
def book():
    """A booking (a time without a zone is the hotline's local time)."""
    form = BookingForm().checked()
    request = form.request(current_app.config["TIMEZONE"])
    service.create_booking(db.session, actor_id=current_user.id, request=request, now=utcnow())
    flash(_("Saved."), "success")
    return redirect(url_for("ems.booking_list")), 303
