"""Logging in, with lock-out after repeated failures; accounts, their roles and passwords."""

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from hotline.core.accounts.passwords import (
    HISTORY_KEPT,
    REUSED,
    PasswordPolicy,
    expired,
    password_problems,
)
from hotline.core.accounts.permissions import Permission, allows
from hotline.core.accounts.roles import ADMINISTRATORS, Role, missing_workplace
from hotline.core.accounts.security import SecurityKind
from hotline.database import write_transaction
from hotline.models import Department, User
from hotline.services.accounts import security_log, sessions, throttle
from hotline.services.errors import Conflict, Forbidden, NotFound, ValidationFailed

# The policy where a caller gives none (scripts, tests); the pages pass the one in force.
DEFAULT_POLICY = PasswordPolicy()


class LoginFailed(Exception):
    """Wrong credentials, a locked account or too many attempts (code says which)."""

    def __init__(self, code: str, wait_seconds: int = 0, address_wait: int = 0) -> None:
        super().__init__(code)
        self.code = code
        self.wait_seconds = wait_seconds
        self.address_wait = address_wait  # how much of the wait is the address's own


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    """A hash to check when the user does not exist: the same method, so the same cost."""
    return generate_password_hash("not-a-real-password", method=method)


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    ip: str,
    now: datetime,
    max_failures: int,
    lock_minutes: int,
    hash_method: str,
    trusted_networks: Iterable[str] = (),
) -> tuple[User, str]:
    """The user for these credentials and a new session token; failures are counted.

    Each attempt first takes its turn in the throttle (one short write): an address or
    username with recent failures must wait (progressively longer) before it is heard
    again, and is answered without checking any hash. The password hash (about 0.5 s in
    production) is checked outside any write transaction, so a wrong password never holds
    the writer lock that intake and dispatch wait on; the outcome is then recorded with
    atomic UPDATEs. A username without an account costs the same hash
    and gets the same answers, lock-out included, as a real one.
    """
    username = username.strip()
    keys = throttle.buckets(ip=ip, username=username, trusted=trusted_networks)
    waits = throttle.waits(session, keys=keys, now=now)
    if any(waits.values()):
        raise LoginFailed("throttled", max(waits.values()), address_wait=waits.get("ip", 0))
    with write_transaction(session):
        wait = throttle.reserve(session, keys=keys, now=now)  # checked again, locked
    if wait:
        raise LoginFailed("throttled", wait)
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        check_password_hash(_dummy_hash(hash_method), password)
        if throttle.unknown_user_locked(session, keys=keys, now=now):
            raise LoginFailed("locked")
        with write_transaction(session):
            lock = {"max_failures": max_failures, "lock_minutes": lock_minutes}
            throttle.lock_unknown(session, keys=keys, now=now, **lock)
            security_log.record(
                session, SecurityKind.LOGIN_FAILED, now=now, username=username, ip=ip
            )
        raise LoginFailed("bad_credentials")  # as a real account's locking failure says
    good = check_password_hash(user.password_hash, password) and user.active
    if user.locked_until is not None and user.locked_until > now:
        raise LoginFailed("locked")
    event = {"now": now, "subject_user_id": user.id, "username": username, "ip": ip}
    with write_transaction(session):
        if good:
            values = {"failed_logins": 0, "locked_until": None}
            session.execute(update(User).where(User.id == user.id).values(**values))
            throttle.give_back(session, keys=keys, now=now)
            security_log.record(session, SecurityKind.LOGIN, actor_id=user.id, **event)
            token = sessions.start(session, user_id=user.id, now=now, ip=ip)
        else:
            locked = _count_failure(session, user.id, now, max_failures, lock_minutes)
            security_log.record(session, SecurityKind.LOGIN_FAILED, **event)
            if locked:
                security_log.record(session, SecurityKind.LOCKED_OUT, **event)
    if not good:
        raise LoginFailed("bad_credentials")
    session.refresh(user)
    return user, token


