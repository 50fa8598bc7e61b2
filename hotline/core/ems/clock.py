"""The times a vehicle's terminal sends: one parser and one allowance for its clock, for the
status, position and acknowledgement updates and the patient record's entries alike."""

from datetime import datetime, timedelta

from hotline.core import days

# A tablet's clock may be a few minutes off ours, either way. Ahead by more is a wrong clock
# (a time in the future would block every later status: times must not go backwards);
# behind by this much still fits an entry made just after the dispatch.
CLOCK_SKEW = timedelta(minutes=5)


def parse_time(raw: object) -> datetime | None:
    """An ISO 8601 moment with its zone (None when absent); ValueError when malformed,
    zoneless or out of range."""
    if raw is None or raw == "":
        return None
    at = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
    if at.tzinfo is None or not days.in_range(at):
        raise ValueError("a moment with its time zone is required")
    return at


def terminal_time(raw: object, now: datetime) -> datetime:
    """The terminal's time of an update (`now` when it gives none); ValueError when it is
    malformed or ahead of `now` by more than the clock's allowance."""
    at = parse_time(raw)
    if at is None:
        return now
    if at > now + CLOCK_SKEW:
        raise ValueError("the time is in the future")
    return at
