"""The editors' pages: their lists (my drafts, waiting for review, expired or due for
review), an article's versions and the comparison of two, the editor's form values, and a
draft made from a closed order (知识沉淀). Writes go through `services.kb.articles` (every
edit a version, the transition table); this module adds the article's review date."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from hotline.core.accounts.permissions import Permission, allows
from hotline.core.kb import diff
from hotline.core.kb.editor import Draft, from_order
from hotline.core.kb.usage import is_due
from hotline.core.kb.workflow import ArticleState, available_actions
from hotline.core.orders.workflow import Action, State
from hotline.database import write_transaction
from hotline.models import AuditEvent, KbArticle, KbSearch, KbVersion, User, WorkOrder
from hotline.services.errors import Forbidden, NotFound, conflict_on_stale
from hotline.services.kb import articles, categories
from hotline.services.kb.articles import Actor


@dataclass(frozen=True)
class Item:
    """A line of the editors' lists."""

    id: int
    title: str
    state: str
    category: str
    updated_at: datetime
    editor: str
    served: bool
    valid_to: date | None
    review_at: date | None


def _items(session: Session, *conditions, limit: int = 200) -> list[Item]:
    editor = aliased(User)
    rows = session.execute(
        select(KbArticle, KbVersion, editor.display_name, KbSearch.valid_to)
        .join(
            KbVersion,
            and_(
                KbVersion.article_id == KbArticle.id,
                KbVersion.number == KbArticle.latest_number,
            ),
        )
        .outerjoin(editor, editor.id == KbVersion.edited_by_id)
        .outerjoin(KbSearch, KbSearch.article_id == KbArticle.id)
        .where(*conditions)
        .order_by(KbArticle.updated_at.desc(), KbArticle.id.desc())
        .limit(limit)
    ).all()
    nodes = categories.tree(session)
    return [
        Item(
            a.id,
            v.title,
            a.state,
            nodes[v.category_id].label if v.category_id in nodes else "",
            a.updated_at,
            name or "",
            a.published_number is not None and a.state != ArticleState.ARCHIVED.value,
            valid_to if valid_to is not None else v.valid_to,
            a.review_at,
        )
        for a, v, name, valid_to in rows
    ]


@dataclass(frozen=True)
class Lists:
    drafts: list[Item]
    waiting: list[Item]
    due: list[Item]


def lists(session: Session, *, user_id: int, today: date) -> Lists:
    """My drafts (articles I wrote or last edited, in draft); everything waiting for review;
    served articles whose validity has ended or whose review date has come."""
    mine = or_(KbArticle.author_id == user_id, KbVersion.edited_by_id == user_id)
    return Lists(
        drafts=_items(session, KbArticle.state == ArticleState.DRAFT.value, mine),
        waiting=_items(session, KbArticle.state == ArticleState.SUBMITTED.value),
        due=_items(
            session,
            KbArticle.state != ArticleState.ARCHIVED.value,
            or_(KbSearch.valid_to < today, KbArticle.review_at <= today),
        ),
    )


def search_all(session: Session, text: str, *, limit: int = 50) -> list[Item]:
    """Articles in any state whose latest title contains `text` (the editors' lookup)."""
    text = text.strip()[:100]
    if not text:
        return _items(session, limit=limit)
    return _items(session, KbVersion.title.contains(text, autoescape=True), limit=limit)


@dataclass(frozen=True)
class VersionLine:
    number: int
    title: str
    editor: str
    edited_at: datetime
    note: str


@dataclass(frozen=True)
class ArticlePage:
    """What the editors' page of one article shows."""

    id: int
    state: str
    latest: KbVersion
    latest_number: int
    published_number: int | None
    published_at: datetime | None
    publisher: str
    author: str
    review_at: date | None
    category: str
    department: str
    versions: list[VersionLine]
    actions: list[str]
    due: bool
    views: int
    uses: int
    helpful: int
    outdated: int


def _article(session: Session, article_id: int) -> KbArticle:
    article = session.get(KbArticle, article_id)
    if article is None:
        raise NotFound()
    return article


def _name(session: Session, user_id: int | None) -> str:
    if user_id is None:
        return ""
    user = session.get(User, user_id)
    return user.display_name if user else ""


def page(session: Session, article_id: int, *, actor: Actor, today: date) -> ArticlePage:
    """One article for its editors: the latest version, the versions, the allowed moves."""
    from hotline.models import Department

    article = _article(session, article_id)
    latest = articles.latest(session, article)
    versions = [
        VersionLine(v.number, v.title, name or "", v.edited_at, v.note)
        for v, name in session.execute(
            select(KbVersion, User.display_name)
            .outerjoin(User, User.id == KbVersion.edited_by_id)
            .where(KbVersion.article_id == article.id)
            .order_by(KbVersion.number.desc())
        )
    ]
    is_author = actor.user_id in {article.author_id, latest.edited_by_id}
    actions = (
        [
            a.value
            for a in available_actions(ArticleState(article.state), actor.role, is_author=is_author)
        ]
        if actor.role is not None
        else []
    )
    nodes = categories.tree(session)
    department = session.get(Department, latest.department_id) if latest.department_id else None
    return ArticlePage(
        id=article.id,
        state=article.state,
        latest=latest,
        latest_number=article.latest_number,
        published_number=article.published_number,
        published_at=article.published_at,
        publisher=_name(session, article.published_by_id),
        author=_name(session, article.author_id),
        review_at=article.review_at,
        category=nodes[latest.category_id].label if latest.category_id in nodes else "",
        department=department.name if department else "",
        versions=versions,
        actions=actions,
        due=is_due(latest.valid_to, article.review_at, today),
        views=article.views,
        uses=article.uses,
        helpful=article.helpful,
        outdated=article.outdated,
    )


