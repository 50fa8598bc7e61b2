"""Labels of the 120 side: capabilities, vehicle statuses, incidents."""

from flask_babel import lazy_gettext as _l

from hotline.core.ems.vehicles import VehicleStatus
from hotline.core.ems.vocabulary import (
    BookingState,
    Capability,
    IncidentAction,
    IncidentState,
    WithdrawReason,
)
from hotline.labels.registry import register

CAPABILITY_LABELS = register(
    Capability,
    {
        "chest_pain": _l("Chest-pain centre"),
        "stroke": _l("Stroke centre"),
        "trauma": _l("Trauma"),
        "paediatrics": _l("Paediatrics"),
        "obstetrics": _l("Obstetrics"),
        "burns": _l("Burns"),
    },
)


VEHICLE_STATUS_LABELS = register(
    VehicleStatus,
    {
        "available": _l("Available"),
        "dispatched": _l("Dispatched"),
        "en_route": _l("En route"),
        "on_scene": _l("On scene"),
        "transporting": _l("Transporting"),
        "at_hospital": _l("At hospital"),
        "returning": _l("Returning"),
        "out_of_service": _l("Out of service"),
    },
)


STAMP_LABELS = {
    "assigned_at": _l("assigned"),
    "dispatched_at": _l("dispatched"),
    "en_route_at": _l("en route"),
    "on_scene_at": _l("on scene"),
    "transporting_at": _l("transporting"),
    "at_hospital_at": _l("at hospital"),
    "cleared_at": _l("cleared"),
}


INCIDENT_STATE_LABELS = register(
    IncidentState,
    {
        "open": _l("Open"),
        "closed": _l("Finished"),
        "withdrawn": _l("Withdrawn"),
    },
)


WITHDRAW_LABELS = register(
    WithdrawReason,
    {
        "false_alarm": _l("False alarm"),
        "malicious": _l("Malicious call"),
        "duplicate": _l("Duplicate"),
    },
)


INCIDENT_ACTION_LABELS = register(
    IncidentAction,
    {
        "create": _l("Call registered"),
        "dispatch": _l("Vehicle dispatched"),
        "release": _l("Vehicle released"),
        "withdraw": _l("Withdrawn"),
        "close": _l("Finished"),
        "acknowledge": _l("Job acknowledged by the crew"),
        "ack_overdue": _l("Job not acknowledged in time"),
        "reassign": _l("Job reassigned"),
        "hospital_chosen": _l("Destination hospital chosen"),
        "hospital_acknowledged": _l("Pre-alert acknowledged by the hospital"),
        "patient_recorded": _l("Patient record opened"),
        **{f"status_{code}": label for code, label in VEHICLE_STATUS_LABELS.items()},
    },
)


BOOKING_STATE_LABELS = register(
    BookingState,
    {"pending": _l("Booked"), "dispatched": _l("Vehicle sent")},
)
