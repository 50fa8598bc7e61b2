"""Backups: a round trip (back up, change, restore, compare) on SQLite and PostgreSQL,
files created 0600 and never overwritten, refused files, nightly rotation."""

import os
import sqlite3
import stat
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import delete, func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from hotline import create_app
from hotline.config import ROOT
from hotline.core.maintenance.backups import backup_name
from hotline.database import POSTGIS_TABLES
from hotline.models import AuditEvent, SecurityEvent, WorkOrder
from hotline.plugins import db
from hotline.services.ems import fleet
from hotline.services.maintenance import backup as backups
from tests import factories
from tests.conftest import BEIJING, config_for, postgres_url_or_skip, reset_postgres
from tests.factories import NOW

KNOWN = backups.known_revisions(ROOT / "migrations")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def migrated_app(request, tmp_path):
    """An app on a database built by the migrations (a backup carries alembic_version)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'live.db'}"
    else:
        url = postgres_url_or_skip()
        reset_postgres(url)
    application = create_app(config_for(url, tmp_path / "instance"))
    with application.app_context():
        upgrade()
        factories.seed_reference(BEIJING)
        db.session.remove()
    fleet.forget_indexes()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def contents() -> dict[str, list[tuple]]:
    """Every row of every table in the database (alembic_version too), sorted."""
    names = set(inspect(db.engine).get_table_names()) - POSTGIS_TABLES
    tables = {
        name: sorted(
            (tuple(row) for row in db.session.execute(text(f'SELECT * FROM "{name}"'))), key=repr
        )
        for name in names
    }
    db.session.commit()
    return tables


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_backup_change_restore_gives_back_what_was_backed_up(migrated_app, tmp_path):
    out = tmp_path / "saved" / "hotline.backup"
    out.parent.mkdir()
    with migrated_app.app_context():
        kept = factories.order()
        before = contents()
        assert backups.backup(db.engine, out) == out
        assert mode(out) == 0o600
        assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary left

        added = factories.order(caller_phone="13900139000", now=NOW + timedelta(minutes=5))
        assert db.session.get(WorkOrder, added.id) is not None
        db.session.remove()

        assert backups.restore(db.engine, out, known=KNOWN) in KNOWN
        after = contents()
        assert after == before
        numbers = db.session.scalars(select(WorkOrder.number)).all()
        assert kept.number in numbers and added.number not in numbers
        # The restored database works as before: the history is still append-only, and new
        # rows get fresh ids (PostgreSQL's sequences came back too).
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(delete(AuditEvent))
        db.session.rollback()
        again = factories.order(now=NOW + timedelta(minutes=10))
        assert again.id > kept.id
        assert db.session.scalar(select(func.count(WorkOrder.id))) == 2


def test_a_backup_never_overwrites_a_file(migrated_app, tmp_path):
    out = tmp_path / "existing"
    out.write_text("precious")
    with migrated_app.app_context(), pytest.raises(backups.BackupFailed) as refused:
        backups.backup(db.engine, out)
    assert refused.value.code == "exists"
    assert out.read_text() == "precious"
    with migrated_app.app_context(), pytest.raises(backups.BackupFailed) as refused:
        backups.backup(db.engine, tmp_path / "no such folder" / "backup")
    assert refused.value.code == "cannot_write"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("what", ["garbage", "foreign sqlite", "unknown revision"])
def test_restore_refuses_what_is_not_a_backup_of_ours(migrated_app, tmp_path, what):
    source = tmp_path / "suspect"
    if what == "garbage":
        source.write_bytes(b"not a database at all" * 100)
    else:
        with sqlite3.connect(source) as foreign:
            foreign.execute("CREATE TABLE alembic_version (version_num TEXT)")
            if what == "unknown revision":
                foreign.execute("INSERT INTO alembic_version VALUES ('9999')")
        foreign.close()
    with migrated_app.app_context():
        factories.order()
        before = contents()
        db.session.remove()
        with pytest.raises(backups.BackupFailed):
            backups.restore(db.engine, source, known=KNOWN)
        assert contents() == before


def test_restore_refuses_a_cut_off_sqlite_backup(tmp_path):
    application = create_app(config_for(f"sqlite:///{tmp_path / 'live.db'}", tmp_path / "i"))
    with application.app_context():
        upgrade()
        factories.seed_reference(BEIJING)
        out = backups.backup(db.engine, tmp_path / "saved.sqlite3")
        with open(out, "r+b") as interrupted:  # a copy that stopped half-way
            interrupted.truncate(out.stat().st_size // 2)
        with pytest.raises(backups.BackupFailed) as refused:
            backups.restore(db.engine, out, known=KNOWN)
        assert refused.value.code in {"damaged", "not_a_backup"}
        assert db.session.scalar(text("SELECT count(*) FROM districts")) == 16
        db.session.remove()
        db.engine.dispose()


def test_nightly_rotation_keeps_the_newest(migrated_app, tmp_path):
    directory = tmp_path / "backups"
    suffix = (
        ".sqlite3"
        if migrated_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
        else ".dump"
    )
    with migrated_app.app_context():
        made = []
        for day in range(4):
            rotation = backups.rotate(
                db.engine, directory=directory, keep=2, now=NOW + timedelta(days=day)
            )
            made.append(rotation.made)
        (directory / "notes.txt").write_text("not a backup: rotation leaves it alone")
        rotation = backups.rotate(
            db.engine, directory=directory, keep=2, now=NOW + timedelta(days=9)
        )
    assert mode(directory) == 0o700
    assert rotation.made.name == backup_name(NOW + timedelta(days=9), suffix)
    assert rotation.removed == (made[2],)  # made[0] and made[1] went on days 2 and 3
    names = sorted(p.name for p in directory.iterdir())
    assert names == sorted([made[3].name, rotation.made.name, "notes.txt"])
    assert all(mode(directory / name) == 0o600 for name in names if name != "notes.txt")


def test_backup_and_restore_commands(app, tmp_path):
    out = tmp_path / "cli.sqlite3"
    with app.app_context():  # the app's database is stamped with the newest revision
        first = factories.order()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["hotline", "backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Backup written" in result.output
    with app.app_context():
        exports = db.session.scalars(
            select(SecurityEvent.detail).where(SecurityEvent.kind == "personal_data_export")
        ).all()
    assert len(exports) == 1 and exports[0].startswith("backup cli.sqlite3 ")
    again = runner.invoke(args=["hotline", "backup", "--out", str(out)])
    assert again.exit_code != 0 and "exists" in again.output
    with app.app_context():
        second = factories.order(now=NOW + timedelta(minutes=1))
    refused = runner.invoke(args=["hotline", "restore", str(out)], input="n\n")
    assert refused.exit_code != 0
    result = runner.invoke(args=["hotline", "restore", "--yes", str(out)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        numbers = set(db.session.scalars(select(WorkOrder.number)))
    assert first.number in numbers and second.number not in numbers


def test_the_backup_job_is_scheduled_nightly(app):
    from hotline.jobs import create_scheduler

    with app.app_context():
        scheduler = create_scheduler(app, blocking=False)
        assert str(scheduler.get_job("back_up_database").trigger) == "cron[hour='2', minute='30']"
