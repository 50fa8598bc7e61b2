"""How the knowledge base is used: views, answers given with an article (用于答复), the
operators' feedback (helped / out of date), and knowledge gaps (知识缺口).

Counters on the article (`views`, `uses`, `helpful`, `outdated`) move with one SQL update
(`x = x + 1`), not through the ORM: they are not an edit, so they neither add a version nor
move the article's row version (an editor's save in progress is not disturbed).

Knowledge gaps. A gap is a normalised query (`core.kb.usage.gap_key`) with a count. It is
recorded, honestly and simply, in two places:
- a search or suggestion that returns nothing (`record_gap`, called by the search pages);
- an intake of an inquiry (咨询) for which suggestions were fetched while the operator typed
  the description (the form's hidden `kb_query`, the last query sent) but no article was
  used to answer (no `kb_article_id`): the suggestions did not help
  (`record_gap_in_transaction`, in the order's transaction).
A dismissed gap (resolved) counts again, and shows again, when it is searched again.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hotline.core.kb.usage import gap_key, redact
from hotline.core.kb.workflow import ArticleState, KbEventKind
from hotline.database import write_transaction
from hotline.models import KbArticle, KbEvent, KbGap, KbSearch
from hotline.services.errors import NotFound, ValidationFailed

FEEDBACK = (KbEventKind.HELPFUL, KbEventKind.OUTDATED)
NOTE_MAX = 500
_COUNTER = {
    KbEventKind.VIEW: KbArticle.views,
    KbEventKind.USE: KbArticle.uses,
    KbEventKind.HELPFUL: KbArticle.helpful,
    KbEventKind.OUTDATED: KbArticle.outdated,
}


def _served(session: Session, article_id: int) -> tuple[int, int] | None:
    """(id, served version) of a published article, or None."""
    row = session.execute(
        select(KbArticle.id, KbArticle.published_number).where(
            KbArticle.id == article_id,
            KbArticle.published_number.is_not(None),
            KbArticle.state != ArticleState.ARCHIVED.value,
        )
    ).first()
    return (row[0], row[1]) if row else None


def _event(session, article_id, number, kind: KbEventKind, user_id, now, order_id=None, note=""):
    session.add(
        KbEvent(
            article_id=article_id,
            number=number,
            kind=kind.value,
            user_id=user_id,
            order_id=order_id,
            at=now,
            note=note,
        )
    )
    column = _COUNTER[kind]
    session.execute(
        update(KbArticle)
        .where(KbArticle.id == article_id)
        .values({column.key: column + 1})
        .execution_options(synchronize_session=False)
    )
    session.flush()


def record_use_in_transaction(
    session: Session, *, article_id: int, order_id: int, user_id: int | None, now: datetime
) -> None:
    """The article answered the order (inside the order's transaction). An article that is
    not served (a draft, archived, unknown) is refused: the intake shows the error."""
    served = _served(session, article_id)
    if served is None:
        raise ValidationFailed({"intake_answer": "kb_not_served"})
    _event(session, served[0], served[1], KbEventKind.USE, user_id, now, order_id=order_id)


def record_view(session: Session, *, article_id: int, user_id: int | None, now: datetime) -> None:
    """Someone opened the served article."""
    with write_transaction(session):
        served = _served(session, article_id)
        if served is None:
            raise NotFound()
        _event(session, served[0], served[1], KbEventKind.VIEW, user_id, now)


def feedback(
    session: Session, *, article_id: int, kind: str, user_id: int, note: str, now: datetime
) -> None:
    """An operator says the served article helped, or that it is out of date (with a note)."""
    try:
        event_kind = KbEventKind(kind)
    except ValueError:
        raise ValidationFailed({"kind": "invalid_choice"}) from None
    if event_kind not in FEEDBACK:
        raise ValidationFailed({"kind": "invalid_choice"})
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed({"note": "too_long"})
    with write_transaction(session):
        served = _served(session, article_id)
        if served is None:
            raise NotFound()
        _event(session, served[0], served[1], event_kind, user_id, now, note=note)


def record_gap_in_transaction(session: Session, query: str, now: datetime) -> None:
    """Count `query` as a knowledge gap (inside the caller's transaction): one row per
    normalised query, its count, first and last time, one example as typed."""
    key = gap_key(query or "")
    if not key:
        return
    example = " ".join(redact(query or "").split())[:200]
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(KbGap).values(
        query=key, count=1, first_seen=now, last_seen=now, example=example, resolved=False
    )
    statement = statement.on_conflict_do_update(
        index_elements=[KbGap.query],
        set_={
            "count": KbGap.count + 1,
            "last_seen": now,
            "example": example,
            "resolved": False,
        },
    )
    session.execute(statement)


def record_gap(session: Session, query: str, now: datetime) -> None:
    """`record_gap_in_transaction` in its own transaction (a search that found nothing)."""
    if not gap_key(query or ""):
        return
    with write_transaction(session):
        record_gap_in_transaction(session, query, now)


def dismiss_gap(session: Session, gap_id: int) -> None:
    """An editor has dealt with the gap (or it is noise): off the list until asked again."""
    with write_transaction(session):
        gap = session.get(KbGap, gap_id)
        if gap is None:
            raise NotFound()
        gap.resolved = True


@dataclass(frozen=True)
class Gap:
    id: int
    query: str
    example: str
    count: int
    first_seen: datetime
    last_seen: datetime


def gaps(
    session: Session,
    *,
    order: str = "count",
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
) -> list[Gap]:
    """Open gaps, most asked first (`order` "newest": last asked first); optionally only
    those asked in [since, until)."""
    statement = select(KbGap).where(KbGap.resolved.is_(False))
    if since is not None:
        statement = statement.where(KbGap.last_seen >= since)
    if until is not None:
        statement = statement.where(KbGap.last_seen < until)
    if order == "newest":
        statement = statement.order_by(KbGap.last_seen.desc(), KbGap.id.desc())
    else:
        statement = statement.order_by(KbGap.count.desc(), KbGap.last_seen.desc(), KbGap.id)
    return [
        Gap(g.id, g.query, g.example, g.count, g.first_seen, g.last_seen)
        for g in session.scalars(statement.limit(limit))
    ]


@dataclass(frozen=True)
class ArticleFigures:
    """An article's figures in a period."""

    id: int
    title: str
    category_id: int | None
    views: int
    uses: int
    helpful: int
    outdated: int


def _counts(kind: KbEventKind):
    return func.coalesce(func.sum(case((KbEvent.kind == kind.value, 1), else_=0)), 0)


def figures(
    session: Session, *, since: datetime, until: datetime, limit: int | None = None, by="uses"
) -> list[ArticleFigures]:
    """Per article with any event in [since, until): views, uses, feedback; ordered by
    `by` ("uses" or "views"), most first. Reads the events' time index."""
    counts = (
        select(
            KbEvent.article_id,
            _counts(KbEventKind.VIEW).label("views"),
            _counts(KbEventKind.USE).label("uses"),
            _counts(KbEventKind.HELPFUL).label("helpful"),
            _counts(KbEventKind.OUTDATED).label("outdated"),
        )
        .where(KbEvent.at >= since, KbEvent.at < until)
        .group_by(KbEvent.article_id)
        .subquery()
    )
    key = counts.c.uses if by == "uses" else counts.c.views
    statement = (
        select(counts, KbSearch.title, KbSearch.category_id)
        .outerjoin(KbSearch, KbSearch.article_id == counts.c.article_id)
        .order_by(key.desc(), counts.c.article_id)
    )
    if limit is not None:
        statement = statement.limit(limit)
    rows = session.execute(statement).all()
    titles = _titles(session, [r.article_id for r in rows if r.title is None])
    return [
        ArticleFigures(
            r.article_id,
            r.title or titles.get(r.article_id, ""),
            r.category_id,
            r.views,
            r.uses,
            r.helpful,
            r.outdated,
        )
        for r in rows
    ]


def _titles(session: Session, ids: list[int]) -> dict[int, str]:
    """The latest version's title of articles that are not served."""
    if not ids:
        return {}
    from hotline.models import KbVersion

    rows = session.execute(
        select(KbVersion.article_id, KbVersion.title)
        .join(
            KbArticle,
            and_(
                KbArticle.id == KbVersion.article_id,
                KbArticle.latest_number == KbVersion.number,
            ),
        )
        .where(KbVersion.article_id.in_(ids))
    ).all()
    return dict(rows)


def never_used(session: Session, *, limit: int = 100) -> list[tuple[int, str, datetime | None]]:
    """Served articles nobody has used to answer a call yet: (id, title, published_at),
    oldest publication first."""
    rows = session.execute(
        select(KbArticle.id, KbSearch.title, KbArticle.published_at)
        .join(KbSearch, KbSearch.article_id == KbArticle.id)
        .where(KbArticle.uses == 0)
        .order_by(KbArticle.published_at, KbArticle.id)
        .limit(limit)
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


@dataclass(frozen=True)
class Feedback:
    article_id: int
    title: str
    kind: str
    note: str
    at: datetime
    user: str


def recent_feedback(
    session: Session, *, since: datetime, until: datetime, limit: int = 100
) -> list[Feedback]:
    """The operators' feedback in [since, until), newest first."""
    from hotline.models import User

    rows = session.execute(
        select(KbEvent, User.display_name)
        .outerjoin(User, User.id == KbEvent.user_id)
        .where(
            KbEvent.at >= since,
            KbEvent.at < until,
            KbEvent.kind.in_([k.value for k in FEEDBACK]),
        )
        .order_by(KbEvent.at.desc(), KbEvent.id.desc())
        .limit(limit)
    ).all()
    titles = _titles(session, list({e.article_id for e, _ in rows}))
    return [
        Feedback(e.article_id, titles.get(e.article_id, ""), e.kind, e.note, e.at, name or "")
        for e, name in rows
    ]


def by_category(figures_: list[ArticleFigures]) -> dict[int | None, tuple[int, int]]:
    """Category id -> (views, uses), from per-article figures."""
    totals: dict[int | None, tuple[int, int]] = {}
    for f in figures_:
        views, uses = totals.get(f.category_id, (0, 0))
        totals[f.category_id] = (views + f.views, uses + f.uses)
    return totals


def due_count(session: Session, today: date) -> int:
    """Served articles expired or due for review (for the editors' list heading)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(KbArticle)
            .outerjoin(KbSearch, KbSearch.article_id == KbArticle.id)
            .where(
                KbArticle.state != ArticleState.ARCHIVED.value,
                (KbSearch.valid_to < today) | (KbArticle.review_at <= today),
            )
        )
        or 0
    )


def on_intake(
    session: Session,
    *,
    article_id: int | None,
    query: str,
    inquiry: bool,
    user_id: int | None,
    now: datetime,
):
    """The intake's `on_created` hook (runs in the order's transaction): the article whose
    answer the operator took is recorded as used for the order; an inquiry for which
    suggestions were fetched (`query`, the last one) but none was used is a gap."""
    query = (query or "").strip()[:1000]

    def hook(order_id: int) -> None:
        if article_id is not None:
            record_use_in_transaction(
                session, article_id=article_id, order_id=order_id, user_id=user_id, now=now
            )
        elif inquiry and query:
            record_gap_in_transaction(session, query, now)

    return hook


@dataclass(frozen=True)
class KbReport:
    """The knowledge base in a report or on the KPI page: the articles used most to answer
    calls (title, answers, views) and the open gaps asked most, in the period."""

    top: list[tuple[str, int, int]]
    gaps: list[tuple[str, int]]


def report(session: Session, *, since: datetime, until: datetime, limit: int = 10) -> KbReport:
    """The period's knowledge-base section (two queries, both by the time indexes)."""
    top = [
        (f.title, f.uses, f.views)
        for f in figures(session, since=since, until=until, limit=limit, by="uses")
        if f.uses or f.views
    ]
    asked = gaps(session, since=since, until=until, limit=limit)
    return KbReport(top, [(g.example or g.query, g.count) for g in asked])
