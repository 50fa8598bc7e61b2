"""Surveys (回访): scheduled at closure, worked from a queue, reopening on a bad answer."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.core.accounts.permissions import Permission, roles_with
from hotline.core.orders.audit_actions import AuditAction
from hotline.core.orders.workflow import Action, State, Step
from hotline.core.surveys import rules
from hotline.core.surveys.rules import CallResult, Outcome, SurveyState
from hotline.database import write_transaction
from hotline.models import Survey, User, WorkOrder
from hotline.services import audit
from hotline.services.errors import Conflict, NotFound, ValidationFailed, conflict_on_stale
from hotline.services.notifications import outbox
from hotline.services.orders import handling
from hotline.services.orders.queries import load_for_action
from hotline.services.reference import cache

CLOSED = (State.CLOSED.value, State.CLOSED_AT_INTAKE.value)


def schedule(session: Session, *, order: WorkOrder, now: datetime, timezone: str) -> Survey | None:
    """A survey task for this closure (round 1, or one more after a reopen), inside the
    caller's transaction; None when the caller may not be called."""
    if not rules.should_call(bool(order.caller_phone), order.confidential, order.survey_consent):
        audit.note_event(
            session, order=order, actor_id=None, action=AuditAction.SURVEY_SKIPPED, now=now
        )
        return None
    calendar = cache.context(session).calendar
    tz = ZoneInfo(timezone)
    due = rules.first_due(now.astimezone(tz), calendar).astimezone(now.tzinfo)
    last_round = session.scalar(select(func.max(Survey.round)).where(Survey.order_id == order.id))
    task = Survey(
        order_id=order.id,
        round=(last_round or 0) + 1,
        state=SurveyState.DUE.value,
        created_at=now,
        due_at=due,
        department_id=order.department_id,
        district_id=order.district_id,
    )
    session.add(task)
    session.flush()
    note = f"{task.round}: {due.astimezone(tz):%Y-%m-%d %H:%M}"
    audit.note_event(
        session, order=order, actor_id=None, action=AuditAction.SURVEY_SCHEDULED, now=now, note=note
    )
    if not order.synthetic:
        text = f"【12345】我们将于{due.astimezone(tz):%m月%d日}起就工单{order.number}向您回访。"
        outbox.text_caller(
            session, phone=order.caller_phone or "", text=text, now=now, order_id=order.id
        )
    return task


def due(session: Session, now: datetime, limit: int = 200) -> list[Survey]:
    """The survey queue: tasks whose time has come, oldest first."""
    return list(
        session.scalars(
            select(Survey)
            .where(Survey.state == SurveyState.DUE.value, Survey.due_at <= now)
            .order_by(Survey.due_at, Survey.id)
            .limit(limit)
        )
    )


def upcoming_count(session: Session, now: datetime) -> int:
    """Tasks scheduled for later (after a 'call me later' or a missed call)."""
    return session.scalar(
        select(func.count())
        .select_from(Survey)
        .where(Survey.state == SurveyState.DUE.value, Survey.due_at > now)
    )


def for_order(session: Session, order_id: int) -> list[Survey]:
    """An order's surveys, first round first."""
    return list(
        session.scalars(select(Survey).where(Survey.order_id == order_id).order_by("round"))
    )


def get(session: Session, *, actor_id: int, survey_id: int) -> Survey:
    """One task, for a survey operator or a supervisor."""
    task = session.get(Survey, survey_id)
    if task is None:
        raise NotFound()
    load_for_action(
        session, actor_id=actor_id, number=task.order.number, roles=roles_with(Permission.SURVEY)
    )
    return task


def record_call(
    session: Session,
    *,
    actor_id: int,
    survey_id: int,
    result: CallResult,
    now: datetime,
    timezone: str,
    expected_version: int | None = None,
) -> Survey:
    """Record one call: an answer (reopening the order if unresolved or dissatisfied), a
    missed call, a refusal, or 'call me later'. Audited on the order."""
    with conflict_on_stale(), write_transaction(session):
        task = session.get(Survey, survey_id)
        if task is None:
            raise NotFound()
        actor, order = load_for_action(
            session,
            actor_id=actor_id,
            number=task.order.number,
            roles=roles_with(Permission.SURVEY),
        )
        if expected_version is not None and task.version != expected_version:
            raise Conflict("stale_version")
        if task.state != SurveyState.DUE.value:
            raise ValidationFailed({"survey": "survey_finished"})
        note = _apply(session, actor, task, order, result, now, timezone)
        session.flush()
        action = result.outcome.audit_action
        audit.note_event(session, order=order, actor_id=actor.id, action=action, now=now, note=note)
        if task.reopened:
            reopen = Step(Action.REOPEN, f"回访第{task.round}次：{result.comment or note}")
            handling.apply_action(
                session, actor=actor, order=order, step=reopen, now=now, timezone=timezone
            )
    return task


def _apply(
    session: Session,
    actor: User,
    task: Survey,
    order: WorkOrder,
    result: CallResult,
    now: datetime,
    timezone: str,
) -> str:
    """Change the task for `result`; return the audit note."""
    tz = ZoneInfo(timezone)
    if result.outcome is Outcome.LATER:
        if result.call_again_at is None or result.call_again_at <= now:
            raise ValidationFailed({"call_again_at": "not_in_future"})
        task.due_at = result.call_again_at.astimezone(now.tzinfo)
        return f"{result.call_again_at.astimezone(tz):%Y-%m-%d %H:%M} {result.comment}".strip()
    if result.outcome is Outcome.NOT_REACHED:
        return _not_reached(session, actor, task, now, now.astimezone(tz))
    task.completed_at, task.completed_by_id = now, actor.id
    task.comment = result.comment
    if result.outcome is Outcome.DECLINED:
        task.state = SurveyState.DECLINED.value
        return result.comment
    survey = result.survey
    task.state = SurveyState.DONE.value
    task.resolved, task.score = survey.resolved, survey.score
    task.satisfaction, task.attitude = survey.satisfaction.value, survey.attitude.value
    # Only a closed order can be reopened; one reopened by hand meanwhile stays as it is.
    task.reopened = survey.reopens and order.state in CLOSED
    resolved = "resolved" if survey.resolved else "unresolved"
    return f"{resolved} {survey.satisfaction.value} {survey.attitude.value} {survey.score}"


def _not_reached(
    session: Session, actor: User, task: Survey, now: datetime, local_now: datetime
) -> str:
    """One more missed call: try again on the next working day, or give up after the last."""
    last = date.fromisoformat(task.last_attempt_day) if task.last_attempt_day else None
    calendar = cache.context(session).calendar
    try:
        state, next_due = rules.after_not_reached(task.attempts, last, local_now, calendar)
    except ValueError as exc:
        raise ValidationFailed({"outcome": str(exc)}) from exc
    task.attempts += 1
    task.last_attempt_day = local_now.date().isoformat()
    task.state = state.value
    if next_due is not None:
        task.due_at = next_due.astimezone(now.tzinfo)
    else:
        task.completed_at, task.completed_by_id = now, actor.id
    return f"{task.attempts}/{rules.MAX_ATTEMPTS}"
