"""The crew terminal (车载终端): a page for the tablet in the ambulance. The page itself holds
no data and needs no log-in; it keeps the vehicle's id and terminal token on the device and
works through the token API (/api/v1/vehicles/<id>/jobs...)."""

from flask import current_app, render_template
from jinja2 import TemplateNotFound

from hotline.core.ems.vehicles import TRANSITIONS
from hotline.web.ems import bp

PATIENT_TEMPLATE = "ems/terminal_patient.html"


def _has_patient_section() -> bool:
    """The patient record's section is another part's template: used when it exists."""
    try:
        current_app.jinja_env.get_template(PATIENT_TEMPLATE)
    except TemplateNotFound:
        return False
    return True


@bp.route("/ems/terminal")
def terminal():
    """The terminal's shell (public: no data in it; the token API answers for the vehicle)."""
    transitions = {s.value: sorted(t.value for t in nexts) for s, nexts in TRANSITIONS.items()}
    return render_template(
        "ems/terminal.html", transitions=transitions, patient_section=_has_patient_section()
    )
