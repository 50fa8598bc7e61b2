"""恶意电话锁定: the numbers locked as malicious callers, and locking one."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hotline.core.accounts.permissions import Permission
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.ems import locks as service
from hotline.web.ems import bp
from hotline.web.ems.forms import LockForm
from hotline.web.errors import returns_to
from hotline.web.helpers import requires


@bp.route("/ems/locks")
@requires(Permission.EMS_LOCKS)
def locks():
    """The locks in force and the form to add one."""
    active = service.active_locks(db.session, now=utcnow())
    return render_template("ems/locks.html", locks=active, form=LockForm(formdata=None))


@bp.route("/ems/locks", methods=["POST"])
@requires(Permission.EMS_LOCKS)
@returns_to("ems.locks")
def lock_number():
    """Lock a number for a time with a reason."""
    form = LockForm()
    service.lock_number(
        db.session,
        actor_id=current_user.id,
        raw_phone=form.phone.data,
        hours=form.hours.data or 0,
        reason=form.reason.data,
        now=utcnow(),
    )
    flash(_("Saved."), "success")
    return redirect(url_for("ems.locks")), 303
