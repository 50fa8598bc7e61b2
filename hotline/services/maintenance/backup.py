"""Backups of the whole database, their rotation, and restoring one.

SQLite: the online backup API copies the live database (WAL-safe: readers never block the
writer) page by page in one step, into a self-contained file (rollback journal, no -wal).
PostgreSQL: `pg_dump --format=custom`; restored with `pg_restore --clean --if-exists
--single-transaction`, so a restore that fails changes nothing. The tools are the ones of
the server's major version (or newer), found under /usr/lib/postgresql/<version>/bin,
`POSTGRES_BIN_DIR` or the PATH; the password goes to them in the environment, never on the
command line.

Every backup file is created with mode 0600 and never overwrites a file: the name is
reserved with O_CREAT | O_EXCL, the backup written to a 0600 temporary file beside it and
moved over the reservation once complete, so a file under the name is whole or empty.

A restore replaces the live database: stop the application and the scheduler first, and
restart them after (they keep caches of what the database held).
"""

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Collection, Mapping
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session

from hotline.core.accounts.security import SecurityKind
from hotline.core.maintenance.backups import backup_name, to_remove
from hotline.database import POSTGIS_TABLES
from hotline.services.accounts import security_log
from hotline.services.errors import ServiceError
from hotline.sqlite import WriterQueue

SQLITE_SUFFIX = ".sqlite3"
POSTGRES_SUFFIX = ".dump"
# pg_restore waits at most this long for a lock (an application still connected) and then
# fails, changing nothing, instead of hanging.
RESTORE_LOCK_TIMEOUT = "30s"
SQLITE_BUSY_SECONDS = 30.0


class BackupFailed(ServiceError):
    """A backup could not be made, or a file is refused for restoring."""

    code = "backup_failed"


@dataclass(frozen=True)
class Rotation:
    """The nightly backup: the file made, and the old ones removed."""

    made: Path
    removed: tuple[Path, ...]


def backup_dir(config: Mapping[str, Any], instance_path: str) -> Path:
    """Where the nightly backups go: BACKUP_DIR, else instance/backups."""
    return Path(config.get("BACKUP_DIR") or Path(instance_path) / "backups")


def known_revisions(migrations: Path) -> frozenset[str]:
    """Every schema revision this code's migrations know."""
    return frozenset(s.revision for s in ScriptDirectory(str(migrations)).walk_revisions())


def suffix(engine: Engine) -> str:
    """The backup file suffix for the engine's database."""
    return SQLITE_SUFFIX if engine.dialect.name == "sqlite" else POSTGRES_SUFFIX


