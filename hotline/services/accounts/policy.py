"""The password and lock-out policy the security administrator sets, kept in app_settings;
a value never set there comes from the configuration's defaults."""

from dataclasses import asdict, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.accounts.passwords import POLICY_FIELDS, PasswordPolicy, policy_errors
from hotline.core.accounts.permissions import Permission
from hotline.core.accounts.security import SecurityKind
from hotline.database import write_transaction
from hotline.models import AppSetting
from hotline.services.accounts import security_log
from hotline.services.accounts.users import require_permission
from hotline.services.errors import ValidationFailed

PREFIX = "password_policy."


def current(session: Session, *, defaults: PasswordPolicy) -> PasswordPolicy:
    """The policy in force: the saved values over `defaults`."""
    keys = [PREFIX + name for name in POLICY_FIELDS]
    rows = session.execute(select(AppSetting.key, AppSetting.value).where(AppSetting.key.in_(keys)))
    saved = {key: value for key, value in rows}
    values = {
        name: int(saved[PREFIX + name])
        for name in POLICY_FIELDS
        if saved.get(PREFIX + name, "").isdigit()
    }
    return replace(defaults, **values)


def save(
    session: Session,
    *,
    values: dict[str, int | None],
    defaults: PasswordPolicy,
    actor_id: int | None,
    now: datetime,
    ip: str = "",
) -> PasswordPolicy:
    """Set every policy value (each within its bounds); the change is in the security log."""
    errors = policy_errors(values)
    if errors:
        raise ValidationFailed(errors)
    with write_transaction(session):
        require_permission(session, actor_id, Permission.MANAGE_SECURITY_POLICY)
        before = asdict(current(session, defaults=defaults))
        changes = []
        for name in POLICY_FIELDS:
            value = int(values[name])
            if value == before[name]:
                continue
            changes.append(f"{name}: {before[name]} → {value}")
            row = session.get(AppSetting, PREFIX + name)
            if row is None:
                session.add(AppSetting(key=PREFIX + name, value=str(value)))
            else:
                row.value = str(value)
        if changes:
            security_log.record(
                session,
                SecurityKind.SETTINGS_CHANGED,
                now=now,
                actor_id=actor_id,
                ip=ip,
                detail="; ".join(changes),
            )
    return current(session, defaults=defaults)
