"""Synthetic demo orders: calls on the real district polygons, a showcase for the demo
department in every state, and synthetic staff (all labelled synthetic)."""

import random
import secrets
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from hotline.core.accounts.roles import Role
from hotline.core.orders.intake import Channel, IntakeRequest, OrderType
from hotline.core.orders.workflow import Action, State, Step
from hotline.database import write_transaction
from hotline.demo import surveys
from hotline.demo.seed import DEMO_DEPARTMENT
from hotline.models import Department, User, WorkOrder
from hotline.services.orders import handling, intake
from hotline.services.reference import cache

SYNTHETIC_PREFIX = "【合成演示数据】"
DEMO_CHANNELS = [
    Channel.PHONE,
    Channel.WEB,
    Channel.LETTER,
    Channel.EMAIL,
    Channel.SMS,
    Channel.APP,
]

# What the department has done with the i-th showcase order, by i % 6.
DEMO_STEPS = {
    2: [(Action.ACCEPT, "")],
    3: [(Action.ACCEPT, "")],
    4: [(Action.ACCEPT, ""), (Action.REPLY, "已现场处理完毕。")],
    5: [(Action.RETURN, "该点位不属本单位管辖。")],
}


def _random_point(
    rng: random.Random, ctx: cache.RoutingContext, code: str | None = None
) -> tuple[float, float]:
    jurisdiction = ctx.index.get(code) if code else rng.choice(ctx.index.jurisdictions)
    min_x, min_y, max_x, max_y = jurisdiction.geometry.bounds
    while True:
        lon, lat = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        found = ctx.index.locate(lon, lat)
        if found is not None and found.code == jurisdiction.code:
            return round(lon, 6), round(lat, 6)


def seed_orders(
    session: Session, count: int, now: datetime, timezone: str, seed: int = 12345
) -> int:
    """Synthetic calls over the last 13 months, handled through the real services."""
    if session.scalar(select(func.count(WorkOrder.id)).where(WorkOrder.synthetic)):
        return 0
    rng = random.Random(seed)
    ctx = cache.context(session)
    leaves = sorted(code for code, c in ctx.categories.items() if c.is_leaf and c.kind)
    users = {u.username: u.id for u in session.scalars(select(User))}
    staff = _synthetic_staff(session, now)
    fallback = session.scalar(select(Department.id).where(Department.name == DEMO_DEPARTMENT))
    people = _People(rng, count)
    start = now - timedelta(days=395)
    moments = sorted(start + timedelta(seconds=rng.uniform(0, 395 * 86400)) for _ in range(count))
    for created in moments:
        request = people.request(ctx, rng.choice(leaves), _random_point(rng, ctx))
        result = _register(session, request, users, created, timezone)
        _advance(session, rng, result.number, created, now, users, staff, fallback)
        if "survey" in users:
            surveys.answer(session, rng, result.order_id, now, users["survey"], timezone)
    return count + _showcase(session, rng, ctx, people, now, timezone, users, staff)