def backup(engine: Engine, out: Path, *, pg_bin_dir: Path | None = None) -> Path:
    """Back up the whole database into `out` (a new file, mode 0600); returns `out`."""
    out = out.absolute()
    # O_EXCL: never overwrite a file, and the name is ours from the first moment, 0600.
    try:
        os.close(os.open(out, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError as exc:
        raise BackupFailed("exists", f"{out} exists; a backup never overwrites a file") from exc
    except OSError as exc:
        raise BackupFailed("cannot_write", f"{out}: {exc.strerror}") from exc
    handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    temporary = Path(name)
    try:
        if engine.dialect.name == "sqlite":
            os.close(handle)
            _backup_sqlite(_sqlite_path(engine), temporary)
        else:
            with os.fdopen(handle, "wb") as stream:
                _backup_postgres(engine, stream, pg_bin_dir)
        _fsync(temporary)
        os.replace(temporary, out)
        _fsync(out.parent)
    except BaseException:
        temporary.unlink(missing_ok=True)
        out.unlink(missing_ok=True)
        raise
    return out


def log_export(session: Session, made: Path, *, now: datetime) -> None:
    """A backup holds every caller's (sealed) data: an export, for the security log."""
    detail = f"backup {made.name} {made.stat().st_size} bytes"
    security_log.record_alone(session, SecurityKind.PERSONAL_DATA_EXPORT, now=now, detail=detail)


def rotate(
    engine: Engine, *, directory: Path, keep: int, now: datetime, pg_bin_dir: Path | None = None
) -> Rotation:
    """The nightly backup into `directory` (made 0700), then the oldest beyond `keep` go."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    made = backup(engine, directory / backup_name(now, suffix(engine)), pg_bin_dir=pg_bin_dir)
    # Old backups are removed only after a new one was made.
    removed = tuple(directory / name for name in to_remove(os.listdir(directory), keep))
    for path in removed:
        path.unlink(missing_ok=True)
    return Rotation(made, removed)


def restore(
    engine: Engine,
    source: Path,
    *,
    known: Collection[str],
    pg_bin_dir: Path | None = None,
) -> str:
    """Replace the database's contents with the backup `source`; returns its schema
    revision. The file is checked first: refused unless it is a whole backup of this
    application whose revision `known` holds."""
    if not source.is_file():
        raise BackupFailed("missing", f"{source}: no such file")
    engine.dispose()  # no pooled connection of ours holds the database during the restore
    try:
        if engine.dialect.name == "sqlite":
            return _restore_sqlite(_sqlite_path(engine), source, known)
        return _restore_postgres(engine, source, known, pg_bin_dir)
    finally:
        engine.dispose()  # nothing cached from before the restore is used after it


# SQLite ---------------------------------------------------------------------------------


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupFailed("unsupported", "only an SQLite database in a file can be backed up")
    return Path(database).absolute()


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=SQLITE_BUSY_SECONDS)


def _backup_sqlite(database: Path, target: Path) -> None:
    with closing(_read_only(database)) as source, closing(sqlite3.connect(target)) as copy:
        # One step (pages=-1): a consistent snapshot under one read transaction; in WAL mode
        # that never blocks the writers. In smaller steps, each write would restart it.
        source.backup(copy)
        # A self-contained file: no -wal beside it when it is opened later.
        copy.execute("PRAGMA journal_mode=DELETE")
        if copy.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
            raise BackupFailed("damaged", "the copy fails SQLite's quick_check")


def _check_sqlite_backup(source: Path, known: Collection[str]) -> str:
    try:
        with closing(_read_only(source)) as connection:
            if connection.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
                raise BackupFailed("damaged", f"{source} fails SQLite's integrity_check")
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupFailed("not_a_backup", f"{source} is not a backup of ours: {exc}") from exc
    return _known_revision(row[0] if row else None, source, known)


def _restore_sqlite(database: Path, source: Path, known: Collection[str]) -> str:
    if database.exists() and source.exists() and database.samefile(source):
        raise BackupFailed("same_file", "that file is the live database")
    revision = _check_sqlite_backup(source, known)
    # The application's own writer queue: a writer still running here waits for the restore
    # instead of failing on the lock (but stop the application anyway).
    writers = WriterQueue(str(database))
    writers.acquire()
    try:
        live = sqlite3.connect(database, timeout=SQLITE_BUSY_SECONDS)
        with closing(_read_only(source)) as backup_file, closing(live):
            backup_file.backup(live)
    except sqlite3.Error as exc:
        raise BackupFailed("restore_failed", f"SQLite refused the restore: {exc}") from exc
    finally:
        writers.release()
    return revision


# PostgreSQL -----------------------------------------------------------------------------


def _backup_postgres(engine: Engine, stream: Any, pg_bin_dir: Path | None) -> None:
    pg_dump = _pg_tool("pg_dump", _server_major(engine), pg_bin_dir)
    conninfo, env = _libpq(engine.url)
    _run([pg_dump, "--format=custom", "--no-password", f"--dbname={conninfo}"], env, stream)


def _restore_postgres(
    engine: Engine, source: Path, known: Collection[str], pg_bin_dir: Path | None
) -> str:
    pg_restore = _pg_tool("pg_restore", _server_major(engine), pg_bin_dir)
    contents = _run([pg_restore, "--list", str(source)], dict(os.environ))
    revision = _known_revision(_dump_revision(pg_restore, source), source, known)
    conninfo, env = _libpq(engine.url)
    env["PGOPTIONS"] = f"-c lock_timeout={RESTORE_LOCK_TIMEOUT}"
    with tempfile.NamedTemporaryFile("w", prefix="hotline-restore-", suffix=".list") as listing:
        listing.write("\n".join(_ours(contents)) + "\n")
        listing.flush()
        _run(
            [
                pg_restore,
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-password",
                f"--use-list={listing.name}",
                f"--dbname={conninfo}",
                str(source),
            ],
            env,
        )
    return revision


# A line of `pg_restore --list`: "4230; 0 141654 TABLE DATA public spatial_ref_sys postgres".
_TOC_LINE = re.compile(r"^\d+; \d+ \d+ (?P<entry>.*)$")


def _ours(contents: str) -> list[str]:
    """The archive's table of contents without PostGIS: its extension and tables belong to
    the server's set-up (dropping the extension needs its owner), not to our data."""
    kept = []
    for line in contents.splitlines():
        match = _TOC_LINE.match(line)
        if match:
            entry = match["entry"]
            words = set(entry.split())
            if entry.startswith(("EXTENSION ", "COMMENT - EXTENSION ")) or words & POSTGIS_TABLES:
                continue
        kept.append(line)
    return kept


def _dump_revision(pg_restore: str, source: Path) -> str | None:
    """The alembic_version row in the archive, read as the SQL pg_restore would run."""
    sql = _run(
        [pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(source)],
        dict(os.environ),
    )
    lines = iter(sql.splitlines())
    for line in lines:
        if line.startswith("COPY ") and "alembic_version" in line:
            value = next(lines, "\\.")
            return None if value == "\\." else value.strip()
    return None


def _server_major(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def _pg_tool(name: str, server_major: int, pg_bin_dir: Path | None) -> str:
    """The tool of the server's major version or newer: an older pg_dump refuses a newer
    server, and only a pg_restore as new as the pg_dump reads its archives."""
    candidates = [pg_bin_dir / name] if pg_bin_dir else []
    candidates.append(Path(f"/usr/lib/postgresql/{server_major}/bin/{name}"))
    candidates += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    if found := shutil.which(name):
        candidates.append(Path(found))
    for candidate in candidates:
        if os.access(candidate, os.X_OK) and _tool_major(candidate) >= server_major:
            return str(candidate)
    raise BackupFailed(
        "no_tool", f"no {name} of PostgreSQL {server_major} or newer (set POSTGRES_BIN_DIR)"
    )


def _tool_major(tool: Path) -> int:
    version = _run([str(tool), "--version"], dict(os.environ))
    match = re.search(r"\(PostgreSQL\) (\d+)", version)
    return int(match.group(1)) if match else 0


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment that carries it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], stdout: Any = None) -> str:
    """Run a PostgreSQL tool; its text output, or BackupFailed with what it said."""
    result = subprocess.run(  # noqa: S603 - a fixed tool with our own arguments, no shell
        command,
        env=env,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        check=False,
    )
    if result.returncode != 0:
        said = result.stderr.decode(errors="replace").strip()[-2000:]
        raise BackupFailed(f"{Path(command[0]).name}_failed", said or f"exit {result.returncode}")
    return "" if stdout is not None else result.stdout.decode(errors="replace")


def _known_revision(revision: str | None, source: Path, known: Collection[str]) -> str:
    if not revision:
        raise BackupFailed("not_a_backup", f"{source} has no alembic_version: not a backup of ours")
    if revision not in known:
        raise BackupFailed(
            "unknown_revision",
            f"{source} has schema revision {revision}, which this code does not know",
        )
    return revision


def _fsync(path: Path) -> None:
    """Flush a file or directory to disk (a backup must survive a crash right after)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        with suppress(OSError):  # some file systems refuse fsync on a directory
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