def _count_failure(
    session: Session, user_id: int, now: datetime, max_failures: int, lock_minutes: int
) -> bool:
    """One more failure, counted in the database (two at once both count); True if this
    one locks the account."""
    failures = session.execute(
        update(User)
        .where(User.id == user_id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
    ).scalar_one()
    if failures >= max_failures:
        lock = {"locked_until": now + timedelta(minutes=lock_minutes), "failed_logins": 0}
        session.execute(update(User).where(User.id == user_id).values(**lock))
        return True
    return False


def require_permission(
    session: Session, actor_id: int | None, permission: Permission
) -> User | None:
    """The acting user if their role has `permission`, else Forbidden; None without an actor
    (the server's console, the demo seeding, tests), which is trusted."""
    if actor_id is None:
        return None
    actor = session.get(User, actor_id)
    if actor is None or not actor.active or not allows(actor.role, permission):
        raise Forbidden("not_allowed_for_role")
    return actor


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationFailed({"role": "invalid_choice"}) from None


def _department_errors(
    session: Session, *, role: Role, department_id: int | None
) -> dict[str, str]:
    """An unknown department, or department staff without one."""
    if department_id is not None and session.get(Department, department_id) is None:
        return {"department_id": "unknown_department"}
    if role is Role.DEPARTMENT and department_id is None:
        return {"department_id": "required_for_department_staff"}
    return {}


def _locked(session: Session, user_id: int) -> User:
    """The account, read again and locked for the rest of the write transaction (on
    PostgreSQL; SQLite's writer lock already serialises writes), so that two administrators'
    changes are decided one after the other."""
    user = session.get(User, user_id, with_for_update=True, populate_existing=True)
    if user is None:
        raise NotFound()
    return user


def _refuse_administrator_change(
    user: User, *, department_id: int | None, active: bool, new_password: bool
) -> None:
    """The system administrator may change only the name of an administrator's account."""
    changed = (department_id, active) != (user.department_id, user.active)
    if user.role in ADMINISTRATORS and (changed or new_password):
        raise Forbidden("administrator_account")


def _department_name(session: Session, department_id: int | None) -> str:
    department = session.get(Department, department_id) if department_id else None
    return department.name if department else "—"


def _reused(user: User, password: str, history: int) -> bool:
    """Whether `password` is one of the user's last `history` passwords (the current one
    included). Each check costs a full hash: the history is short, and this runs before
    any write transaction."""
    if history <= 0:
        return False
    earlier = json.loads(user.previous_password_hashes or "[]")
    hashes = [user.password_hash, *earlier][:history]
    return any(check_password_hash(h, password) for h in hashes)


def _set_password(
    session: Session, user: User, password_hash: str, *, now: datetime, must_change: bool
) -> None:
    """Replace the password inside the caller's transaction; every session of the user ends
    (the old cookies by the version, the server-side sessions for good)."""
    earlier = [user.password_hash, *json.loads(user.previous_password_hashes or "[]")]
    user.previous_password_hashes = json.dumps(earlier[:HISTORY_KEPT])
    user.password_hash = password_hash
    user.password_changed_at = now
    user.must_change_password = must_change
    user.failed_logins = 0
    user.locked_until = None
    user.session_version += 1
    sessions.end_all(session, user_id=user.id, now=now)


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    hash_method: str,
    now: datetime,
    role: str = Role.UNASSIGNED.value,
    department_id: int | None = None,
    actor_id: int | None = None,
    ip: str = "",
    policy: PasswordPolicy = DEFAULT_POLICY,
) -> User:
    """A new account; department staff must name their department.

    Created by the system administrator (`actor_id`), the account has no role until the
    security administrator gives it one, and its holder must replace the administrator's
    password at first login. At the console (no actor) the role is given at once and the
    password is the holder's own.
    """
    actor = require_permission(session, actor_id, Permission.MANAGE_USERS)
    role_enum = _role(role)
    if actor is not None and role_enum is not Role.UNASSIGNED:
        require_permission(session, actor_id, Permission.MANAGE_ROLES)  # nobody has both
    username = username.strip()
    password = password or ""  # a form posted without the field: refused as too short
    errors = {}
    if not username or len(username) > 64 or not username.isprintable():
        errors["username"] = "invalid"
    errors |= _department_errors(session, role=role_enum, department_id=department_id)
    problems = password_problems(password, min_length=policy.min_length, username=username)
    if problems:
        errors["password"] = problems[0]
    if errors:
        raise ValidationFailed(errors)
    password_hash = generate_password_hash(password, method=hash_method)  # slow: not locked
    with write_transaction(session):
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            raise Conflict("username_taken")
        user = User(
            username=username,
            display_name=(display_name.strip() or username)[:64],
            password_hash=password_hash,
            password_changed_at=now,
            must_change_password=actor is not None,
            role=role_enum.value,
            department_id=department_id,
            created_at=now,
        )
        session.add(user)
        session.flush()
        department = _department_name(session, department_id)
        security_log.record(
            session,
            SecurityKind.ACCOUNT_CREATED,
            now=now,
            actor_id=actor_id,
            subject_user_id=user.id,
            username=username,
            ip=ip,
            detail=f"role: {role_enum.value}; department: {department}",
        )
    return user