class _People:
    """Synthetic callers: a pool of phone numbers (so some call again) and names."""

    SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"

    def __init__(self, rng: random.Random, count: int) -> None:
        self.rng = rng
        self.phones = [
            f"1{rng.choice('3589')}{rng.randrange(10**9):09d}" for _ in range(count // 3)
        ]

    def address(self, ctx: cache.RoutingContext, point: tuple[float, float]) -> str:
        """A synthetic address naming the district of `point` and one of its 街乡镇 (the
        demo has no 街乡镇 boundaries: the street is chosen at random in the district)."""
        number = self.rng.randrange(1, 300)
        district = ctx.index.locate(*point)
        if district is None:
            return f"演示地址{number}号"
        streets = [s for s in ctx.streets if s.parent_code == district.code]
        street = self.rng.choice(streets).name if streets else ""
        return f"{district.name}{street}演示地址{number}号"

    def request(
        self, ctx: cache.RoutingContext, category: str, point: tuple[float, float]
    ) -> IntakeRequest:
        """A synthetic call about `category` at `point`."""
        rng = self.rng
        order_type = rng.choices(list(OrderType), weights=[25, 15, 35, 8, 12, 5])[0]
        close_now = order_type is OrderType.INQUIRY and rng.random() < 0.6
        return IntakeRequest(
            channel=rng.choices(DEMO_CHANNELS, weights=[70, 10, 3, 3, 4, 10])[0],
            order_type=order_type,
            category_code=category,
            description=f"{SYNTHETIC_PREFIX}市民反映{ctx.categories[category].name}问题，请尽快处理。",
            caller_phone=rng.choice(self.phones),
            caller_name=rng.choice(self.SURNAMES) + rng.choice(["先生", "女士"]),
            lon=point[0],
            lat=point[1],
            address=self.address(ctx, point),
            confidential=order_type is OrderType.TIP_OFF and rng.random() < 0.5,
            close_at_intake=close_now,
            intake_answer="已按知识库答复市民。" if close_now else "",
        )


SHOWCASE_CATEGORIES = ["0101", "0103", "0104", "0105", "0401", "0405"]  # 城管委 matters
CHAOYANG = "110105"


def _showcase(
    session: Session,
    rng: random.Random,
    ctx: cache.RoutingContext,
    people: _People,
    now: datetime,
    timezone: str,
    users: dict[str, int],
    staff: dict[int, int],
) -> int:
    """Recent open orders in the demo logins' own queues: the department's and the desk's."""
    added = 0
    for i in range(18):
        created = now - timedelta(days=rng.uniform(0.1, 8))
        request = people.request(
            ctx, rng.choice(SHOWCASE_CATEGORIES), _random_point(rng, ctx, CHAOYANG)
        )
        request = replace(request, order_type=OrderType.COMPLAINT, close_at_intake=False)
        result = _register(session, request, users, created, timezone)
        added += 1
        moment = created + timedelta(hours=2)
        department = session.scalar(
            select(WorkOrder.department_id).where(WorkOrder.number == result.number)
        )
        actor = staff[department]
        for action, note in DEMO_STEPS.get(i % 6, ()):
            step = Step(action, note)
            handling.perform(session, actor_id=actor, number=result.number, step=step, now=moment)
    for _ in range(3):  # calls from just outside the city: manual routing at the desk
        point = (round(rng.uniform(117.25, 117.4), 6), round(rng.uniform(39.0, 39.1), 6))
        request = people.request(ctx, rng.choice(SHOWCASE_CATEGORIES), point)
        request = replace(request, close_at_intake=False)
        created = now - timedelta(hours=rng.uniform(1, 20))
        _register(session, request, users, created, timezone)
        added += 1
    return added


def _synthetic_staff(session: Session, now: datetime) -> dict[int, int]:
    """One synthetic handler per department, so demo orders everywhere move along.

    Their passwords are random and never shown: nobody logs in as them.
    """
    with write_transaction(session):
        staff = {
            u.department_id: u.id
            for u in session.scalars(select(User).where(User.role == Role.DEPARTMENT.value))
        }
        for department in session.scalars(select(Department)):
            if department.id in staff:
                continue
            user = User(
                username=f"staff-{department.id}",
                display_name=f"{department.name}承办人（合成）",
                role=Role.DEPARTMENT.value,
                department_id=department.id,
                synthetic=True,
                # A cheap hash is safe here: the password is 24 random bytes, never stored.
                password_hash=generate_password_hash(
                    secrets.token_urlsafe(24), method="scrypt:1024:8:1"
                ),
                password_changed_at=now,
                created_at=now,
            )
            session.add(user)
            session.flush()
            staff[department.id] = user.id
    return staff


def _advance(
    session: Session,
    rng: random.Random,
    number: str,
    created: datetime,
    now: datetime,
    users: dict[str, int],
    staff: dict[int, int],
    fallback: int,
) -> None:
    """Move a demo order along the loop; older orders get further."""
    age_days = (now - created).days
    steps = [
        ("desk", Action.ROUTE, "人工派单", fallback),
        (None, Action.ACCEPT, "", None),
        (None, Action.REPLY, "已现场核实并处理完毕。", None),
        ("desk", Action.APPROVE, "", None),
    ]
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
    if order.state != "registered":
        steps = steps[1:]
    if order.state not in {State.REGISTERED, State.ROUTED}:
        return
    depth = len(steps) if age_days > 20 else rng.randrange(0, len(steps) + 1)
    moment = created
    for username, action, note, department in steps[:depth]:
        moment = min(now, moment + timedelta(hours=rng.uniform(1, 72)))
        if username is None:
            department_id = session.scalar(
                select(WorkOrder.department_id).where(WorkOrder.number == number)
            )
            actor = staff[department_id]
        else:
            actor = users[username]
        step = Step(action, note, department)
        handling.perform(session, actor_id=actor, number=number, step=step, now=moment)


def _register(session: Session, request, users: dict[str, int], created: datetime, timezone: str):
    """A synthetic call taken by the demo operator at `created`."""
    operator = users["operator"]
    return intake.register_call(
        session, request=request, actor_id=operator, now=created, timezone=timezone, synthetic=True
    )
