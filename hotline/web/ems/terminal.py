"""The crew terminal (车载终端): a page for the tablet in the ambulance. The page itself holds
no data and needs no log-in; it keeps the vehicle's id and terminal token on the device and
works through the token API (/api/v1/vehicles/<id>/jobs...)."""

from flask import render_template

from hotline.core.ems.vehicles import TRANSITIONS
from hotline.web.ems import bp


@bp.route("/ems/terminal")
def terminal():
    """The terminal's shell (public: no data in it; the token API answers for the vehicle)."""
    transitions = {s.value: sorted(t.value for t in nexts) for s, nexts in TRANSITIONS.items()}
    return render_template("ems/terminal.html", transitions=transitions)
