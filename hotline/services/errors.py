"""Errors that services raise and the web layer turns into status codes."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm.exc import StaleDataError


class ServiceError(Exception):
    """Base class; `code` is a stable identifier the web layer translates."""

    code = "error"

    def __init__(self, code: str | None = None, detail: str = "") -> None:
        super().__init__(detail or code or self.code)
        if code:
            self.code = code
        self.detail = detail


class NotFound(ServiceError):
    """The object does not exist, or the actor may not know that it does."""

    code = "not_found"


class Forbidden(ServiceError):
    """The actor's role may not do this."""

    code = "forbidden"


class Conflict(ServiceError):
    """Someone else changed the object first."""

    code = "conflict"


class ValidationFailed(ServiceError):
    """Input that is wrong, field by field."""

    code = "invalid"

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("invalid", ", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def required_text(value: str | None, field: str, limit: int) -> str:
    """A text the person must give, stripped; ValidationFailed on `field` when it is empty
    ("required") or longer than `limit` ("too_long")."""
    value = (value or "").strip()
    if not value:
        raise ValidationFailed({field: "required"})
    if len(value) > limit:
        raise ValidationFailed({field: "too_long"})
    return value


@contextmanager
def conflict_on_stale() -> Iterator[None]:
    """Someone else saved the row first (its version moved on): a Conflict, not a 500."""
    try:
        yield
    except StaleDataError as exc:
        raise Conflict("stale_version") from exc
