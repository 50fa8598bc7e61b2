"""The demo's 120 desks: the station duty room's and the hospital desk's workplaces, the phone
on board each (synthetic) ambulance, a terminal token for one ambulance of the demo station
and an API token for the demo linked centre; saved tokens are kept while they still work."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.database import write_transaction
from hotline.models import Hospital, Station, User, Vehicle
from hotline.services.accounts import credentials
from hotline.services.ems import terminals

STATION_USER, HOSPITAL_USER, LINKED_USER = "station", "hospital", "link110"
TOKEN_DAYS = 365


def seed_desks(session: Session, saved: dict, now: datetime) -> dict:
    """Workplaces, phones on board and tokens; returns {"terminal": {...}, "link110": token}."""
    station = session.scalar(select(Station).order_by(Station.name).limit(1))
    hospital = session.scalar(
        select(Hospital)
        .where(Hospital.capabilities.contains("chest_pain"))
        .order_by(Hospital.name)
        .limit(1)
    )
    if station is None or hospital is None:
        return {}
    with write_transaction(session):
        for username, field, place in (
            (STATION_USER, "station_id", station.id),
            (HOSPITAL_USER, "hospital_id", hospital.id),
        ):
            user = session.scalar(select(User).where(User.username == username))
            if user is not None:
                setattr(user, field, place)
        for vehicle in session.scalars(select(Vehicle).where(Vehicle.phone == "")):
            # 139 0000 xxxx: a synthetic number on the synthetic vehicle.
            vehicle.phone = f"1390000{vehicle.id:04d}"
    vehicle = session.scalar(
        select(Vehicle).where(Vehicle.station_id == station.id).order_by(Vehicle.call_sign)
    )
    terminal = saved.get("terminal") or {}
    if terminals.vehicle_for_token(session, terminal.get("token")) is None:
        token = terminals.issue_terminal_token(session, vehicle.id, now=now)
        terminal = {"vehicle_id": vehicle.id, "call_sign": vehicle.call_sign, "token": token}
    linked = saved.get(LINKED_USER, "")
    if credentials.user_for_token(session, linked, now=now) is None:
        holder = session.scalar(select(User.id).where(User.username == LINKED_USER))
        linked = credentials.issue_user_token(session, holder, now=now, days=TOKEN_DAYS)
    return {"terminal": terminal, LINKED_USER: linked}
