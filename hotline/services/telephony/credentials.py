"""Phone extensions and their SIP passwords: issued once, kept as the digest's HA1."""

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.accounts.permissions import Permission, allows
from hotline.core.accounts.roles import Role
from hotline.core.accounts.security import SecurityKind
from hotline.core.telephony.agents import AgentState, Skill, skills_to_text
from hotline.core.telephony.line import digest_ha1
from hotline.database import write_transaction
from hotline.models import Agent, User
from hotline.services.accounts import security_log
from hotline.services.accounts.users import require_permission
from hotline.services.errors import NotFound, ValidationFailed

FIRST_EXTENSION = 8001
# The queues a role answers when nobody chose.
DEFAULT_SKILLS = {
    Role.OPERATOR: {Skill.HOTLINE},
    Role.DESK: {Skill.HOTLINE},
    Role.EMS_DISPATCHER: {Skill.EMS},
    Role.SURVEYOR: {Skill.SURVEY},
    Role.SUPERVISOR: {Skill.HOTLINE, Skill.EMS, Skill.SURVEY},
}


def issue_phone(
    session: Session,
    user_id: int,
    *,
    realm: str,
    now: datetime,
    skills: set[Skill] | None = None,
    actor_id: int | None = None,
    ip: str = "",
) -> tuple[str, str]:
    """An extension (kept if the user has one) and a new SIP password for a user who
    answers calls; the password is returned this once and stored only as its HA1."""
    require_permission(session, actor_id, Permission.MANAGE_KEYS_AND_TOKENS)
    password = secrets.token_urlsafe(12)
    with write_transaction(session):
        user = session.get(User, user_id)
        if user is None or not user.active:
            raise NotFound()
        if not allows(user.role, Permission.ANSWER_CALLS):
            raise ValidationFailed({"user": "role_answers_no_calls"})
        agent = session.get(Agent, user_id)
        if agent is None:
            agent = Agent(
                user_id=user_id,
                extension=_next_extension(session),
                state=AgentState.SIGNED_OUT.value,
                state_since=now,
            )
            session.add(agent)
        chosen = skills if skills is not None else DEFAULT_SKILLS.get(user.role_enum, set())
        agent.skills = skills_to_text(chosen)
        agent.ha1 = digest_ha1(agent.extension, realm, password)
        agent.credential_issued_at = now
        security_log.about(
            session,
            SecurityKind.SIP_CREDENTIAL_ISSUED,
            user,
            now=now,
            actor_id=actor_id,
            ip=ip,
            detail=f"extension {agent.extension}",
        )
    return agent.extension, password


def _next_extension(session: Session) -> str:
    taken = session.scalars(select(Agent.extension)).all()
    numbers = [int(text) for text in taken if text.isdigit()]
    return str(max([FIRST_EXTENSION - 1, *numbers]) + 1)


def ha1_of(session: Session, extension: str) -> str | None:
    """The HA1 Kamailio checks a phone's digest against; None for an unknown extension or
    a deactivated account."""
    row = session.execute(
        select(Agent.ha1, User.active)
        .join(User, User.id == Agent.user_id)
        .where(Agent.extension == extension)
    ).first()
    if row is None or not row.active:
        return None
    return row.ha1


def phone_holders(session: Session) -> list[tuple[User, Agent | None]]:
    """Active people whose role answers calls, each with their phone if they have one."""
    roles = [role.value for role in Role if allows(role, Permission.ANSWER_CALLS)]
    rows = session.execute(
        select(User, Agent)
        .outerjoin(Agent, Agent.user_id == User.id)
        .where(User.active.is_(True), User.role.in_(roles), User.synthetic.is_(False))
        .order_by(User.role, User.username)
    ).all()
    return [(user, agent) for user, agent in rows]
