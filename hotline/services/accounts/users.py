"""Logging in, with lock-out after repeated failures, and managing accounts."""

from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from hotline.core.accounts.roles import Role
from hotline.database import write_transaction
from hotline.models import Department, User
from hotline.services.errors import Conflict, NotFound, ValidationFailed

MIN_PASSWORD = 10


class LoginFailed(Exception):
    """Wrong credentials, or the account is locked (code says which)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    """A hash to check when the user does not exist: the same method, so the same cost."""
    return generate_password_hash("not-a-real-password", method=method)


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    now: datetime,
    max_failures: int,
    lock_minutes: int,
    hash_method: str,
) -> User:
    """The user for these credentials; counts failures and locks the account after too many.

    The password hash (about 0.5 s in production) is checked before any write transaction,
    so a wrong password never holds the writer lock that intake and dispatch wait on; the
    outcome is then recorded with one atomic UPDATE.
    """
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        check_password_hash(_dummy_hash(hash_method), password)
        raise LoginFailed("bad_credentials")
    locked = user.locked_until is not None and user.locked_until > now
    good = check_password_hash(user.password_hash, password) and user.active
    if locked:
        raise LoginFailed("locked")
    with write_transaction(session):
        if good:
            values = {"failed_logins": 0, "locked_until": None}
            session.execute(update(User).where(User.id == user.id).values(**values))
        else:
            _count_failure(session, user.id, now, max_failures, lock_minutes)
    if not good:
        raise LoginFailed("bad_credentials")
    session.refresh(user)
    return user


def _count_failure(
    session: Session, user_id: int, now: datetime, max_failures: int, lock_minutes: int
) -> None:
    """One more failure, counted in the database (two at once both count); lock at the limit."""
    failures = session.execute(
        update(User)
        .where(User.id == user_id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
    ).scalar_one()
    if failures >= max_failures:
        lock = {"locked_until": now + timedelta(minutes=lock_minutes), "failed_logins": 0}
        session.execute(update(User).where(User.id == user_id).values(**lock))


def validate_account(
    session: Session, *, role: str, department_id: int | None, password: str | None
) -> Role:
    """Check role, department binding and password strength; return the role."""
    errors = {}
    try:
        role_enum = Role(role)
    except ValueError:
        errors["role"] = "invalid_choice"
        role_enum = Role.OPERATOR
    if role_enum is Role.DEPARTMENT and (
        department_id is None or session.get(Department, department_id) is None
    ):
        errors["department_id"] = "required_for_department_staff"
    if password is not None and len(password) < MIN_PASSWORD:
        errors["password"] = "too_short"  # noqa: S105 - an error code, not a password
    if errors:
        raise ValidationFailed(errors)
    return role_enum


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: str,
    password: str,
    hash_method: str,
    now: datetime,
    department_id: int | None = None,
) -> User:
    """A new account; department staff must name their department."""
    username = username.strip()
    if not username or len(username) > 64 or not username.isprintable():
        raise ValidationFailed({"username": "invalid"})
    with write_transaction(session):
        role_enum = validate_account(
            session, role=role, department_id=department_id, password=password
        )
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            raise Conflict("username_taken")
        user = User(
            username=username,
            display_name=(display_name.strip() or username)[:64],
            password_hash=generate_password_hash(password, method=hash_method),
            role=role_enum.value,
            department_id=department_id if role_enum is Role.DEPARTMENT else None,
            created_at=now,
        )
        session.add(user)
    return user


def update_user(
    session: Session,
    *,
    user_id: int,
    display_name: str,
    role: str,
    department_id: int | None,
    active: bool,
    hash_method: str,
    new_password: str | None = None,
) -> User:
    """Change an account; a new password or deactivation ends its existing sessions."""
    with write_transaction(session):
        user = get_user(session, user_id)
        role_enum = validate_account(
            session, role=role, department_id=department_id, password=new_password or None
        )
        user.display_name = (display_name.strip() or user.username)[:64]
        user.role = role_enum.value
        user.department_id = department_id if role_enum is Role.DEPARTMENT else None
        if new_password or (user.active and not active):
            user.session_version += 1
        if new_password:
            user.password_hash = generate_password_hash(new_password, method=hash_method)
            user.failed_logins = 0
            user.locked_until = None
        user.active = active
    return user


def load_session_user(session: Session, identity: str) -> User | None:
    """The user behind a session identity 'id:version', if it is still valid."""
    user_id, _, version = identity.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.active:
        return None
    return user


def list_users(session: Session) -> list[User]:
    """The accounts people use, by username (synthetic demo staff left out)."""
    query = select(User).where(User.synthetic.is_(False)).order_by(User.username)
    return list(session.scalars(query))


def get_user(session: Session, user_id: int) -> User:
    """One account, or NotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user
