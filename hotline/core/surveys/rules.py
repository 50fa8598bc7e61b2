"""Surveys (回访): who is called, when, what the answers mean."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import StrEnum

from hotline.core import days
from hotline.core.deadlines.calendar import WorkCalendar
from hotline.core.orders.audit_actions import AuditAction

MAX_ATTEMPTS = 3  # not reached three times, on three different days: unreachable
MAX_COMMENT = 2000


class SurveyState(StrEnum):
    """Where a survey task stands."""

    DUE = "due"  # in the queue from `due_at`
    DONE = "done"  # reached and answered: a valid answer
    DECLINED = "declined"  # reached, but the caller would not answer
    UNREACHABLE = "unreachable"  # not reached MAX_ATTEMPTS times


class Outcome(StrEnum):
    """What happened on one call."""

    ANSWERED = "answered"
    NOT_REACHED = "not_reached"
    DECLINED = "declined"
    LATER = "later"  # the caller asked to be called back at a time they named

    @property
    def audit_action(self) -> AuditAction:
        """How a call with this outcome is recorded on the order."""
        return AuditAction(f"survey_{self.value}")


class Satisfaction(StrEnum):
    """The caller's verdict on how the matter was handled."""

    SATISFIED = "satisfied"  # 满意
    BASIC = "basic"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


class Attitude(StrEnum):
    """The caller's view of the department's attitude."""

    SATISFIED = "satisfied"  # 满意
    NEUTRAL = "neutral"  # 一般
    DISSATISFIED = "dissatisfied"  # 不满意


@dataclass(frozen=True)
class Survey:
    """A valid answer."""

    resolved: bool
    satisfaction: Satisfaction
    attitude: Attitude
    score: int
    comment: str

    @property
    def reopens(self) -> bool:
        """Unresolved or dissatisfied: the order goes back to its department (重办)."""
        return not self.resolved or self.satisfaction is Satisfaction.DISSATISFIED


@dataclass(frozen=True)
class CallResult:
    """One call as the survey operator records it."""

    outcome: Outcome
    survey: Survey | None = None
    call_again_at: datetime | None = None  # LATER only
    comment: str = ""


class SurveyInputError(ValueError):
    """Form input that is wrong, field by field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _choice(form: Mapping[str, str], field: str, enum, errors: dict[str, str]):
    try:
        return enum(form.get(field, "").strip())
    except ValueError:
        errors[field] = "required" if not form.get(field, "").strip() else "invalid_choice"
        return None


def parse_call(form: Mapping[str, str], tz: tzinfo) -> CallResult:
    """Read the survey form; every refusal names its field."""
    errors: dict[str, str] = {}
    outcome = _choice(form, "outcome", Outcome, errors)
    comment = form.get("comment", "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = "too_long"
    if outcome is Outcome.LATER:
        raw = form.get("call_again_at", "").strip()
        try:
            when = datetime.fromisoformat(raw)
        except ValueError:
            when = None
        if when is None or not days.in_range(when):
            errors["call_again_at"] = "invalid_datetime"
        else:
            if errors:
                raise SurveyInputError(errors)
            if when.tzinfo is None:
                when = when.replace(tzinfo=tz)
            return CallResult(outcome, call_again_at=when, comment=comment)
    if outcome is not Outcome.ANSWERED:
        if errors:
            raise SurveyInputError(errors)
        return CallResult(outcome, comment=comment)
    resolved = {"yes": True, "no": False}.get(form.get("resolved", "").strip())
    if resolved is None:
        errors["resolved"] = "required"
    satisfaction = _choice(form, "satisfaction", Satisfaction, errors)
    attitude = _choice(form, "attitude", Attitude, errors)
    raw_score = form.get("score", "").strip()
    score = int(raw_score) if raw_score.isdigit() and len(raw_score) <= 2 else 0
    if not 1 <= score <= 10:
        errors["score"] = "score_out_of_range"
    if errors:
        raise SurveyInputError(errors)
    survey = Survey(bool(resolved), satisfaction, attitude, score, comment)
    return CallResult(outcome, survey=survey, comment=comment)


def should_call(has_phone: bool, confidential: bool, consented: bool) -> bool:
    """A confidential reporter is only called if they agreed to be; nobody without a phone."""
    return has_phone and (not confidential or consented)


def first_due(closed_local: datetime, calendar: WorkCalendar) -> datetime:
    """Default: the start of the next working day after closure (local time)."""
    day = calendar.next_workday(closed_local.date())
    return datetime.combine(day, calendar.work_start, tzinfo=closed_local.tzinfo)


def after_not_reached(
    attempts_before: int, last_attempt_day: date | None, now_local: datetime, calendar: WorkCalendar
) -> tuple[SurveyState, datetime | None]:
    """Another try on the next working day, or unreachable after the last one.

    Raises ValueError if the caller was already not reached today: the tries must be on
    different days to count.
    """
    if last_attempt_day == now_local.date():
        raise ValueError("already_tried_today")
    attempts = attempts_before + 1
    if attempts >= MAX_ATTEMPTS:
        return SurveyState.UNREACHABLE, None
    day = calendar.next_workday(now_local.date())
    return SurveyState.DUE, datetime.combine(day, calendar.work_start, tzinfo=now_local.tzinfo)
