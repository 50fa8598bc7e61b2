"""A hand-worked month of 120 for the director's statistics (October 2026, Asia/Shanghai),
with a September (环比) and an October 2025 (同比).

October: six incidents, two dispatchers (甲, 乙), one from a linked centre (110), three
vehicles. Times are seconds after the call; local = UTC + 8 h.

  I1 甲 Mon 10-05 08:10  V1 disp 60 ack 75 out 120 scene 600 hosp 1800 (H1) clear 3000
                         V2 disp 90 (second vehicle: a trip, not in the chain) clear 2000
  I2 甲 Mon 10-05 09:30  V2 disp 120 ack 130 out 200 scene 900 clear 1500
  I3 乙 Tue 10-06 14:00  V3 disp 30 ack 40 out 100 scene 700 hosp 2000 (H2) clear 2600
  I4 乙 Sat 10-10 23:30  V1 disp 180 out 300 scene 1000 clear 1500 (no 接单)
  I5 110 Sun 10-11 03:00 V3 disp 240 (by 甲) scene 1200 hosp 2400 (H1) clear 3000
  I6 甲 Wed 10-14 10:00  withdrawn, no vehicle

Tracks (points 0.01° apart along a meridian, 1,111.95 m each, a minute apart): V1 on I1 six
fixes (5 steps) plus a glitch 65 km off and a fix before the dispatch, V1 on I4 three fixes
(2 steps), V3 on I3 two fixes (1 step): 8 steps = 8,895.6 m = 8.9 km.
"""

from datetime import UTC, datetime, timedelta

from hotline.core.accounts.roles import Role
from hotline.models import Assignment, Hospital, Incident, Patient, VehiclePosition
from hotline.plugins import db
from tests import factories

TZ = "Asia/Shanghai"
STEP_M = 1111.95
LOCAL = timedelta(hours=8)


def local(*args: int) -> datetime:
    """A local (UTC+8) wall time as UTC."""
    return datetime(*args, tzinfo=UTC) - LOCAL


def _incident(n: str, called: datetime, by: int, *, state: str = "closed", source: str = ""):
    incident = Incident(
        number=n,
        caller_phone="13800138000",
        lon=116.4,
        lat=39.9,
        complaint=f"主诉{n}：胸痛",
        triage_level=2,
        state=state,
        created_by_id=by,
        created_at=called,
        source=source,
        source_ref=n if source else "",
    )
    db.session.add(incident)
    db.session.flush()
    return incident


def _leg(incident, vehicle: int, by: int, hospital: int | None = None, **seconds: int) -> None:
    times = {k: incident.created_at + timedelta(seconds=v) for k, v in seconds.items()}
    db.session.add(
        Assignment(
            incident_id=incident.id,
            vehicle_id=vehicle,
            assigned_by_id=by,
            assigned_at=times["dispatched_at"],
            hospital_id=hospital,
            **times,
        )
    )


def _track(vehicle: int, start: datetime, steps: int) -> None:
    for i in range(steps + 1):
        at = start + timedelta(minutes=i)
        db.session.add(VehiclePosition(vehicle_id=vehicle, at=at, lon=116.4, lat=39.9 + 0.01 * i))


def _patient(incident, complaint: str, diagnosis: str = "") -> None:
    now = incident.created_at
    db.session.add(
        Patient(
            incident_id=incident.id,
            complaint_code=complaint,
            diagnosis_code=diagnosis,
            created_at=now,
            updated_at=now,
        )
    )


def seed() -> dict:
    """The month, its bases and one call just after it; the ids the tests need."""
    a = factories.user(Role.EMS_DISPATCHER, username="disp_a")
    b = factories.user(Role.EMS_DISPATCHER, username="disp_b")
    centre = factories.user(Role.LINKED_CENTRE, username="centre110")
    a.display_name, b.display_name = "调度员甲", "调度员乙"
    db.session.commit()
    v1, v2, v3 = factories.ambulances(3)
    h1 = Hospital(name="第一医院（合成）", lon=116.41, lat=39.91, synthetic=True)
    h2 = Hospital(name="第二医院（合成）", lon=116.42, lat=39.92, synthetic=True)
    db.session.add_all([h1, h2])
    db.session.flush()
    i1 = _incident("T1", local(2026, 10, 5, 8, 10), a.id)
    _leg(i1, v1, a.id, h1.id, dispatched_at=60, acknowledged_at=75, en_route_at=120,
         on_scene_at=600, at_hospital_at=1800, cleared_at=3000)  # fmt: skip
    _leg(i1, v2, a.id, dispatched_at=90, on_scene_at=700, cleared_at=2000)
    i2 = _incident("T2", local(2026, 10, 5, 9, 30), a.id)
    _leg(i2, v2, a.id, dispatched_at=120, acknowledged_at=130, en_route_at=200,
         on_scene_at=900, cleared_at=1500)  # fmt: skip
    i3 = _incident("T3", local(2026, 10, 6, 14, 0), b.id)
    _leg(i3, v3, b.id, h2.id, dispatched_at=30, acknowledged_at=40, en_route_at=100,
         on_scene_at=700, at_hospital_at=2000, cleared_at=2600)  # fmt: skip
    i4 = _incident("T4", local(2026, 10, 10, 23, 30), b.id)
    _leg(i4, v1, b.id, dispatched_at=180, en_route_at=300, on_scene_at=1000, cleared_at=1500)
    i5 = _incident("T5", local(2026, 10, 11, 3, 0), centre.id, source="110")
    _leg(i5, v3, a.id, h1.id, dispatched_at=240, on_scene_at=1200, at_hospital_at=2400,
         cleared_at=3000)  # fmt: skip
    _incident("T6", local(2026, 10, 14, 10, 0), a.id, state="withdrawn")
    for incident, codes in ((i1, ("C01", "I21.9")), (i2, ("C01", "I20.0")), (i3, ("C02", ""))):
        _patient(incident, *codes)
    _patient(i5, "C02", "I21.9")
    _patient(i5, "")
    # Tracks: V1 on I1 (5 steps, a fix before the dispatch and a glitch), V1 on I4 (2 steps),
    # V3 on I3 (1 step).
    _track(v1, i1.created_at + timedelta(seconds=60), 5)
    db.session.add(VehiclePosition(vehicle_id=v1, at=i1.created_at, lon=116.0, lat=39.0))
    glitch_at = i1.created_at + timedelta(seconds=150)
    db.session.add(VehiclePosition(vehicle_id=v1, at=glitch_at, lon=116.4, lat=40.5))
    _track(v1, i4.created_at + timedelta(seconds=180), 2)
    _track(v3, i3.created_at + timedelta(seconds=30), 1)
    # September: 乙 one minute before October with V1 sent after 100 s, 甲 mid-month.
    i7 = _incident("S1", local(2026, 9, 30, 23, 59), b.id)
    _leg(i7, v1, b.id, dispatched_at=100, cleared_at=900)
    _incident("S2", local(2026, 9, 15, 12, 0), a.id)
    # October 2025 and November 2026 (left out of October).
    _incident("Y1", local(2025, 10, 20, 9, 0), a.id)
    _incident("Y2", local(2025, 10, 21, 9, 0), b.id)
    _incident("N1", local(2026, 11, 1, 0, 0), a.id)
    db.session.commit()
    return {"a": a.id, "b": b.id, "centre": centre.id, "vehicles": (v1, v2, v3)}
