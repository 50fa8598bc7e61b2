"""Security events, login throttling and session lifetimes: the rules, without storage."""

from datetime import datetime, timedelta
from enum import StrEnum


class SecurityKind(StrEnum):
    """What a security-log entry records."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOCKED_OUT = "locked_out"
    LOGOUT = "logout"
    SESSION_EXPIRED = "session_expired"
    ACCOUNT_CREATED = "account_created"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105
    ROLE_CHANGED = "role_changed"
    DEPARTMENT_CHANGED = "department_changed"
    ACCOUNT_DEACTIVATED = "account_deactivated"
    ACCOUNT_REACTIVATED = "account_reactivated"
    TOKEN_ISSUED = "token_issued"  # noqa: S105
    TOKEN_REVOKED = "token_revoked"  # noqa: S105
    API_KEY_ISSUED = "api_key_issued"
    API_KEY_REVOKED = "api_key_revoked"
    TERMINAL_TOKEN_ISSUED = "terminal_token_issued"  # noqa: S105
    TERMINAL_TOKEN_REVOKED = "terminal_token_revoked"  # noqa: S105
    WALLBOARD_TOKEN_ISSUED = "wallboard_token_issued"  # noqa: S105
    WALLBOARD_TOKEN_REVOKED = "wallboard_token_revoked"  # noqa: S105
    WALLBOARD_TOKEN_USED = "wallboard_token_used"  # noqa: S105 - a screen opened the board
    WALLBOARD_TOKEN_REFUSED = "wallboard_token_refused"  # noqa: S105 - wrong or expired
    CONFIDENTIAL_READ = "confidential_read"
    PHONE_UNMASKED = "phone_unmasked"
    PHONE_SEARCH = "phone_search"
    PERSONAL_DATA_EXPORT = "personal_data_export"
    SETTINGS_CHANGED = "settings_changed"
    KEY_ROTATED = "key_rotated"
    SIP_CREDENTIAL_ISSUED = "sip_credential_issued"  # a phone extension's password
    RECORDING_PLAYED = "recording_played"  # a call's recording was listened to
    PATIENT_RECORD_READ = "patient_record_read"  # 院前急救病历 opened (page, PDF or pre-alert)


# Failures allowed before the delay starts, and its ceiling, per kind of bucket.
# A user may mistype a few times; an address behind one NAT (a call centre) carries
# many users, so it gets more slack before it is slowed.
FREE_FAILURES = {"user": 3, "ip": 10}
MAX_DELAY_SECONDS = {"user": 60, "ip": 300}
# Failures older than this are forgotten: the count starts again.
FAILURE_MEMORY = timedelta(minutes=15)


def login_delay(kind: str, failures: int) -> int:
    """Seconds to wait after `failures` recent failures: 0 at first, then 1, 2, 4 ... capped."""
    free = FREE_FAILURES[kind]
    if failures < free:
        return 0
    return min(2 ** (failures - free), MAX_DELAY_SECONDS[kind])


def session_expired(
    *, started_at: datetime, last_seen_at: datetime, now: datetime, idle: int, absolute: int
) -> bool:
    """True once a session was idle `idle` seconds or has lasted `absolute` seconds."""
    return now - last_seen_at >= timedelta(seconds=idle) or now - started_at >= timedelta(
        seconds=absolute
    )
