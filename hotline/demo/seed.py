"""Demo data: Beijing's districts, departments, categories, one login per role, an API client.

Idempotent: running it again adds nothing that is already there.
"""

import json
import secrets
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from hotline.core.accounts.passwords import password_problems
from hotline.core.accounts.permissions import Permission, allows
from hotline.core.accounts.roles import Role
from hotline.core.telephony.line import digest_ha1
from hotline.core.units.kinds import CITY_BODIES, DISTRICT_BODIES
from hotline.database import write_transaction
from hotline.demo.reference import CATEGORIES, CATEGORY_ATTRIBUTES
from hotline.models import (
    ApiClient,
    Category,
    CategoryAttribute,
    Department,
    District,
    User,
)
from hotline.services.accounts import credentials
from hotline.services.reference import cache
from hotline.services.telephony import credentials as phone_credentials
from hotline.services.units import boundaries as gis_import
from hotline.services.units import divisions, organisation

DEMO_USERS: list[tuple[str, str, Role]] = [
    ("operator", "话务员（演示）", Role.OPERATOR),
    ("desk", "派单员（演示）", Role.DESK),
    ("dept", "承办人员（演示）", Role.DEPARTMENT),
    ("ems", "120调度员（演示）", Role.EMS_DISPATCHER),
    ("survey", "回访员（演示）", Role.SURVEYOR),
    ("supervisor", "班长（演示）", Role.SUPERVISOR),
    ("official", "领导（演示）", Role.OFFICIAL),
    ("kb", "知识管理员（演示）", Role.KNOWLEDGE_EDITOR),
    ("station", "急救站值班室（演示）", Role.EMS_STATION),
    ("hospital", "医院急诊接诊台（演示）", Role.HOSPITAL),
    ("link110", "110指挥中心（演示）", Role.LINKED_CENTRE),
    ("admin", "系统管理员（演示）", Role.SYSTEM_ADMIN),
    ("security", "安全管理员（演示）", Role.SECURITY_ADMIN),
    ("audit", "审计管理员（演示）", Role.AUDIT_ADMIN),
]
DEMO_DEPARTMENT = "朝阳区城市管理委员会"


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
    # Beijing's 街乡镇 (official codes), beside the district file: units of their own.
    streets = organisation.seed_streets(session, divisions.load_divisions(boundaries.parent)[1])
    return districts_added, len(new_departments) + streets.added, categories_added


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


def demo_password() -> str:
    """A random password that the password policy accepts (most random ones do)."""
    while True:
        password = secrets.token_urlsafe(12)
        if not password_problems(password):
            return password


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
            password = demo_password()
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
                        password_changed_at=now,
                        created_at=now,
                    )
                )
            else:
                user.password_hash = password_hash
                user.password_changed_at = now
                user.must_change_password = False
                user.session_version += 1
    return saved


def seed_phones(
    session: Session, saved: dict[str, dict[str, str]], realm: str, now: datetime
) -> dict[str, dict[str, str]]:
    """A phone extension and SIP password for each demo user who answers calls; a saved
    password is kept while it still opens its extension."""
    phones: dict[str, dict[str, str]] = {}
    for username, _display, role in DEMO_USERS:
        if not allows(role, Permission.ANSWER_CALLS):
            continue
        user = session.scalar(select(User).where(User.username == username))
        known = saved.get(username) or {}
        ha1 = phone_credentials.ha1_of(session, known.get("extension", ""))
        if ha1 and ha1 == digest_ha1(known["extension"], realm, known.get("password", "")):
            phones[username] = known
            continue
        extension, password = phone_credentials.issue_phone(session, user.id, realm=realm, now=now)
        phones[username] = {"extension": extension, "password": password}
    return phones


def seed_places(session: Session, now: datetime) -> int:
    """The gazetteer's demonstration places (synthetic), for the address box."""
    from hotline.demo.places import seed_places as seed

    return seed(session, now)