def form_values(session: Session, article_id: int) -> dict[str, str]:
    """The editor's form filled with the latest version."""
    article = _article(session, article_id)
    v = articles.latest(session, article)
    return {
        "category_id": str(v.category_id),
        "title": v.title,
        "keywords": "，".join(v.keywords.splitlines()),
        "questions": v.questions,
        "answer": v.answer,
        "source": v.source,
        "department_id": str(v.department_id or ""),
        "valid_from": v.valid_from.isoformat() if v.valid_from else "",
        "valid_to": v.valid_to.isoformat() if v.valid_to else "",
        "public": "on" if v.public else "",
        "review_at": article.review_at.isoformat() if article.review_at else "",
    }


def create(session: Session, draft: Draft, *, actor: Actor, now: datetime) -> int:
    """A new article (a draft, version 1) with its review date, in one transaction."""
    with write_transaction(session):
        article_id = articles.add_in_transaction(
            session, draft.content, actor=actor, now=now, note=draft.note
        )
        session.get(KbArticle, article_id).review_at = draft.review_at
    return article_id


def save(session: Session, article_id: int, draft: Draft, *, actor: Actor, now: datetime) -> int:
    """A new version (`articles.edit`, which checks the transition), then the review date
    when it changed. Returns the version's number."""
    number = articles.edit(
        session, article_id, draft.content, actor=actor, now=now, note=draft.note
    )
    with conflict_on_stale(), write_transaction(session):
        article = _article(session, article_id)
        if article.review_at != draft.review_at:
            article.review_at = draft.review_at
    return number


def _fields(v: KbVersion, nodes, departments: dict[int, str]) -> dict[str, str]:
    return {
        "title": v.title,
        "category": nodes[v.category_id].label if v.category_id in nodes else "",
        "keywords": v.keywords,
        "questions": v.questions,
        "answer": v.answer,
        "source": v.source,
        "department": departments.get(v.department_id, "") if v.department_id else "",
        "valid_from": v.valid_from.isoformat() if v.valid_from else "",
        "valid_to": v.valid_to.isoformat() if v.valid_to else "",
        "public": "✓" if v.public else "—",
        "note": v.note,
    }


def version(session: Session, article_id: int, number: int) -> KbVersion:
    """One version of an article."""
    found = session.scalar(
        select(KbVersion).where(KbVersion.article_id == article_id, KbVersion.number == number)
    )
    if found is None:
        raise NotFound()
    return found


def compare(session: Session, article_id: int, old: int, new: int) -> list[diff.FieldDiff]:
    """Two versions of an article side by side, field by field (plain text, escaped when
    shown)."""
    from hotline.models import Department

    a, b = version(session, article_id, old), version(session, article_id, new)
    nodes = categories.tree(session)
    ids = {x for x in (a.department_id, b.department_id) if x}
    departments = {
        d.id: d.name for d in session.scalars(select(Department).where(Department.id.in_(ids)))
    }
    return diff.compare(_fields(a, nodes, departments), _fields(b, nodes, departments))


def closed_order_answer(session: Session, number: str) -> tuple[str, str] | None:
    """(question, answer) of a closed order: closed at intake with its answer, or closed after
    the desk approved the department's reply; None for an order still open or cancelled."""
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
    if order is None:
        return None
    if order.state == State.CLOSED_AT_INTAKE.value and (order.intake_answer or "").strip():
        return order.description, order.intake_answer
    if order.state == State.CLOSED.value and (order.reply_text or "").strip():
        approved = session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.order_id == order.id, AuditEvent.action == Action.APPROVE.value
            )
        )
        if approved is not None:
            return order.description, order.reply_text
    return None


def draft_from_order(session: Session, number: str, *, actor: Actor) -> dict[str, str]:
    """The editor's form filled from a closed order (知识沉淀), for an author who may also
    read orders (a knowledge editor does not see orders: the button is on the order page)."""
    if actor.role is None or not (
        allows(actor.role, Permission.WRITE_KB) and allows(actor.role, Permission.READ_ORDERS)
    ):
        raise Forbidden("not_allowed_for_role")
    found = closed_order_answer(session, number)
    if found is None:
        raise NotFound("kb_order_not_answered")
    return from_order(number, *found)
