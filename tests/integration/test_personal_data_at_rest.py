"""Callers' personal data is sealed at rest: the raw database file, its WAL and a backup hold
no phone number or name; lookups by phone still work; the data key rotates."""

import json
import os
import stat
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, text

from hotline.core import crypto
from hotline.core.accounts.roles import Role
from hotline.encryption import keyring
from hotline.models import Booking, Incident, WorkOrder
from hotline.plugins import db
from hotline.services.ems import bookings, incidents
from hotline.services.maintenance import backup as backups
from hotline.services.orders import queries
from hotline.services.privacy import keys
from tests import factories
from tests.factories import NOW, TIANANMEN

PHONE, NAME, ADDRESS = "13987654321", "王保密", "保密胡同九号"
EMS_PHONE, BOOKING_PHONE = "13711112222", "13733334444"
SECRETS = (PHONE, EMS_PHONE, BOOKING_PHONE, NAME, ADDRESS)


def _take_calls():
    """An order (with its SMS receipt), a 120 incident and a booking."""
    order = factories.order(caller_phone=PHONE, caller_name=NAME, caller_address=ADDRESS)
    dispatcher = factories.user(Role.EMS_DISPATCHER)
    call = incidents.Call(EMS_PHONE, *TIANANMEN, "胸痛", 1)
    incidents.create_incident(
        db.session, actor_id=dispatcher.id, call=call, now=NOW, timezone="Asia/Shanghai"
    )
    pickup = NOW + timedelta(hours=2)
    request = bookings.BookingRequest(BOOKING_PHONE, *TIANANMEN, pickup, note="透析")
    bookings.create_booking(db.session, actor_id=dispatcher.id, request=request, now=NOW)
    return order


def _leaks(*files: Path) -> list[tuple[str, str]]:
    """Which secrets appear in which of these files, as bytes."""
    found = []
    for path in files:
        if path.exists():
            raw = path.read_bytes()
            found += [(path.name, s) for s in SECRETS if s.encode() in raw]
    return found


def test_the_database_file_and_a_backup_hold_no_callers_phone_or_name(app, tmp_path):
    with app.app_context():
        order = _take_calls()
        database = Path(db.engine.url.database)
        # Nothing in the file, in the WAL, nor after a checkpoint moved the WAL in.
        assert _leaks(database, Path(f"{database}-wal")) == []
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        assert _leaks(database) == []
        copy = backups.backup(db.engine, tmp_path / "copy.db")
        assert _leaks(copy) == []
        # The application reads them back, and finds the order by the caller's phone.
        db.session.expire_all()
        stored = db.session.get(WorkOrder, order.id)
        assert (stored.caller_phone, stored.caller_name, stored.caller_address) == (
            PHONE,
            NAME,
            ADDRESS,
        )
        assert [o.id for o in queries.caller_history(db.session, PHONE)] == [order.id]
        assert db.session.scalar(select(Incident.caller_phone)) == EMS_PHONE
        assert db.session.scalar(select(Booking.caller_phone)) == BOOKING_PHONE


def test_instance_files_are_private(app):
    instance = Path(app.instance_path)
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    assert stat.S_IMODE((instance / "data_keys.json").stat().st_mode) == 0o600


def test_the_default_database_and_secret_are_created_private(tmp_path, monkeypatch):
    from hotline import create_app

    for name in ("DATABASE_URL", "SECRET_KEY", "HOTLINE_DATA_KEYS"):
        monkeypatch.delenv(name, raising=False)
    create_app({"INSTANCE_PATH": str(tmp_path / "inst")})
    for name in ("hotline.db", "secret_key", "data_keys.json"):
        assert stat.S_IMODE((tmp_path / "inst" / name).stat().st_mode) == 0o600, name


def test_rotating_the_data_key_reseals_everything_and_retires_the_old_key(app):
    with app.app_context():
        order = _take_calls()
        path = Path(app.config["DATA_KEY_FILE"])
        old = keyring().current
        from hotline import encryption

        encryption.install(app, keys.add_key(path, now=NOW.replace(day=21)))
        counts = keys.reseal(db.session, keyring(), now=NOW, batch=2)
        assert counts["work_orders.caller_phone"] == 1
        assert counts["notifications.recipient"] == 1  # the SMS receipt
        assert keys.keys_in_use(db.session) == {keyring().current}
        assert keys.retire_unused(path, db.session) == [old]
        assert list(json.loads(path.read_text())["keys"]) == [keyring().current]
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        raw = db.session.execute(text("SELECT caller_phone FROM work_orders")).scalar()
        assert crypto.key_id_of(raw) == keyring().current
        db.session.expire_all()
        assert db.session.get(WorkOrder, order.id).caller_phone == PHONE
        assert [o.id for o in queries.caller_history(db.session, PHONE)] == [order.id]
        # Running it again finds nothing left to do.
        assert set(keys.reseal(db.session, keyring(), now=NOW).values()) == {0}


def test_another_process_reads_a_key_added_after_it_started(app, tmp_path):
    from hotline import encryption

    with app.app_context():
        path = Path(app.config["DATA_KEY_FILE"])
        before = keyring()
        rotated = keys.add_key(path, now=NOW.replace(day=22))
        sealed = rotated.seal(PHONE, "work_orders.caller_phone")
        assert keyring() is before  # this process has not read the new file yet
        assert encryption.unseal(sealed, "work_orders.caller_phone") == PHONE
        assert keyring().current == rotated.current


def test_old_keys_are_retired_only_after_a_restart(app):
    result = app.test_cli_runner().invoke(args=["hotline", "rotate-data-key", "--retire"])
    assert result.exit_code != 0 and "restart every process" in result.output
