"""API keys of Open311 clients and API tokens of users: issued once, stored hashed."""

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.database import write_transaction
from hotline.models import ApiClient, User, Vehicle
from hotline.services.errors import Conflict, NotFound, ValidationFailed


def digest(secret: str) -> str:
    """SHA-256 hex of a key or token (they are 32 random bytes: no slow hash needed)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_client(session: Session, *, name: str, now: datetime) -> tuple[ApiClient, str]:
    """A new Open311 client; returns it and its key, which is shown this once only."""
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
    return client, key


def revoke_client(session: Session, *, client_id: int, now: datetime) -> None:
    """The client's key stops working at once."""
    with write_transaction(session):
        client = session.get(ApiClient, client_id)
        if client is None:
            raise NotFound()
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


def issue_token(session: Session, *, model: type[User | Vehicle], object_id: int) -> str:
    """A new API token for a user or a vehicle's terminal (replacing any old one); shown
    this once only, stored as its SHA-256."""
    token = secrets.token_urlsafe(32)
    with write_transaction(session):
        holder = session.get(model, object_id)
        if holder is None:
            raise NotFound()
        holder.api_token_hash = digest(token)
    return token


def issue_user_token(session: Session, user_id: int) -> str:
    """A new /api/v1 token for a user (replacing any old one); shown this once only."""
    return issue_token(session, model=User, object_id=user_id)


def list_clients(session: Session) -> list[ApiClient]:
    """Every Open311 client, by name."""
    return list(session.scalars(select(ApiClient).order_by(ApiClient.name)))


def user_for_token(session: Session, token: str | None) -> User | None:
    """The active user holding this API token, or None."""
    if not token or len(token) > 200:
        return None
    user = session.scalar(select(User).where(User.api_token_hash == digest(token)))
    return user if user is not None and user.active else None
