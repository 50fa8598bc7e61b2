"""主任查询: live counts, the bulletin board and the history with response times."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hotline.core.accounts.permissions import Permission, allows
from hotline.core.ems.vocabulary import DISPATCH_TARGET_SECONDS
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.ems import bulletins, incidents
from hotline.services.ems import director as figures
from hotline.web.ems import bp
from hotline.web.ems.forms import BulletinForm
from hotline.web.errors import returns_to
from hotline.web.helpers import requires


@bp.route("/ems/director")
@requires(Permission.EMS_DIRECTOR)
def director():
    """Live counts, bulletins, the last incidents and the last week's response times."""
    now = utcnow()
    return render_template(
        "ems/director.html",
        live=figures.live_counts(db.session, now=now),
        bulletins=bulletins.bulletins(db.session),
        history=incidents.recent_incidents(db.session),
        figures=figures.recent_figures(db.session, now=now),
        target=DISPATCH_TARGET_SECONDS,
        can_post=allows(current_user.role_enum, Permission.POST_BULLETINS),
        can_open_incidents=allows(current_user.role_enum, Permission.EMS_DISPATCH),
        # A chief complaint is medical data: for the 120 roles only, not for officials.
        can_read_medical=allows(current_user.role_enum, Permission.EMS_MEDICAL),
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
