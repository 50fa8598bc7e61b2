"""Writing articles: every edit a new version, submit, publish (never by the author),
send back, archive, restore. Publishing and archiving update the index (`kb_search`, and
through the database's triggers the full-text index) in the same transaction."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hotline.core.accounts.roles import Role
from hotline.core.kb import markdown, text
from hotline.core.kb.articles import Content, check
from hotline.core.kb.workflow import ArticleAction, ArticleState, TransitionError, apply
from hotline.database import write_transaction
from hotline.models import KbArticle, KbCategory, KbSearch, KbVersion
from hotline.services.errors import Forbidden, NotFound, ValidationFailed, conflict_on_stale
from hotline.services.kb import search, terms


@dataclass(frozen=True)
class Actor:
    """Who acts: a user and their role, or the system (`user_id` and `role` None)."""

    user_id: int | None
    role: Role | None


SYSTEM = Actor(None, None)


def _validate(session: Session, content: Content) -> None:
    errors = check(content)
    if session.get(KbCategory, content.category_id) is None:
        errors["category_id"] = "unknown_category"
    if errors:
        raise ValidationFailed(errors)


def _version(article_id: int, number: int, content: Content, actor: Actor, now, note: str):
    return KbVersion(
        article_id=article_id,
        number=number,
        category_id=content.category_id,
        title=content.title.strip(),
        keywords="\n".join(content.keywords),
        questions="\n".join(content.questions),
        answer=content.answer,
        source=content.source.strip(),
        department_id=content.department_id,
        valid_from=content.valid_from,
        valid_to=content.valid_to,
        public=content.public,
        edited_by_id=actor.user_id,
        edited_at=now,
        note=note,
    )


def add(
    session: Session,
    content: Content,
    *,
    actor: Actor,
    now: datetime,
    synthetic: bool = False,
    note: str = "",
) -> int:
    """A new article (a draft, version 1) in one transaction; returns its id."""
    with write_transaction(session):
        article_id = add_in_transaction(
            session, content, actor=actor, now=now, synthetic=synthetic, note=note
        )
    return article_id


def add_in_transaction(
    session: Session, content: Content, *, actor: Actor, now, synthetic=False, note=""
) -> int:
    """`add` inside the caller's transaction (the importer writes a file in one)."""
    if actor.role is not None:
        # Creating is the first edit.
        _check(ArticleState.DRAFT, ArticleAction.EDIT, actor, is_author=True)
    _validate(session, content)
    article = KbArticle(
        state=ArticleState.DRAFT.value,
        author_id=actor.user_id,
        latest_number=1,
        created_at=now,
        updated_at=now,
        synthetic=synthetic,
    )
    session.add(article)
    session.flush()
    session.add(_version(article.id, 1, content, actor, now, note))
    session.flush()
    return article.id


def _check(state: ArticleState, action: ArticleAction, actor: Actor, *, is_author: bool):
    try:
        return apply(state, action, actor.role, is_author=is_author)
    except TransitionError as exc:
        raise Forbidden(exc.code) from exc


def _load(session: Session, article_id: int) -> KbArticle:
    article = session.get(KbArticle, article_id)
    if article is None:
        raise NotFound()
    return article


def latest(session: Session, article: KbArticle) -> KbVersion:
    """The article's latest version."""
    return session.scalars(
        select(KbVersion).where(
            KbVersion.article_id == article.id, KbVersion.number == article.latest_number
        )
    ).one()


def _is_author(session: Session, article: KbArticle, actor: Actor) -> bool:
    if actor.user_id is None:
        return False
    return actor.user_id in {article.author_id, latest(session, article).edited_by_id}