def update_user(
    session: Session,
    *,
    user_id: int,
    display_name: str,
    department_id: int | None,
    active: bool,
    hash_method: str,
    now: datetime,
    new_password: str | None = None,
    actor_id: int | None = None,
    ip: str = "",
    policy: PasswordPolicy = DEFAULT_POLICY,
) -> User:
    """Change an account's name, department or status, or reset its password (to be changed
    at the next login); a reset or deactivation ends the user's sessions.

    The system administrator may not reset the password of, move or deactivate an account
    that holds an administrator role: whoever could would hold its powers too. Its holder
    changes their own password; the security administrator first takes the role away.
    """
    actor = require_permission(session, actor_id, Permission.MANAGE_USERS)
    user = get_user(session, user_id)
    change = {"department_id": department_id, "active": active, "new_password": bool(new_password)}
    if actor is not None:
        _refuse_administrator_change(user, **change)
    errors = _department_errors(session, role=_role(user.role), department_id=department_id)
    problems = []
    if new_password:
        problems = password_problems(
            new_password, min_length=policy.min_length, username=user.username
        )
        if not problems and _reused(user, new_password, policy.history):
            problems = [REUSED]
    if problems:
        errors["password"] = problems[0]
    if errors:
        raise ValidationFailed(errors)
    password_hash = (
        generate_password_hash(new_password, method=hash_method) if new_password else None
    )
    event = {"now": now, "actor_id": actor_id, "subject_user_id": user_id, "ip": ip}
    with write_transaction(session):
        user = _locked(session, user_id)  # its role may have changed meanwhile
        if actor is not None:
            _refuse_administrator_change(user, **change)
        if user.role == Role.DEPARTMENT and department_id is None:
            raise ValidationFailed({"department_id": "required_for_department_staff"})
        event["username"] = user.username
        user.display_name = (display_name.strip() or user.username)[:64]
        if department_id != user.department_id:
            detail = " → ".join(
                _department_name(session, d) for d in (user.department_id, department_id)
            )
            security_log.record(session, SecurityKind.DEPARTMENT_CHANGED, detail=detail, **event)
            user.department_id = department_id
        if password_hash is not None:
            _set_password(session, user, password_hash, now=now, must_change=actor is not None)
            detail = "reset by an administrator" if actor is not None else "reset"
            security_log.record(session, SecurityKind.PASSWORD_CHANGED, detail=detail, **event)
        if user.active and not active:
            user.session_version += 1
            sessions.end_all(session, user_id=user_id, now=now)
            security_log.record(session, SecurityKind.ACCOUNT_DEACTIVATED, **event)
        elif active and not user.active:
            security_log.record(session, SecurityKind.ACCOUNT_REACTIVATED, **event)
        user.active = active
    return user


def set_role(
    session: Session, *, user_id: int, role: str, actor_id: int | None, now: datetime, ip: str = ""
) -> User:
    """Give an account a role (the security administrator's decision); nobody changes their
    own. It takes effect at the account's next request."""
    require_permission(session, actor_id, Permission.MANAGE_ROLES)
    role_enum = _role(role)
    if actor_id is not None and actor_id == user_id:
        raise ValidationFailed({"role": "own_role"})
    with write_transaction(session):
        user = _locked(session, user_id)
        if role_enum is Role.DEPARTMENT and user.department_id is None:
            raise ValidationFailed({"role": "required_for_department_staff"})
        refusal = missing_workplace(user.workplace, role_enum)
        if refusal:
            raise ValidationFailed(refusal)
        if user.role != role_enum.value:
            security_log.about(
                session,
                SecurityKind.ROLE_CHANGED,
                user,
                now=now,
                actor_id=actor_id,
                ip=ip,
                detail=f"{user.role} → {role_enum.value}",
            )
            user.role = role_enum.value
    return user


