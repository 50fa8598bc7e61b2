"""API keys of Open311 clients and API tokens of users: issued once, stored hashed."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.accounts.passwords import PasswordPolicy
from hotline.core.accounts.permissions import Permission
from hotline.core.accounts.security import SecurityKind
from hotline.database import write_transaction
from hotline.models import ApiClient, User
from hotline.services.accounts import security_log
from hotline.services.accounts.users import DEFAULT_POLICY, confirm_password, require_permission
from hotline.services.errors import Conflict, NotFound, ValidationFailed


def digest(secret: str) -> str:
    """SHA-256 hex of a key or token (they are 32 random bytes: no slow hash needed)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_client(
    session: Session, *, name: str, now: datetime, actor_id: int | None = None, ip: str = ""
) -> tuple[ApiClient, str]:
    """A new Open311 client; returns it and its key, which is shown this once only."""
    require_permission(session, actor_id, Permission.MANAGE_KEYS_AND_TOKENS)
    name = (name or "").strip()
    if not name or len(name) > 64 or not name.isprintable():
        raise ValidationFailed({"name": "invalid"})
    key = secrets.token_urlsafe(32)
    with write_transaction(session):
        if session.scalar(select(ApiClient.id).where(ApiClient.name == name)) is not None:
            raise Conflict("name_taken")
        client = ApiClient(
            name=name, key_hash=digest(key), key_prefix=key[:8], active=True, created_at=now
        )
        session.add(client)
        security_log.record(
            session,
            SecurityKind.API_KEY_ISSUED,
            now=now,
            actor_id=actor_id,
            ip=ip,
            detail=f"client: {name}; key starts {key[:8]}",
        )
    return client, key


def revoke_client(
    session: Session, *, client_id: int, now: datetime, actor_id: int | None = None, ip: str = ""
) -> None:
    """The client's key stops working at once."""
    require_permission(session, actor_id, Permission.MANAGE_KEYS_AND_TOKENS)
    with write_transaction(session):
        client = session.get(ApiClient, client_id)
        if client is None:
            raise NotFound()
        if client.active:
            security_log.record(
                session,
                SecurityKind.API_KEY_REVOKED,
                now=now,
                actor_id=actor_id,
                ip=ip,
                detail=f"client: {client.name}; key starts {client.key_prefix}",
            )
        client.active = False
        client.revoked_at = now


def client_for_key(session: Session, key: str | None) -> ApiClient | None:
    """The active client holding this key, or None."""
    if not key or len(key) > 200:
        return None
    client = session.scalar(select(ApiClient).where(ApiClient.key_hash == digest(key)))
    if client is None or not client.active:
        return None
    # The lookup is by hash; compare again in constant time for good measure.
    return client if hmac.compare_digest(client.key_hash, digest(key)) else None


def issue_user_token(
    session: Session,
    user_id: int,
    *,
    now: datetime,
    days: int,
    actor_id: int | None = None,
    actor_password: str = "",
    ip: str = "",
    policy: PasswordPolicy = DEFAULT_POLICY,
) -> str:
    """A new /api/v1 token for a user, valid for `days` (replacing any old one); shown this
    once only, stored as its SHA-256.

    An administrator minting a token for someone else must type their own password again:
    the token acts as that user, so a session left open must not be enough.
    """
    require_permission(session, actor_id, Permission.MANAGE_KEYS_AND_TOKENS)
    if actor_id is not None and actor_id != user_id:
        confirm_password(
            session, user_id=actor_id, password=actor_password, now=now, ip=ip, policy=policy
        )
    if not 0 < days <= 3650:
        raise ValidationFailed({"days": "out_of_range"})
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(days=days)
    with write_transaction(session):
        holder = session.get(User, user_id)
        if holder is None:
            raise NotFound()
        holder.api_token_hash = digest(token)
        holder.api_token_expires_at = expires_at
        security_log.about(
            session,
            SecurityKind.TOKEN_ISSUED,
            holder,
            now=now,
            actor_id=actor_id,
            ip=ip,
            detail=f"valid until {expires_at:%Y-%m-%d %H:%M} UTC",
        )
    return token


def revoke_user_token(
    session: Session, *, user_id: int, now: datetime, actor_id: int | None = None, ip: str = ""
) -> None:
    """The user's /api/v1 token stops working at once."""
    require_permission(session, actor_id, Permission.MANAGE_KEYS_AND_TOKENS)
    with write_transaction(session):
        holder = session.get(User, user_id)
        if holder is None:
            raise NotFound()
        if holder.api_token_hash is None:
            return
        holder.api_token_hash = None
        holder.api_token_expires_at = None
        security_log.about(
            session,
            SecurityKind.TOKEN_REVOKED,
            holder,
            now=now,
            actor_id=actor_id,
            ip=ip,
        )


def token_holders(session: Session) -> list[User]:
    """The accounts that hold an API token (expired ones included), by username."""
    query = select(User).where(User.api_token_hash.is_not(None)).order_by(User.username)
    return list(session.scalars(query))


def list_clients(session: Session) -> list[ApiClient]:
    """Every Open311 client, by name."""
    return list(session.scalars(select(ApiClient).order_by(ApiClient.name)))


def user_for_token(session: Session, token: str | None, *, now: datetime) -> User | None:
    """The active user holding this API token, while it has not expired; else None."""
    if not token or len(token) > 200:
        return None
    user = session.scalar(select(User).where(User.api_token_hash == digest(token)))
    if user is None or not user.active:
        return None
    # Every token has an expiry time (migration 0020 gave the older ones theirs).
    if user.api_token_expires_at is None or user.api_token_expires_at <= now:
        return None
    return user
