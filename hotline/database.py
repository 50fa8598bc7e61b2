"""The generic database parts: the UTC datetime column type, write transactions, column
defaults and bulk INSERTs through the driver. What only SQLite needs is in hotline.sqlite."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String, Table, Text, literal, text
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from hotline.sqlite import write_intent


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC: one meaning on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def raw_utc(dialect_name: str, value: datetime) -> datetime | str:
    """`value` as UTCDateTime stores it, for statements on untyped columns (bulk writes)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    naive = value.astimezone(UTC).replace(tzinfo=None)
    # SQLAlchemy's SQLite DATETIME format, microseconds always included: the column is
    # compared as text, so the format must match exactly.
    return naive.strftime("%Y-%m-%d %H:%M:%S.%f") if dialect_name == "sqlite" else naive


def column_defaults(table: Table) -> dict[str, Any]:
    """Every column's Python-side scalar default, or None where it has none and allows NULL.

    Left out: the primary key, columns whose default is computed (a callable, SQL or the
    server's) and the columns every row must give (NOT NULL without a default).
    """
    defaults: dict[str, Any] = {}
    for column in table.columns:
        if column.primary_key or column.server_default is not None:
            continue
        if column.default is None and column.nullable:
            defaults[column.key] = None
        elif column.default is not None and column.default.is_scalar:
            defaults[column.key] = column.default.arg
    return defaults


def execute_many(connection: Connection, sql: str, rows: Sequence[tuple]) -> None:
    """`sql` (with `?` placeholders) once per row, through the driver's executemany.

    For writes of tens of thousands of rows: SQLAlchemy's per-value processing costs more
    than the database's own work, so the values must be as the driver stores them (times
    from `raw_utc`).
    """
    if rows:
        connection.exec_driver_sql(sql.replace("?", _placeholder(connection.dialect)), rows)


def insert_many(
    connection: Connection, table: Table, columns: tuple[str, ...], rows: Sequence[tuple]
) -> None:
    """INSERT `rows` (values in `columns` order, as `execute_many` wants them); every other
    column gets its scalar default (written into the statement) or NULL."""
    if rows:
        dialect = connection.dialect
        key = (table, columns, dialect.name, dialect.paramstyle)
        sql = _INSERTS.get(key) or _INSERTS.setdefault(key, _insert_sql(table, columns, dialect))
        connection.exec_driver_sql(sql, rows)


_INSERTS: dict[tuple, str] = {}  # per table, columns and dialect: built once


def _insert_sql(table: Table, columns: tuple[str, ...], dialect: Dialect) -> str:
    missing = [c.key for c in table.columns if c.key not in columns and not c.primary_key]
    defaults = column_defaults(table)
    if unknown := [key for key in missing if key not in defaults]:
        raise ValueError(f"{table.name}: no scalar default for {', '.join(unknown)}")
    constants = [key for key in missing if defaults[key] is not None]
    mark = _placeholder(dialect)
    values = [mark] * len(columns) + [_literal(defaults[key], dialect) for key in constants]
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in (*columns, *constants))
    # Quoted names from the table's metadata; values are placeholders or compiled literals.
    return f"INSERT INTO {quote(table.name)} ({names}) VALUES ({', '.join(values)})"  # noqa: S608


def _literal(value: Any, dialect: Dialect) -> str:
    sql = str(literal(value).compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    return sql if dialect.paramstyle == "qmark" else sql.replace("%", "%%")


def _placeholder(dialect: Dialect) -> str:
    return "?" if dialect.paramstyle == "qmark" else "%s"


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """One write transaction: begins fresh (IMMEDIATE on SQLite), commits or rolls back."""
    # End the request's read snapshot (if any): the write must see the latest data. A commit,
    # not a rollback, so that loaded objects (the logged-in user) stay loaded.
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("unsaved changes outside a write transaction")
    session.commit()
    with write_intent():
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# Tables that belong to PostGIS, not to us: migrations leave them alone.
POSTGIS_TABLES = frozenset({"spatial_ref_sys", "geometry_columns", "geography_columns"})


# The knowledge base's full-text index (hotline/models/kb.py): FTS5's table and shadow
# tables on SQLite, the tsvector column and its GIN index on PostgreSQL. The database's,
# not the models': created beside `kb_search`, never compared with the models.
FULL_TEXT_PREFIX = "kb_fts"


def include_name(name: str | None, type_: str, _parent_names: dict) -> bool:
    """Alembic filter: compare and autogenerate only this application's tables, without the
    full-text index's objects."""
    if name and name.startswith(FULL_TEXT_PREFIX):
        return False
    return not (type_ == "table" and name in POSTGIS_TABLES)


def compare_type(context, inspected_column, metadata_column, inspected_type, metadata_type):
    """Alembic's type comparison, except that a sealed column declared VARCHAR(n) on SQLite
    matches: SQLite ignores declared lengths, and migration 0021 changed the types on
    PostgreSQL only."""
    from hotline.encryption import Sealed

    if context.dialect.name == "sqlite" and isinstance(metadata_type, Sealed):
        return not isinstance(inspected_type, String | Text)
    return None  # the default comparison


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def database_now(session: Session) -> datetime:
    """The database server's clock (PostgreSQL), the same for every host: times that hosts
    compare with each other (the scheduler's heartbeat) are taken from it. SQLite is one
    host: its own clock."""
    if session.get_bind().dialect.name == "postgresql":
        return session.execute(text("SELECT clock_timestamp()")).scalar().astimezone(UTC)
    return utcnow()


# Every PostgreSQL connection: a host cut off from the network is noticed within about 25 s
# on both sides (client and server keepalives with TCP_USER_TIMEOUT), so that its sessions,
# its row locks and the scheduler's advisory lock do not outlive it by the kernel's two hours.
_KEEPALIVE = {"idle": 10, "interval": 5, "count": 3, "user_timeout_ms": 25_000}
POSTGRES_CONNECT_ARGS = {
    "keepalives": 1,
    "keepalives_idle": _KEEPALIVE["idle"],
    "keepalives_interval": _KEEPALIVE["interval"],
    "keepalives_count": _KEEPALIVE["count"],
    "tcp_user_timeout": _KEEPALIVE["user_timeout_ms"],
    "options": (
        f"-c tcp_keepalives_idle={_KEEPALIVE['idle']} "
        f"-c tcp_keepalives_interval={_KEEPALIVE['interval']} "
        f"-c tcp_keepalives_count={_KEEPALIVE['count']} "
        f"-c tcp_user_timeout={_KEEPALIVE['user_timeout_ms']}"
    ),
}


def engine_options(url: str, options: dict) -> dict:
    """The engine options for `url`: PostgreSQL's connections get the keepalive settings."""
    if not url.startswith("postgresql"):
        return options
    return {**options, "connect_args": {**POSTGRES_CONNECT_ARGS, **options.get("connect_args", {})}}