def edit(
    session: Session, article_id: int, content: Content, *, actor: Actor, now: datetime, note=""
) -> int:
    """A new version of the article (a draft); returns its number. A published version
    keeps being served until the new one is published."""
    with conflict_on_stale(), write_transaction(session):
        article = _load(session, article_id)
        state = _check(ArticleState(article.state), ArticleAction.EDIT, actor, is_author=True)
        _validate(session, content)
        article.latest_number += 1
        session.add(_version(article.id, article.latest_number, content, actor, now, note))
        article.state = state.value
        article.updated_at = now
        number = article.latest_number
    return number


def move_in_transaction(
    session: Session, article_id: int, action: ArticleAction, actor: Actor, now
):
    """One move of the transition table, inside the caller's transaction."""
    article = _load(session, article_id)
    state = _check(
        ArticleState(article.state), action, actor, is_author=_is_author(session, article, actor)
    )
    article.state = state.value
    article.updated_at = now
    return article


def submit(session: Session, article_id: int, *, actor: Actor, now: datetime) -> None:
    """The latest version goes to review."""
    with conflict_on_stale(), write_transaction(session):
        move_in_transaction(session, article_id, ArticleAction.SUBMIT, actor, now)


def send_back(session: Session, article_id: int, *, actor: Actor, now: datetime) -> None:
    """The reviewer sends the latest version back to draft."""
    with conflict_on_stale(), write_transaction(session):
        move_in_transaction(session, article_id, ArticleAction.SEND_BACK, actor, now)


def publish(session: Session, article_id: int, *, actor: Actor, now: datetime) -> None:
    """The latest version becomes the served one, and the index follows, in one transaction."""
    with conflict_on_stale(), write_transaction(session):
        publish_in_transaction(session, article_id, actor=actor, now=now)


def publish_in_transaction(session: Session, article_id: int, *, actor: Actor, now) -> None:
    """`publish` inside the caller's transaction."""
    article = move_in_transaction(session, article_id, ArticleAction.PUBLISH, actor, now)
    article.published_number = article.latest_number
    article.published_at = now
    article.published_by_id = actor.user_id
    index(session, article, latest(session, article))
    search.forget_statistics()


def archive(session: Session, article_id: int, *, actor: Actor, now: datetime) -> None:
    """Withdraw the article from search (its versions stay)."""
    with conflict_on_stale(), write_transaction(session):
        move_in_transaction(session, article_id, ArticleAction.ARCHIVE, actor, now)
        document = session.get(KbSearch, article_id)
        if document is not None:
            terms.remove(session, _document_words(document))
        session.execute(delete(KbSearch).where(KbSearch.article_id == article_id))
    search.forget_statistics()


def restore(session: Session, article_id: int, *, actor: Actor, now: datetime) -> None:
    """An archived article back to draft (searchable again only once published)."""
    with conflict_on_stale(), write_transaction(session):
        article = move_in_transaction(session, article_id, ArticleAction.RESTORE, actor, now)
        article.published_number = None


def index(session: Session, article: KbArticle, version: KbVersion) -> None:
    """Write the served version's search document (inside the caller's transaction)."""
    answer = markdown.plain(version.answer)
    values = {
        "number": version.number,
        "category_id": version.category_id,
        "public": version.public,
        "valid_from": version.valid_from,
        "valid_to": version.valid_to,
        "title": version.title,
        "title_words": text.index_text(version.title),
        "question_words": text.index_text(version.keywords, version.questions),
        "answer_words": text.index_text(answer),
        "answer_text": answer,
    }
    document = session.get(KbSearch, article.id)
    new_words = terms.words_of(
        values["title_words"], values["question_words"], values["answer_words"]
    )
    if document is None:
        session.add(KbSearch(article_id=article.id, **values))
        terms.add(session, new_words)
    else:
        old_words = _document_words(document)
        for key, value in values.items():
            setattr(document, key, value)
        terms.remove(session, old_words - new_words)
        terms.add(session, new_words - old_words)
    session.flush()


def _document_words(document: KbSearch) -> set[str]:
    return terms.words_of(document.title_words, document.question_words, document.answer_words)
