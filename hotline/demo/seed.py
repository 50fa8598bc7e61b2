"""Demo data: Beijing's districts, departments, categories, one login per role, synthetic calls.

Idempotent: running it again adds nothing that is already there.
"""

import json
import random
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from hotline.core.accounts.roles import Role
from hotline.core.orders.intake import Channel, IntakeRequest, OrderType
from hotline.core.orders.workflow import Action, State
from hotline.core.units.kinds import CITY_BODIES, DISTRICT_BODIES
from hotline.database import write_transaction
from hotline.demo import surveys
from hotline.demo.reference import CATEGORIES, CATEGORY_ATTRIBUTES
from hotline.models import (
    ApiClient,
    Category,
    CategoryAttribute,
    Department,
    District,
    User,
    WorkOrder,
)
from hotline.services.accounts import credentials
from hotline.services.orders import handling, intake
from hotline.services.reference import cache
from hotline.services.units import boundaries as gis_import

DEMO_USERS: list[tuple[str, str, Role]] = [
    ("operator", "话务员（演示）", Role.OPERATOR),
    ("desk", "派单员（演示）", Role.DESK),
    ("dept", "承办人员（演示）", Role.DEPARTMENT),
    ("ems", "120调度员（演示）", Role.EMS_DISPATCHER),
    ("survey", "回访员（演示）", Role.SURVEYOR),
    ("supervisor", "班长（演示）", Role.SUPERVISOR),
    ("official", "领导（演示）", Role.OFFICIAL),
    ("admin", "管理员（演示）", Role.ADMIN),
]
DEMO_DEPARTMENT = "朝阳区城市管理委员会"
SYNTHETIC_PREFIX = "【合成演示数据】"
DEMO_CHANNELS = [
    Channel.PHONE,
    Channel.WEB,
    Channel.LETTER,
    Channel.EMAIL,
    Channel.SMS,
    Channel.APP,
]


@dataclass(frozen=True)
class SeedSummary:
    """What seeding did, and the demo logins to print."""

    districts_added: int
    departments_added: int
    categories_added: int
    orders_added: int
    credentials: dict[str, str]


# What the department has done with the i-th showcase order, by i % 6.
DEMO_STEPS = {
    2: [(Action.ACCEPT, "")],
    3: [(Action.ACCEPT, "")],
    4: [(Action.ACCEPT, ""), (Action.REPLY, "已现场处理完毕。")],
    5: [(Action.RETURN, "该点位不属本单位管辖。")],
}


def seed_reference_data(session: Session, boundaries: Path) -> tuple[int, int, int]:
    """Districts from the boundary file, departments per district and city-wide, categories."""
    districts_added = 0
    if session.scalar(select(func.count(District.id))) == 0:
        districts_added = gis_import.import_boundaries(session, boundaries).added
    with write_transaction(session):
        districts = session.scalars(select(District).order_by(District.code)).all()
        existing = set(session.scalars(select(Department.name)))
        wanted = [(n, k, None) for k, n in CITY_BODIES.items()]
        for district in districts:
            wanted += [(district.name + s, k, district.id) for k, s in DISTRICT_BODIES.items()]
        new_departments = [
            Department(name=n, kind=k, district_id=d) for n, k, d in wanted if n not in existing
        ]
        session.add_all(new_departments)
        codes = set(session.scalars(select(Category.code)))
        categories_added = 0
        for major_code, major_name, minors in CATEGORIES:
            major = session.scalar(select(Category).where(Category.code == major_code))
            if major is None:
                major = Category(code=major_code, name=major_name)
                session.add(major)
                session.flush()
                categories_added += 1
            for code, name, kind, days, keywords in minors:
                if code not in codes:
                    session.add(
                        Category(
                            code=code,
                            name=name,
                            parent_id=major.id,
                            department_kind=kind,
                            time_limit=days,
                            keywords=keywords,
                        )
                    )
                    categories_added += 1
        session.flush()
        _seed_attributes(session)
        cache.bump_version(session)
    return districts_added, len(new_departments), categories_added