def _refuse_wrong_password(
    session: Session, user: User, *, field: str, now: datetime, ip: str, policy: PasswordPolicy
) -> None:
    """A wrong password typed by a logged-in user counts as a failed login: enough of them
    lock the account and end its sessions, so a borrowed session cannot go on guessing."""
    event = {"now": now, "subject_user_id": user.id, "username": user.username, "ip": ip}
    with write_transaction(session):
        locked = _count_failure(session, user.id, now, policy.max_failures, policy.lock_minutes)
        security_log.record(session, SecurityKind.LOGIN_FAILED, detail=field, **event)
        if locked:
            security_log.record(session, SecurityKind.LOCKED_OUT, **event)
            session.execute(
                update(User)
                .where(User.id == user.id)
                .values(session_version=User.session_version + 1)
            )
            sessions.end_all(session, user_id=user.id, now=now)
    raise ValidationFailed({field: "wrong_password"})


def confirm_password(
    session: Session,
    *,
    user_id: int,
    password: str,
    now: datetime,
    ip: str = "",
    policy: PasswordPolicy = DEFAULT_POLICY,
    field: str = "password",
) -> None:
    """Check a logged-in user's password typed again before a grave step; a wrong one is a
    failed login (ValidationFailed on `field`)."""
    user = get_user(session, user_id)
    if user.locked_until is not None and user.locked_until > now:
        raise ValidationFailed({field: "locked"})
    if not check_password_hash(user.password_hash, password or ""):
        _refuse_wrong_password(session, user, field=field, now=now, ip=ip, policy=policy)


def change_own_password(
    session: Session,
    *,
    user_id: int,
    current_password: str,
    new_password: str,
    repeated: str,
    hash_method: str,
    now: datetime,
    ip: str = "",
    policy: PasswordPolicy = DEFAULT_POLICY,
) -> tuple[User, str]:
    """A user replaces their own password; every other session of theirs ends and this one
    continues under the returned new session token."""
    confirm_password(
        session,
        user_id=user_id,
        password=current_password,
        now=now,
        ip=ip,
        policy=policy,
        field="current_password",
    )
    user = get_user(session, user_id)
    if new_password != repeated:
        raise ValidationFailed({"repeated": "password_mismatch"})
    problems = password_problems(new_password, min_length=policy.min_length, username=user.username)
    if not problems and _reused(user, new_password, policy.history):
        problems = [REUSED]
    if problems:
        raise ValidationFailed({"new_password": problems[0]})
    password_hash = generate_password_hash(new_password, method=hash_method)
    with write_transaction(session):
        user = _locked(session, user_id)
        _set_password(session, user, password_hash, now=now, must_change=False)
        security_log.about(
            session,
            SecurityKind.PASSWORD_CHANGED,
            user,
            now=now,
            actor_id=user_id,
            ip=ip,
            detail="changed by its holder",
        )
        token = sessions.start(session, user_id=user_id, now=now, ip=ip)
    session.refresh(user)
    return user, token


def reset_password_at_console(
    session: Session,
    *,
    username: str,
    password: str,
    hash_method: str,
    now: datetime,
    policy: PasswordPolicy = DEFAULT_POLICY,
) -> User:
    """A new password set at the server's console (any account, administrators' included);
    it must be changed at the next login."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise NotFound()
    problems = password_problems(password, min_length=policy.min_length, username=user.username)
    if problems:
        raise ValidationFailed({"password": problems[0]})
    password_hash = generate_password_hash(password, method=hash_method)
    with write_transaction(session):
        user = _locked(session, user.id)
        _set_password(session, user, password_hash, now=now, must_change=True)
        security_log.about(
            session,
            SecurityKind.PASSWORD_CHANGED,
            user,
            now=now,
            detail="reset at the console",
        )
    return user


def require_change_if_expired(
    session: Session, *, user_id: int, now: datetime, max_age_days: int
) -> bool:
    """Whether the user must change their password before anything else; an expired one is
    marked so (the flag holds in every session until the password is changed)."""
    user = get_user(session, user_id)
    if user.must_change_password:
        return True
    if not expired(changed_at=user.password_changed_at, now=now, max_age_days=max_age_days):
        return False
    with write_transaction(session):
        session.execute(update(User).where(User.id == user_id).values(must_change_password=True))
    session.refresh(user)
    return True


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
