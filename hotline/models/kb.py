"""The knowledge base (知识库): categories, articles, their append-only versions, the
search document of each served article, synonyms, usage events and search gaps.

The full-text index itself is not a model: it belongs to the database. On SQLite it is the
FTS5 table `kb_fts` over `kb_search` (external content, kept in step by triggers); on
PostgreSQL it is the tsvector column `kb_search.kb_fts` (filled by a trigger) with a GIN
index. Both are created after `kb_search` (here for `create_all`, in migration 0022 for
Alembic); every object's name starts with `kb_fts`, and `database.include_name` leaves
those names out of the migrations-versus-models comparison.
"""

from datetime import date, datetime

from sqlalchemy import DDL, Date, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from hotline.database import UTCDateTime
from hotline.plugins import db


class KbCategory(db.Model):
    """A node of the category tree (社会保障 / 社保卡); any depth."""

    __tablename__ = "kb_categories"
    __table_args__ = (Index("ix_kb_categories_parent", "parent_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("kb_categories.id"))
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)


class KbArticle(db.Model):
    """An article: its state (`core.kb.workflow.ArticleState`), the version it serves
    (`published_number`, None until first published) and the latest one (`latest_number`,
    which may be a draft under review while the published one is served)."""

    __tablename__ = "kb_articles"
    __table_args__ = (Index("ix_kb_articles_state", "state", "review_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    latest_number: Mapped[int] = mapped_column(default=1)
    published_number: Mapped[int | None]
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who published (None: the system, e.g. `hotline kb-import --publish`).
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_at: Mapped[date | None] = mapped_column(Date)  # when to check it again
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Demonstration content (loaded by `hotline seed-demo`).
    synthetic: Mapped[bool] = mapped_column(default=False)
    # Usage counters (the events are in kb_events): views, uses in answering an order,
    # feedback that it helped and that it is out of date.
    views: Mapped[int] = mapped_column(default=0)
    uses: Mapped[int] = mapped_column(default=0)
    helpful: Mapped[int] = mapped_column(default=0)
    outdated: Mapped[int] = mapped_column(default=0)
    row_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": row_version}


class KbVersion(db.Model):
    """One version of an article; append-only: every edit adds a version."""

    __tablename__ = "kb_versions"
    __table_args__ = (UniqueConstraint("article_id", "number", name="uq_kb_versions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"))
    number: Mapped[int]
    category_id: Mapped[int] = mapped_column(ForeignKey("kb_categories.id"))
    title: Mapped[str] = mapped_column(String(200))
    keywords: Mapped[str] = mapped_column(Text, default="")  # one per line
    questions: Mapped[str] = mapped_column(Text, default="")  # alternative questions, per line
    answer: Mapped[str] = mapped_column(Text)  # Markdown
    source: Mapped[str] = mapped_column(String(500), default="")  # 来源: the policy, the law
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    public: Mapped[bool] = mapped_column(default=False)  # shown on the public pages
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")  # what changed


class KbSearch(db.Model):
    """The search document of a served (published) article: its segmented words, one row
    per published article, written and removed with the publish and the archive."""

    __tablename__ = "kb_search"
    __table_args__ = (Index("ix_kb_search_category", "category_id"),)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("kb_articles.id"), primary_key=True, autoincrement=False
    )
    number: Mapped[int]  # the version served
    category_id: Mapped[int] = mapped_column(ForeignKey("kb_categories.id"))
    public: Mapped[bool] = mapped_column(default=False)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))  # as written, for the results
    # Space-separated words (jieba): the title; keywords and alternative questions; the answer.
    title_words: Mapped[str] = mapped_column(Text)
    question_words: Mapped[str] = mapped_column(Text, default="")
    answer_words: Mapped[str] = mapped_column(Text, default="")
    answer_text: Mapped[str] = mapped_column(Text, default="")  # plain text, for snippets


