"""A trip's kilometres, measured once: when a trip (an assignment from dispatch to clearing)
has settled, its GPS track is measured and the metres kept on the assignment, so that the
director's statistics read one number per trip instead of every fix of the month."""

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hotline.core.ems.intervals import Fix, track_metres
from hotline.database import write_transaction
from hotline.models import Assignment, VehiclePosition

# A terminal that was offline sends its queued fixes when the connection returns: a trip is
# measured only this long after it was cleared. A fix arriving later still is not counted.
SETTLE = timedelta(minutes=15)
BATCH = 500  # trips measured per transaction


def trip_metres(session: Session, vehicle_id: int, start: datetime, end: datetime) -> float:
    """The metres of the vehicle's track in [start, end] (one indexed range read)."""
    p = VehiclePosition
    rows = session.execute(
        select(p.at, p.lon, p.lat).where(p.vehicle_id == vehicle_id, p.at >= start, p.at <= end)
    )
    return track_metres(Fix(*row) for row in rows)


def measure_settled(session: Session, *, now: datetime, batch: int = BATCH) -> int:
    """Measure the trips cleared more than SETTLE ago that have no metres yet; how many."""
    a = Assignment
    due = session.execute(
        select(a.id, a.vehicle_id, a.dispatched_at, a.cleared_at)
        .where(a.track_m.is_(None), a.cleared_at < now - SETTLE, a.dispatched_at.is_not(None))
        .order_by(a.cleared_at)
        .limit(batch)
    ).all()
    measured = {row.id: trip_metres(session, *row[1:]) for row in due}
    with write_transaction(session):
        for assignment_id, metres in measured.items():
            session.execute(
                update(a)
                .where(a.id == assignment_id, a.track_m.is_(None))
                .values(track_m=round(metres, 1))
                .execution_options(synchronize_session=False)
            )
    return len(measured)
