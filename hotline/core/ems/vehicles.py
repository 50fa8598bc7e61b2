"""Ambulance statuses (CAD practice) and the one table of allowed changes."""

from datetime import datetime
from enum import StrEnum


class VehicleStatus(StrEnum):
    """Where an ambulance stands."""

    AVAILABLE = "available"  # at its station or on the road, free
    DISPATCHED = "dispatched"  # assigned to an incident, not yet rolling
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    TRANSPORTING = "transporting"
    AT_HOSPITAL = "at_hospital"
    RETURNING = "returning"
    OUT_OF_SERVICE = "out_of_service"


S = VehicleStatus
# The next statuses each status may move to. Restore (实力恢复) is any busy status ->
# available; a withdrawal (撤警) releases a vehicle that has not reached a patient yet.
TRANSITIONS: dict[VehicleStatus, frozenset[VehicleStatus]] = {
    S.AVAILABLE: frozenset({S.DISPATCHED, S.OUT_OF_SERVICE}),
    S.DISPATCHED: frozenset({S.EN_ROUTE, S.AVAILABLE}),
    S.EN_ROUTE: frozenset({S.ON_SCENE, S.AVAILABLE}),
    S.ON_SCENE: frozenset({S.TRANSPORTING, S.RETURNING, S.AVAILABLE}),
    S.TRANSPORTING: frozenset({S.AT_HOSPITAL}),
    S.AT_HOSPITAL: frozenset({S.RETURNING, S.AVAILABLE}),
    S.RETURNING: frozenset({S.AVAILABLE}),
    S.OUT_OF_SERVICE: frozenset({S.AVAILABLE}),
}

# The assignment's timestamp each status stamps, in the order they happen.
STAMPS: dict[VehicleStatus, str] = {
    S.DISPATCHED: "dispatched_at",
    S.EN_ROUTE: "en_route_at",
    S.ON_SCENE: "on_scene_at",
    S.TRANSPORTING: "transporting_at",
    S.AT_HOSPITAL: "at_hospital_at",
}
TIMELINE = ("assigned_at", *STAMPS.values(), "cleared_at")
# Statuses in which a vehicle belongs to an incident.
ASSIGNED = frozenset({S.DISPATCHED, S.EN_ROUTE, S.ON_SCENE, S.TRANSPORTING, S.AT_HOSPITAL})


class VehicleTransitionError(ValueError):
    """A status change the table does not allow, or a clock going backwards."""

    def __init__(self, code: str, current: VehicleStatus, wanted: VehicleStatus) -> None:
        super().__init__(f"{code}: {current} -> {wanted}")
        self.code = code


def check(current: VehicleStatus, wanted: VehicleStatus) -> None:
    """Raise unless `current -> wanted` is in the table."""
    if wanted not in TRANSITIONS[current]:
        raise VehicleTransitionError("vehicle_transition_not_allowed", current, wanted)


def next_stamp(
    times: dict[str, datetime | None], wanted: VehicleStatus, at: datetime
) -> str | None:
    """The assignment field that `wanted` stamps at `at` ('cleared_at' when the vehicle is
    released); refuses a time earlier than any stamp already made, so times stay monotonic."""
    latest = max((t for t in times.values() if t is not None), default=None)
    if latest is not None and at < latest:
        raise VehicleTransitionError("time_before_last_status", wanted, wanted)
    if wanted in STAMPS:
        return STAMPS[wanted]
    return "cleared_at" if wanted in (S.AVAILABLE, S.RETURNING) else None
