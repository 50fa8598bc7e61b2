"""Search: the query's jieba words, expanded through the synonyms. Each database's own
full-text index finds the candidates and pre-ranks them (FTS5's bm25() on SQLite, with the
title weighted above the keywords and alternative questions and those above the answer;
ts_rank with the same weights and BM25's idf on PostgreSQL); the best `CANDIDATES` are then
ordered by one BM25F (`core/kb/ranking.py`), so both databases give the same results. Only
published articles valid today are found; the public pages only public ones."""

import time
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from hotline.core.kb import ranking
from hotline.core.kb import text as words
from hotline.models import AppSetting, KbSearch, KbSynonym
from hotline.services.kb import categories, terms

WEIGHTS = ranking.WEIGHTS
CANDIDATES = 100  # pre-ranked by the database, re-ranked by BM25F
# Candidates are the documents with the query's selective words (those in at most this
# share of the documents, or this many): a word in half the articles ranks nothing, and
# ranking every document that has it would cost more than the rest of the search.
SELECTIVE_SHARE = 0.015
SELECTIVE_MIN = 200
_STATISTICS_TTL = 30.0
_statistics_cache: dict[str, tuple[float, ranking.Statistics]] = {}
# ts_rank's weights are given for the labels {D, C, B, A}: answer, -, questions, title.
PG_WEIGHTS = "{0.1, 0.2, 0.5, 1.0}"
_SYNONYMS_TTL = 30.0  # seconds a process keeps the synonym table before reading it again
SYNONYMS_VERSION = "kb_synonyms_version"  # bumped by every edit of the table
_synonyms_cache: dict[str, tuple[float, dict[str, tuple[str, ...]]]] = {}


@dataclass(frozen=True)
class Hit:
    """One result, best first."""

    id: int
    title: str
    category: str
    category_id: int
    score: float
    snippet: str


def as_json(hit: Hit) -> dict:
    """A result as the JSON answers give it."""
    return {
        "id": hit.id,
        "title": hit.title,
        "category": hit.category,
        "score": hit.score,
        "snippet": hit.snippet,
    }


def synonyms(session: Session) -> dict[str, tuple[str, ...]]:
    """Term -> the other terms of its group; read again at once when any process changed
    the table (its version token) or terms were added or removed otherwise (seeding)."""
    version = select(AppSetting.value).where(AppSetting.key == SYNONYMS_VERSION)
    count, last, token = session.execute(
        select(func.count(), func.max(KbSynonym.id), version.scalar_subquery())
    ).one()
    key = f"{session.get_bind().url}:{token}:{count}:{last}"
    cached = _synonyms_cache.get(key)
    if cached and time.monotonic() - cached[0] < _SYNONYMS_TTL:
        return cached[1]
    _synonyms_cache.clear()
    groups: dict[int, list[str]] = {}
    for term, group in session.execute(select(KbSynonym.term, KbSynonym.group_id)):
        groups.setdefault(group, []).append(term)
    table = {
        words.normalise(term): tuple(words.normalise(t) for t in members if t != term)
        for members in groups.values()
        for term in members
    }
    _synonyms_cache[key] = (time.monotonic(), table)
    return table


def forget_synonyms() -> None:
    """Read the synonym table again at the next search (after an edit)."""
    _synonyms_cache.clear()


def forget_statistics() -> None:
    """Count the documents again at the next search (after a publish or an archive)."""
    _statistics_cache.clear()


def statistics(session: Session) -> ranking.Statistics:
    """The number of search documents and their fields' average lengths (cached briefly)."""
    key = str(session.get_bind().url)
    cached = _statistics_cache.get(key)
    if cached and time.monotonic() - cached[0] < _STATISTICS_TTL:
        return cached[1]
    row = session.execute(
        select(
            func.count(),
            func.avg(func.length(KbSearch.title_words)),
            func.avg(func.length(KbSearch.question_words)),
            func.avg(func.length(KbSearch.answer_words)),
        )
    ).one()
    stats = ranking.Statistics(row[0], tuple(float(v or 0) for v in row[1:]))  # type: ignore[arg-type]
    _statistics_cache[key] = (time.monotonic(), stats)
    return stats


