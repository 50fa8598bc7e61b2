"""Labels of the 120 director's statistics: the interval chain's links and the totals."""

from flask_babel import lazy_gettext as _l

from hotline.core.ems.intervals import Link, Stamp
from hotline.core.ems.totals import Total
from hotline.labels.registry import register

LINK_LABELS = register(
    Link,
    {
        "call_to_dispatch": _l("Call to dispatch"),
        "dispatch_to_ack": _l("Dispatch to acknowledged"),
        "ack_to_en_route": _l("Acknowledged to left station"),
        "en_route_to_scene": _l("Left station to on scene"),
        "scene_to_hospital": _l("On scene to at hospital"),
        "hospital_to_cleared": _l("At hospital to cleared"),
        "call_to_scene": _l("Call to on scene (response time)"),
    },
)

STAMP_POINT_LABELS = register(
    Stamp,
    {
        "called": _l("Call received"),
        "dispatched": _l("Dispatched"),
        "acknowledged": _l("Acknowledged"),
        "en_route": _l("Left station"),
        "on_scene": _l("On scene"),
        "at_hospital": _l("At hospital"),
        "cleared": _l("Job finished"),
    },
)

TOTAL_LABELS = register(
    Total,
    {
        "incidents": _l("Incidents called"),
        "linked": _l("Of them from linked centres"),
        "closed": _l("Finished"),
        "withdrawn": _l("Withdrawn"),
        "open": _l("Still open"),
        "trips": _l("Vehicle trips"),
        "kilometres": _l("Kilometres driven"),
    },
)

WEEKDAY_LABELS = [
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
]