class KbTerm(db.Model):
    """Document frequency: in how many search documents a word occurs (any field). Kept by
    publish and archive with the documents; search reads each query word's idf here,
    the same on both databases, instead of counting matches in the full-text index."""

    __tablename__ = "kb_terms"

    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    documents: Mapped[int] = mapped_column(default=0)


class KbSynonym(db.Model):
    """同义词: a term and the group it belongs to; the terms of a group stand for each other."""

    __tablename__ = "kb_synonyms"
    __table_args__ = (Index("ix_kb_synonyms_group", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(64), unique=True)
    group_id: Mapped[int]


class KbEvent(db.Model):
    """A use of an article (`core.kb.workflow.KbEventKind`): a view, an answer given to an
    order, or feedback (helpful, outdated)."""

    __tablename__ = "kb_events"
    __table_args__ = (
        Index("ix_kb_events_article", "article_id", "kind", "at"),
        Index("ix_kb_events_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"))
    number: Mapped[int | None]  # the version seen
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")


class KbGap(db.Model):
    """A search that found nothing useful (知识缺口): the normalised query, how often, when."""

    __tablename__ = "kb_gaps"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(200), unique=True)  # normalised
    count: Mapped[int] = mapped_column(default=1)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    example: Mapped[str] = mapped_column(String(200), default="")  # one query as typed
    resolved: Mapped[bool] = mapped_column(default=False)


# The full-text index, per database (see the module's docstring). Migration 0022 creates
# the same objects.
SQLITE_FTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS kb_fts USING fts5(title_words, question_words, "
    "answer_words, content='kb_search', content_rowid='article_id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER kb_fts_insert AFTER INSERT ON kb_search BEGIN "
    "INSERT INTO kb_fts(rowid, title_words, question_words, answer_words) "
    "VALUES (new.article_id, new.title_words, new.question_words, new.answer_words); END",
    "CREATE TRIGGER kb_fts_delete AFTER DELETE ON kb_search BEGIN "
    "INSERT INTO kb_fts(kb_fts, rowid, title_words, question_words, answer_words) "
    "VALUES ('delete', old.article_id, old.title_words, old.question_words, "
    "old.answer_words); END",
    "CREATE TRIGGER kb_fts_update AFTER UPDATE ON kb_search BEGIN "
    "INSERT INTO kb_fts(kb_fts, rowid, title_words, question_words, answer_words) "
    "VALUES ('delete', old.article_id, old.title_words, old.question_words, "
    "old.answer_words); "
    "INSERT INTO kb_fts(rowid, title_words, question_words, answer_words) "
    "VALUES (new.article_id, new.title_words, new.question_words, new.answer_words); END",
)
SQLITE_FTS_DROP = ("DROP TABLE IF EXISTS kb_fts",)
POSTGRES_FTS = (
    "ALTER TABLE kb_search ADD COLUMN kb_fts tsvector",
    "CREATE OR REPLACE FUNCTION kb_fts_fill() RETURNS trigger AS $$ BEGIN "
    "NEW.kb_fts := setweight(to_tsvector('simple', NEW.title_words), 'A') || "
    "setweight(to_tsvector('simple', coalesce(NEW.question_words, '')), 'B') || "
    "setweight(to_tsvector('simple', coalesce(NEW.answer_words, '')), 'D'); "
    "RETURN NEW; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER kb_fts_fill BEFORE INSERT OR UPDATE ON kb_search "
    "FOR EACH ROW EXECUTE FUNCTION kb_fts_fill()",
    "CREATE INDEX kb_fts_gin ON kb_search USING gin (kb_fts)",
)


def _ddl(statements: tuple[str, ...], dialect: str, when: str) -> None:
    for statement in statements:
        # "%" would be read as a parameter marker by DDL().
        event.listen(
            KbSearch.__table__,
            when,
            DDL(statement.replace("%", "%%")).execute_if(dialect=dialect),
        )


_ddl(SQLITE_FTS, "sqlite", "after_create")
_ddl(SQLITE_FTS_DROP, "sqlite", "before_drop")
_ddl(POSTGRES_FTS, "postgresql", "after_create")