def search(
    session: Session,
    query: str,
    *,
    k: int = 10,
    today: date,
    category_id: int | None = None,
    public_only: bool = False,
) -> list[Hit]:
    """The `k` best published, valid articles for `query`, best first."""
    concepts = words.expand(query[:200], synonyms(session))
    if not concepts or k <= 0:
        return []
    nodes = categories.tree(session)
    within = categories.descendants(nodes, category_id) if category_id is not None else None
    postgres = session.get_bind().dialect.name == "postgresql"
    stats = statistics(session)
    matching = _document_frequencies(session, concepts, stats.documents)
    idfs = [ranking.idf(stats.documents, df) for df in matching]
    selective = _selective(concepts, matching, stats.documents)
    if not selective:
        return []
    candidates = (_postgres if postgres else _sqlite)(
        session, selective, max(k, CANDIDATES), today, within, public_only
    )
    prepared = ranking.prepare(concepts)
    scored = sorted(
        (
            (
                ranking.score(
                    (row.title_words, row.question_words, row.answer_words), prepared, idfs, stats
                ),
                row,
            )
            for row in candidates
        ),
        key=lambda pair: (-round(pair[0], 9), pair[1].article_id),
    )[:k]
    shown = [w for c in concepts for alt in c.alternatives for w in alt]
    # The answers' text, for the snippets of the results only.
    answers = dict(
        session.execute(
            select(KbSearch.article_id, KbSearch.answer_text).where(
                KbSearch.article_id.in_([row.article_id for _value, row in scored])
            )
        ).all()
    )
    return [
        Hit(
            id=row.article_id,
            title=row.title,
            category=nodes[row.category_id].label if row.category_id in nodes else "",
            category_id=row.category_id,
            score=round(value, 4),
            snippet=words.snippet(answers.get(row.article_id, ""), shown),
        )
        for value, row in scored
    ]


def _selective(concepts, matching: list[int], documents: int) -> list:
    """The concepts that choose candidates: the selective ones, else the rarest one found."""
    found = [(df, i) for i, df in enumerate(matching) if df > 0]
    if not found:
        return []
    limit = max(SELECTIVE_MIN, documents * SELECTIVE_SHARE)
    chosen = [i for df, i in found if df <= limit] or [min(found)[1]]
    return [concepts[i] for i in sorted(chosen)]


def _document_frequencies(session: Session, concepts, documents: int) -> list[int]:
    """Each concept's document frequency from kb_terms: the sum over its alternatives
    (the rarest word of a multi-word one), at most all documents."""
    known = terms.frequencies(session, (w for c in concepts for alt in c.alternatives for w in alt))
    return [
        min(documents, sum(min(known.get(w, 0) for w in alt) for alt in c.alternatives))
        for c in concepts
    ]


_COLUMNS = "s.article_id, s.title, s.category_id, s.title_words, s.question_words, s.answer_words"


def _filters(today: date, within: set[int] | None, public_only: bool) -> tuple[str, dict]:
    sql = (
        " AND (f.valid_from IS NULL OR f.valid_from <= :today)"
        " AND (f.valid_to IS NULL OR f.valid_to >= :today)"
    )
    params: dict = {"today": today}
    if public_only:
        sql += " AND f.public"
    if within is not None:
        sql += " AND f.category_id IN :within"
        params["within"] = sorted(within)
    return sql, params


def _sqlite(session, concepts, limit, today, within, public_only):
    """The best `limit` by FTS5's bm25(); the wide columns read for those only."""
    where, params = _filters(today, within, public_only)
    weights = ", ".join(str(w) for w in WEIGHTS)
    statement = text(
        f"SELECT {_COLUMNS} FROM (SELECT kb_fts.rowid AS id, "  # noqa: S608 - parameters
        f"bm25(kb_fts, {weights}) AS rank FROM kb_fts "
        "JOIN kb_search f ON f.article_id = kb_fts.rowid "
        f"WHERE kb_fts MATCH :match{where} ORDER BY rank, id LIMIT :limit) c "
        "JOIN kb_search s ON s.article_id = c.id ORDER BY c.rank, c.id"
    )
    if within is not None:
        statement = statement.bindparams(bindparam("within", expanding=True))
    params |= {"match": words.fts5_query(concepts), "limit": limit}
    return session.execute(statement, params).all()


def _postgres(session, concepts, limit, today, within, public_only):
    """The best `limit` by ts_rank (title A, questions B, answer D); the wide columns read
    for those only."""
    where, params = _filters(today, within, public_only)
    statement = text(
        f"SELECT {_COLUMNS} FROM (SELECT f.article_id AS id, "  # noqa: S608 - parameters
        f"ts_rank('{PG_WEIGHTS}', f.kb_fts, to_tsquery('simple', :match), 1) AS rank "
        f"FROM kb_search f WHERE f.kb_fts @@ to_tsquery('simple', :match){where} "
        "ORDER BY rank DESC, id LIMIT :limit) c "
        "JOIN kb_search s ON s.article_id = c.id ORDER BY c.rank DESC, c.id"
    )
    if within is not None:
        statement = statement.bindparams(bindparam("within", expanding=True))
    params |= {"match": " | ".join(f"({words.tsquery(c)})" for c in concepts), "limit": limit}
    return session.execute(statement, params).all()


def count_documents(session: Session) -> int:
    """How many articles are searchable (served), whatever their dates."""
    return session.scalar(select(func.count()).select_from(KbSearch)) or 0
