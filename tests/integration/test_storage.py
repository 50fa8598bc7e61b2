"""The database keeps its promises: append-only audit, migrations = models, concurrent intake."""

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from hotline import create_app
from hotline.core.accounts.security import SecurityKind
from hotline.core.orders.intake import parse_intake
from hotline.database import compare_type, include_name
from hotline.models import AuditEvent, SecurityEvent, WorkOrder
from hotline.plugins import db
from hotline.services.accounts import security_log
from hotline.services.orders import intake
from tests import factories
from tests.conftest import config_for, postgres_url_or_skip, reset_postgres


def test_the_database_refuses_to_change_the_audit_trail(any_app):
    with any_app.app_context():
        factories.order()
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(update(AuditEvent).values(note="rewritten"))
        db.session.rollback()
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(delete(AuditEvent))
        db.session.rollback()
        assert db.session.scalar(select(func.count(AuditEvent.id))) == 1


def test_the_database_refuses_to_change_the_security_log(any_app):
    with any_app.app_context():
        security_log.record_alone(db.session, SecurityKind.LOGIN, now=factories.NOW)
        for statement in (update(SecurityEvent).values(kind="logout"), delete(SecurityEvent)):
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(statement)
            db.session.rollback()
        assert db.session.scalar(select(func.count(SecurityEvent.id))) == 1


def test_sqlite_connections_are_tuned(app):
    with app.app_context():
        pragmas = {
            name: db.session.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
        }
    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "synchronous": 2,
        "busy_timeout": 15000,
    }


def _migrated_app(url: str, instance):
    return create_app(config_for(url, instance))


def _assert_migrations_match_models(app):
    with app.app_context():
        try:
            upgrade()
            with db.engine.connect() as conn:
                options = {"compare_type": compare_type, "include_name": include_name}
                diff = compare_metadata(MigrationContext.configure(conn, opts=options), db.metadata)
            assert diff == []
            triggers = {
                "sqlite": "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'",
                "postgresql": "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal",
            }[db.engine.dialect.name]
            assert db.session.execute(text(triggers)).scalar() >= 2
        finally:
            db.session.remove()
            db.engine.dispose()


def test_migrations_produce_the_models_schema_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    _assert_migrations_match_models(_migrated_app(url, tmp_path))


@pytest.mark.postgres
def test_migrations_produce_the_models_schema_on_postgres(tmp_path):
    url = postgres_url_or_skip()
    reset_postgres(url)  # every table of ours, alembic_version too
    _assert_migrations_match_models(_migrated_app(url, tmp_path))
    reset_postgres(url)


def test_twenty_concurrent_intakes_get_twenty_distinct_numbers(any_app):
    barrier = threading.Barrier(20)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def take_call(i: int) -> None:
        try:
            with any_app.app_context():
                request = parse_intake(factories.call_form(description=f"并发来电 {i}"))
                barrier.wait()
                result = intake.register_call(
                    db.session,
                    request=request,
                    actor_id=None,
                    now=factories.NOW,
                    timezone="Asia/Shanghai",
                )
                numbers.append(result.number)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=take_call, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(numbers)) == 20
    with any_app.app_context():
        assert db.session.scalar(select(func.count(WorkOrder.id))) == 20
        assert db.session.scalar(select(func.count(AuditEvent.id))) == 20


def test_settings_come_from_the_environment_when_the_app_is_created(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("OPEN311_RATE_PER_KEY", "7")
    monkeypatch.setenv("HOTLINE_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.db")
    assert app.config["OPEN311_RATE_PER_KEY"] == 7
    assert app.instance_path == str(tmp_path / "instance")
    with app.app_context():
        db.engine.dispose()
