"""The password policy (GB/T 22239-2019, level 3): length, character classes, history and
expiry, and the lock-out values the security administrator sets. Rules only, no storage."""

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

# Error codes (labelled in hotline.labels.errors).
TOO_SHORT = "password_too_short"  # noqa: S105
TOO_LONG = "password_too_long"  # noqa: S105
TOO_SIMPLE = "password_too_simple"  # noqa: S105
CONTAINS_USERNAME = "password_contains_username"  # noqa: S105
REUSED = "password_reused"  # noqa: S105
PROBLEMS = (TOO_SHORT, TOO_LONG, TOO_SIMPLE, CONTAINS_USERNAME, REUSED)

# Of lower-case letters, capitals, digits and everything else, a password uses at least this
# many.
MIN_CLASSES = 3
# The login form cuts what it receives here: a longer password could never be typed in.
MAX_LENGTH = 256


@dataclass(frozen=True)
class PasswordPolicy:
    """What the security administrator sets; unset values come from the configuration."""

    min_length: int = 10
    history: int = 5  # a new password may not be one of the last `history` (0: no check)
    max_age_days: int = 0  # a password older than this must be changed (0: never)
    max_failures: int = 5  # failed logins in a row that lock the account
    lock_minutes: int = 10  # how long a locked account stays locked


# Each value's allowed range. The floor of min_length is the level-3 minimum, so that the
# policy can be made stricter, never weaker than the standard.
BOUNDS: dict[str, tuple[int, int]] = {
    "min_length": (10, 64),
    "history": (0, 12),
    "max_age_days": (0, 3650),
    "max_failures": (3, 20),
    "lock_minutes": (1, 1440),
}
# Earlier password hashes kept beside the current one: enough for the largest history.
HISTORY_KEPT = BOUNDS["history"][1] - 1
POLICY_FIELDS = tuple(f.name for f in fields(PasswordPolicy))


def character_classes(password: str) -> int:
    """How many of lower-case letters, capitals, digits and other characters it uses."""
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            # Anything else, letters without case (Chinese characters) included.
            any(not (c.islower() or c.isupper() or c.isdigit()) for c in password),
        )
    )


def password_problems(password: str, *, min_length: int = 10, username: str = "") -> list[str]:
    """What is wrong with a new password under the policy (empty: nothing)."""
    problems = []
    if len(password) < min_length:
        problems.append(TOO_SHORT)
    if len(password) > MAX_LENGTH:
        problems.append(TOO_LONG)
    if character_classes(password) < MIN_CLASSES:
        problems.append(TOO_SIMPLE)
    name = username.strip().lower()
    if len(name) >= 3 and name in password.lower():
        problems.append(CONTAINS_USERNAME)
    return problems


def policy_errors(values: dict[str, int | None]) -> dict[str, str]:
    """Each policy value that is missing or out of its range, as field -> error code."""
    errors = {}
    for name, (low, high) in BOUNDS.items():
        value = values.get(name)
        if value is None or not low <= value <= high:
            errors[name] = "out_of_range"
    return errors


def expired(*, changed_at: datetime | None, now: datetime, max_age_days: int) -> bool:
    """Whether a password set at `changed_at` is too old (never when max_age_days is 0)."""
    if max_age_days <= 0 or changed_at is None:
        return False
    return now - changed_at >= timedelta(days=max_age_days)
