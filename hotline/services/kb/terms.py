"""Document frequencies (`kb_terms`): each word's number of search documents, kept with
the documents inside the publishing and archiving transactions; search's idf reads them."""

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from hotline.models import KbSearch, KbTerm

MAX_LENGTH = 64  # longer "words" (a pasted URL) are not counted


def words_of(*fields: str | None) -> set[str]:
    """The distinct words of a document's fields (space-separated words)."""
    return {w for f in fields if f for w in f.split() if len(w) <= MAX_LENGTH}


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(KbTerm)


def add(session: Session, words: Iterable[str]) -> None:
    """One more document has each of `words` (inside the caller's transaction)."""
    rows = [{"term": w, "documents": 1} for w in sorted(set(words))]
    if rows:
        statement = _insert(session)
        statement = statement.on_conflict_do_update(
            index_elements=["term"], set_={"documents": KbTerm.documents + 1}
        )
        session.execute(statement, rows)


def remove(session: Session, words: Iterable[str]) -> None:
    """One document fewer has each of `words` (inside the caller's transaction)."""
    terms = sorted(set(words))
    for start in range(0, len(terms), 500):
        chunk = terms[start : start + 500]
        session.execute(
            update(KbTerm)
            .where(KbTerm.term.in_(chunk))
            .values(documents=KbTerm.documents - 1)
            .execution_options(synchronize_session=False)
        )
    if terms:
        session.execute(delete(KbTerm).where(KbTerm.documents <= 0))


def rebuild(session: Session) -> int:
    """Count every word again from the search documents (inside the caller's
    transaction); the number of words. For bulk loads and repairs."""
    counts: Counter[str] = Counter()
    rows = session.execute(
        select(KbSearch.title_words, KbSearch.question_words, KbSearch.answer_words)
    )
    for row in rows:
        counts.update(words_of(*row))
    session.execute(delete(KbTerm))
    items = sorted(counts.items())
    for start in range(0, len(items), 5000):
        session.execute(
            _insert(session),
            [{"term": t, "documents": n} for t, n in items[start : start + 5000]],
        )
    return len(counts)


def frequencies(session: Session, words: Iterable[str]) -> dict[str, int]:
    """Word -> in how many documents it occurs (absent: none)."""
    wanted = sorted(set(words))
    return (
        dict(
            session.execute(
                select(KbTerm.term, KbTerm.documents).where(KbTerm.term.in_(wanted))
            ).all()
        )
        if wanted
        else {}
    )
