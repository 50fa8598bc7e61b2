"""Factories for the 120 crew terminal's tests: a station's vehicles with terminal tokens,
a hospital, and a dispatched incident with a caller's phone."""

from dataclasses import dataclass
from datetime import datetime

from hotline.core.accounts.roles import Role
from hotline.models import Hospital
from hotline.plugins import db
from hotline.services.ems import fleet, incidents, terminals
from tests import factories

CALLER = "13912345678"


@dataclass
class CrewWorld:
    """Two vehicles of one station (with tokens), a hospital and a dispatcher."""

    vehicle_ids: list[int]
    tokens: list[str]
    station_id: int
    hospital_id: int
    dispatcher_id: int


def crew_world(now: datetime, count: int = 2) -> CrewWorld:
    """The world: `count` vehicles near Tiananmen, each with its terminal's token."""
    from hotline.models import Vehicle

    ids = factories.ambulances(count, "测试急救站（终端）", seed=7)
    tokens = [terminals.issue_terminal_token(db.session, vid, now=now) for vid in ids]
    hospital = Hospital(name="测试医院（合成）", lon=116.40, lat=39.91, synthetic=True)
    db.session.add(hospital)
    for vid in ids:
        db.session.get(Vehicle, vid).phone = f"1380000{vid:04d}"
    db.session.commit()
    dispatcher = factories.user(Role.EMS_DISPATCHER)
    station_id = db.session.get(Vehicle, ids[0]).station_id
    return CrewWorld(ids, tokens, station_id, hospital.id, dispatcher.id)


def dispatch(
    world: CrewWorld,
    vehicle_id: int,
    called: datetime,
    dispatched: datetime,
    address: str = "天安门广场东侧",
):
    """A chest-pain call with the caller's phone, `vehicle_id` dispatched; (incident id,
    assignment id)."""
    lon, lat = factories.TIANANMEN
    call = incidents.Call(CALLER, lon, lat, "胸痛30分钟", 1, address=address)
    incident = incidents.create_incident(
        db.session, actor_id=world.dispatcher_id, call=call, now=called, timezone="Asia/Shanghai"
    )
    [assignment] = fleet.dispatch(
        db.session,
        actor_id=world.dispatcher_id,
        incident_id=incident.id,
        vehicle_ids=[vehicle_id],
        now=dispatched,
    )
    return incident.id, assignment.id


def station_user(station_id: int):
    """A station duty room's user (EMS_STATION) of `station_id`."""
    from hotline.models import User

    user = factories.user(Role.EMS_STATION)
    db.session.get(User, user.id).station_id = station_id
    db.session.commit()
    return db.session.get(User, user.id)
