"""Read functions for the knowledge base's pages: the category tree, browsing a category,
and one article's served version."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.kb.articles import is_valid_on
from hotline.models import Department, KbArticle, KbSearch, KbVersion
from hotline.services.errors import NotFound
from hotline.services.kb import categories


@dataclass(frozen=True)
class ArticleView:
    """An article's served version, as the article page shows it."""

    id: int
    number: int
    title: str
    category: str
    answer: str  # Markdown
    keywords: list[str]
    questions: list[str]
    source: str
    department: str | None
    valid_from: date | None
    valid_to: date | None
    valid_today: bool
    public: bool
    published_at: object


def tree(session: Session) -> list[categories.Node]:
    """Every category, in tree order."""
    return list(categories.tree(session).values())


def browse(
    session: Session, category_id: int, *, today: date, public_only: bool = False, limit=200
) -> list[tuple[int, str]]:
    """(id, title) of the searchable articles in a category and those under it, by title."""
    within = categories.descendants(categories.tree(session), category_id)
    statement = (
        select(KbSearch.article_id, KbSearch.title)
        .where(KbSearch.category_id.in_(within))
        .where((KbSearch.valid_from.is_(None)) | (KbSearch.valid_from <= today))
        .where((KbSearch.valid_to.is_(None)) | (KbSearch.valid_to >= today))
        .order_by(KbSearch.title, KbSearch.article_id)
        .limit(limit)
    )
    if public_only:
        statement = statement.where(KbSearch.public.is_(True))
    return [(row.article_id, row.title) for row in session.execute(statement)]


def served(session: Session, article_id: int, *, today: date, public_only=False) -> ArticleView:
    """The article's published version; NotFound when it serves none (a draft never
    published, an archived article) or, for the public, when it is not public or not valid."""
    article = session.get(KbArticle, article_id)
    document = session.get(KbSearch, article_id)
    if article is None or document is None or article.published_number is None:
        raise NotFound()
    version = session.scalars(
        select(KbVersion).where(
            KbVersion.article_id == article_id, KbVersion.number == article.published_number
        )
    ).one()
    valid = is_valid_on(version.valid_from, version.valid_to, today)
    if public_only and not (version.public and valid):
        raise NotFound()
    nodes = categories.tree(session)
    department = session.get(Department, version.department_id) if version.department_id else None
    return ArticleView(
        id=article.id,
        number=version.number,
        title=version.title,
        category=nodes[version.category_id].label if version.category_id in nodes else "",
        answer=version.answer,
        keywords=[k for k in version.keywords.split("\n") if k],
        questions=[q for q in version.questions.split("\n") if q],
        source=version.source,
        department=department.name if department else None,
        valid_from=version.valid_from,
        valid_to=version.valid_to,
        valid_today=valid,
        public=version.public,
        published_at=article.published_at,
    )
