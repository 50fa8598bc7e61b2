"""Factories for users and orders, all through the real services."""

import itertools
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.core.orders.intake import parse_intake
from hotline.core.orders.workflow import Action, Step
from hotline.demo import seed as demo
from hotline.models import Department, User, WorkOrder
from hotline.plugins import db
from hotline.services.accounts import users as accounts
from hotline.services.ems import fleet, incidents
from hotline.services.orders import handling, intake

PASSWORD = "Correct horse battery 9"
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
TIANANMEN = (116.3975, 39.9087)  # 东城区
# A survey call that reached the caller, who is satisfied and says the matter is resolved.
SURVEY_ANSWER = {
    "outcome": "answered",
    "resolved": "yes",
    "satisfaction": "satisfied",
    "attitude": "satisfied",
    "score": "9",
}
BIRDS_NEST = (116.3964, 39.9929)  # 朝阳区
_counter = itertools.count(1)


def seed_reference(boundaries: Path) -> None:
    """Districts, departments and categories, as the demo seeds them."""
    demo.seed_reference_data(db.session, boundaries)


def department(name: str) -> Department:
    """A seeded department by name, e.g. 东城区城市管理委员会."""
    return db.session.scalar(select(Department).where(Department.name == name))


def user(role: Role, department_name: str | None = None, username: str | None = None) -> User:
    """A new active user with the shared test password."""
    dept = department(department_name) if department_name else None
    return accounts.create_user(
        db.session,
        username=username or f"{role.value}{next(_counter)}",
        display_name=f"Test {role.value}",
        role=role.value,
        password=PASSWORD,
        hash_method="scrypt:1024:8:1",
        now=NOW,
        department_id=dept.id if dept else None,
    )


def call_form(**overrides) -> dict:
    """A valid intake form: a noise complaint at Tiananmen (东城区)."""
    form = {
        "caller_phone": "13800138000",
        "caller_name": "王先生",
        "channel": "phone",
        "order_type": "complaint",
        "category_code": "0401",
        "description": "夜间施工噪音扰民",
        "lon": str(TIANANMEN[0]),
        "lat": str(TIANANMEN[1]),
        "address": "东长安街",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def order(actor: User | None = None, now: datetime = NOW, **overrides) -> WorkOrder:
    """A work order created through the intake service."""
    result = intake.register_call(
        db.session,
        request=parse_intake(call_form(**overrides)),
        actor_id=actor.id if actor else None,
        now=now,
        timezone="Asia/Shanghai",
    )
    return db.session.get(WorkOrder, result.order_id)


def act(actor: User, order_number: str, action: Action, note: str = "", **kwargs) -> WorkOrder:
    """Perform an action as `actor`."""
    step = Step(action, note, kwargs.pop("department_id", None))
    number = order_number
    return handling.perform(
        db.session, actor_id=actor.id, number=number, step=step, now=NOW, **kwargs
    )


def ambulances(count: int, name: str = "测试急救站（合成）", seed: int = 1) -> list[int]:
    """A synthetic station near Tiananmen with `count` available ambulances around it."""
    import random

    from hotline.models import Station, Vehicle

    rng = random.Random(seed)
    station = Station(name=name, lon=TIANANMEN[0], lat=TIANANMEN[1], synthetic=True)
    db.session.add(station)
    db.session.flush()
    vehicles = [
        Vehicle(
            call_sign=f"T{seed}-{i:03d}",
            station_id=station.id,
            changed_at=NOW,
            change_seq=0,
            lon=TIANANMEN[0] + rng.uniform(-0.1, 0.1),
            lat=TIANANMEN[1] + rng.uniform(-0.1, 0.1),
            synthetic=True,
        )
        for i in range(count)
    ]
    db.session.add_all(vehicles)
    db.session.commit()
    return [v.id for v in vehicles]


def dispatched_incident(
    actor: User, vehicle_id: int, called: datetime, dispatched: datetime, triage: int = 1
):
    """A chest-pain call at Tiananmen with `vehicle_id` dispatched to it; the incident."""
    call = incidents.Call("", *TIANANMEN, "胸痛", triage)
    incident = incidents.create_incident(
        db.session, actor_id=actor.id, call=call, now=called, timezone="Asia/Shanghai"
    )
    vehicles = [vehicle_id]
    fleet.dispatch(
        db.session, actor_id=actor.id, incident_id=incident.id, vehicle_ids=vehicles, now=dispatched
    )
    return incident
