"""Knowledge-base test data through the real services: a category, an article written by
one user and published by another."""

from datetime import date

from hotline.core.accounts.roles import Role
from hotline.core.kb.articles import Content
from hotline.database import write_transaction
from hotline.plugins import db
from hotline.services.kb import articles, categories
from hotline.services.kb.articles import Actor
from tests import factories


def category(*path: str) -> int:
    """The id of the category at `path`, created as needed."""
    with write_transaction(db.session):
        return categories.ensure_path(db.session, path or ("社会保障", "社保卡"))


def article(
    author,
    reviewer=None,
    *,
    title: str = "社保卡丢了怎么补办",
    answer: str = "携带**身份证**到任一社保经办网点补办。",
    questions: tuple[str, ...] = ("社保卡遗失补办",),
    keywords: tuple[str, ...] = ("社保卡", "补办"),
    public: bool = False,
    valid_from: date | None = None,
    valid_to: date | None = None,
    category_path: tuple[str, ...] = ("社会保障", "社保卡"),
) -> int:
    """A draft by `author`; submitted and published by `reviewer` when one is given."""
    content = Content(
        category_id=category(*category_path),
        title=title,
        answer=answer,
        keywords=keywords,
        questions=questions,
        public=public,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    writer = Actor(author.id, Role(author.role))
    article_id = articles.add(db.session, content, actor=writer, now=factories.NOW)
    if reviewer is not None:
        articles.submit(db.session, article_id, actor=writer, now=factories.NOW)
        articles.publish(
            db.session, article_id, actor=Actor(reviewer.id, Role(reviewer.role)), now=factories.NOW
        )
    return article_id