def _seed_attributes(session: Session) -> None:
    for code, specs in CATEGORY_ATTRIBUTES.items():
        category_id = session.scalar(select(Category.id).where(Category.code == code))
        existing = set(
            session.scalars(
                select(CategoryAttribute.code).where(CategoryAttribute.category_id == category_id)
            )
        )
        for order, spec in enumerate(specs, start=1):
            if spec["code"] not in existing:
                session.add(
                    CategoryAttribute(
                        category_id=category_id,
                        code=spec["code"],
                        datatype=spec["datatype"],
                        required=spec["required"],
                        description=spec["description"],
                        order=order,
                        values_json=json.dumps(spec.get("values", []), ensure_ascii=False),
                    )
                )


DEMO_CLIENT = "demo-app"


def seed_api_client(session: Session, saved_key: str | None, now: datetime) -> str:
    """The demo Open311 client; keeps its key if the credentials file still has it."""
    client = session.scalar(select(ApiClient).where(ApiClient.name == DEMO_CLIENT))
    if client is None:
        return credentials.create_client(session, name=DEMO_CLIENT, now=now)[1]
    if saved_key and credentials.client_for_key(session, saved_key) is not None:
        return saved_key
    key = secrets.token_urlsafe(32)
    with write_transaction(session):
        client = session.get(ApiClient, client.id)
        client.key_hash, client.key_prefix = credentials.digest(key), key[:8]
        client.active, client.revoked_at = True, None
    return key


def seed_users(
    session: Session, credentials_file: Path, hash_method: str, now: datetime
) -> dict[str, str]:
    """One login per role with random passwords, kept in `credentials_file`."""
    saved: dict[str, str] = {}
    if credentials_file.exists():
        saved = json.loads(credentials_file.read_text(encoding="utf-8")).get("users", {})
    with write_transaction(session):
        department_id = session.scalar(
            select(Department.id).where(Department.name == DEMO_DEPARTMENT)
        )
        for username, display, role in DEMO_USERS:
            user = session.scalar(select(User).where(User.username == username))
            if user is not None and username in saved:
                continue
            password = secrets.token_urlsafe(12)
            saved[username] = password
            password_hash = generate_password_hash(password, method=hash_method)
            if user is None:
                session.add(
                    User(
                        username=username,
                        display_name=display,
                        role=role.value,
                        department_id=department_id if role is Role.DEPARTMENT else None,
                        password_hash=password_hash,
                        created_at=now,
                    )
                )
            else:
                user.password_hash = password_hash
                user.session_version += 1
    return saved


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
        result = intake.register_call(
            session, request, users["operator"], created, timezone, synthetic=True
        )
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
            address=f"演示地址{rng.randrange(1, 300)}号",
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
        result = intake.register_call(
            session, request, users["operator"], created, timezone, synthetic=True
        )
        added += 1
        moment = created + timedelta(hours=2)
        department = session.scalar(
            select(WorkOrder.department_id).where(WorkOrder.number == result.number)
        )
        actor = staff[department]
        for action, note in DEMO_STEPS.get(i % 6, ()):
            handling.perform(
                session, actor_id=actor, number=result.number, action=action, now=moment, note=note
            )
    for _ in range(3):  # calls from just outside the city: manual routing at the desk
        point = (round(rng.uniform(117.25, 117.4), 6), round(rng.uniform(39.0, 39.1), 6))
        request = people.request(ctx, rng.choice(SHOWCASE_CATEGORIES), point)
        request = replace(request, close_at_intake=False)
        created = now - timedelta(hours=rng.uniform(1, 20))
        intake.register_call(session, request, users["operator"], created, timezone, synthetic=True)
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
        handling.perform(
            session,
            actor_id=actor,
            number=number,
            action=action,
            now=moment,
            note=note,
            department_id=department,
        )
