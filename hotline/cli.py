"""Flask commands: `flask --app wsgi hotline ...`."""

import getpass
import json
import logging
import os
import signal
import threading
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from werkzeug.serving import WSGIRequestHandler, run_simple

from hotline.config import ROOT
from hotline.core.accounts.roles import Role
from hotline.core.reports.periods import Period, PeriodKind
from hotline.core.telephony.line import LineSettings
from hotline.database import utcnow
from hotline.labels import error_text
from hotline.plugins import db
from hotline.services.accounts import users as accounts
from hotline.services.deadlines import escalation
from hotline.services.errors import ServiceError
from hotline.services.maintenance import backup as backups
from hotline.services.maintenance import retention as data_retention
from hotline.services.reports import files as report_files
from hotline.services.reports import scope as report_scope
from hotline.web.accounts.context import password_policy

group = AppGroup("hotline", help="Hotline administration commands.")


@group.command("seed-demo")
@click.option("--orders", "order_count", default=400, show_default=True)
def seed_demo(order_count: int) -> None:
    """Load Beijing demo data (idempotent) and print the demo logins."""
    # Imported here, not at the top: the demo pulls in geopandas, which a serving worker
    # never needs (it made each worker's start, and so a restart after a crash, seconds
    # slower).
    from hotline.demo import desks as demo_desks
    from hotline.demo import ems as demo_ems
    from hotline.demo import kb as demo_kb
    from hotline.demo import orders as demo_orders
    from hotline.demo import seed as demo

    now = utcnow()
    boundaries = Path(current_app.config["GIS_DATA_DIR"]) / "beijing_districts.geojson"
    districts, departments, categories = demo.seed_reference_data(db.session, boundaries)
    credentials_file = Path(current_app.instance_path) / "demo-credentials.json"
    logins = demo.seed_users(
        db.session, credentials_file, current_app.config["PASSWORD_HASH_METHOD"], now
    )
    saved = {}
    if credentials_file.exists():
        saved = json.loads(credentials_file.read_text(encoding="utf-8"))
    api_key = demo.seed_api_client(db.session, saved.get("open311_api_key"), now)
    phones = demo.seed_phones(
        db.session, saved.get("sip", {}), current_app.config["TELEPHONY_REALM"], now
    )
    timezone = current_app.config["TIMEZONE"]
    orders = demo_orders.seed_orders(db.session, order_count, now, timezone)
    stations, vehicles, hospitals = demo_ems.seed_ems(db.session, now, timezone)
    desks = demo_desks.seed_desks(db.session, saved.get("ems_desks", {}), now)
    credentials_file.write_text(
        json.dumps(
            {
                "users": logins,
                "open311_client": demo.DEMO_CLIENT,
                "open311_api_key": api_key,
                "sip": phones,
                "ems_desks": desks,
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    os.chmod(credentials_file, 0o600)
    incidents = demo_ems.seed_incidents(db.session, 40, now, timezone)
    kb_articles, kb_synonyms = demo_kb.seed_kb(db.session, now)
    places = demo.seed_places(db.session, now)
    click.echo(
        f"Demo data: +{districts} districts, +{departments} departments, "
        f"+{categories} categories, +{orders} synthetic orders; synthetic 120 data: "
        f"+{stations} stations, +{vehicles} ambulances, +{hospitals} hospitals, "
        f"+{incidents} past incidents; knowledge base: +{kb_articles} demonstration "
        f"articles (published), {kb_synonyms} synonym groups; gazetteer: {places} "
        f"demonstration places."
    )
    click.echo(f"Demo logins (also in {credentials_file}):")
    for username, _display, role in demo.DEMO_USERS:
        click.echo(f"  {role.value:<15} {username:<11} {logins[username]}")
    click.echo(f"Open311 api_key of the {demo.DEMO_CLIENT} client: {api_key}")
    click.echo(
        "Phone extensions (SIP user / password, realm "
        + current_app.config["TELEPHONY_REALM"]
        + "):"
    )
    for username, phone in phones.items():
        click.echo(f"  {username:<11} {phone['extension']} {phone['password']}")
    if desks:
        terminal = desks["terminal"]
        click.echo(
            f"Crew terminal (/ems/terminal) of ambulance {terminal['call_sign']}: vehicle "
            f"{terminal['vehicle_id']}, token {terminal['token']}"
        )
        click.echo(f"API token of the linked centre link110: {desks['link110']}")


@group.command("kb-import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="Publish the articles at once (as the system).")
def kb_import(path: Path, publish: bool) -> None:
    """Import knowledge-base articles from a CSV (UTF-8) or XLSX file: all rows or none."""
    from hotline.services.kb import importing

    try:
        result = importing.import_file(
            db.session,
            path.read_bytes(),
            path.name,
            now=utcnow(),
            publish=publish,
            by=f"{getpass.getuser()} at the console",
        )
    except importing.ImportFailed as exc:
        for line, column, code in exc.problems:
            click.echo(f"line {line}: {column or '-'}: {error_text(code)}", err=True)
        raise click.ClickException(
            f"{path.name}: nothing imported ({len(exc.problems)} problems)"
        ) from exc
    state = "published by the system" if publish else "drafts"
    click.echo(f"{path.name}: {len(result.created)} articles imported ({state}).")


@group.command("import-places")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_places(path: Path) -> None:
    """Import named places from a CSV (UTF-8) or GeoJSON file: all rows or none."""
    from hotline.core.places.importing import ImportFailed
    from hotline.services.places import gazetteer
    from hotline.web.places.pages import error_text as place_error

    try:
        result = gazetteer.import_file(db.session, path.read_bytes(), path.name, now=utcnow())
    except ImportFailed as exc:
        raise click.ClickException(f"{path.name}: {place_error(exc.code)}") from exc
    if result.problems:
        for problem in result.problems:
            click.echo(
                f"line {problem.line}: {problem.column}: {place_error(problem.code)}", err=True
            )
        raise click.ClickException(
            f"{path.name}: nothing imported ({len(result.problems)} problems)"
        )
    click.echo(f"{path.name}: {result.added} places added, {result.updated} updated.")


@group.command("report")
@click.option("--from", "start", required=True, help="First local day, YYYY-MM-DD.")
@click.option("--to", "end", required=True, help="Last local day, YYYY-MM-DD.")
@click.option("--district", "district_code", default=None, help="A district's code.")
@click.option("--department", "department_id", type=int, default=None)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def report(
    start: str, end: str, district_code: str | None, department_id: int | None, out: Path
) -> None:
    """A statistics report (PDF, Chinese) for a date range, optionally for a district or a
    department: the same file as the download on the reports page."""
    try:
        period = Period(PeriodKind.RANGE, date.fromisoformat(start), date.fromisoformat(end))
    except ValueError as exc:
        raise click.BadParameter(f"use YYYY-MM-DD, the end not before the start ({exc})") from exc
    scoped = report_scope.named_scope(
        db.session, department_id=department_id, district_code=district_code
    )
    timezone = current_app.config["TIMEZONE"]
    data, content = report_files.pdf(
        db.session,
        period=period,
        timezone=timezone,
        scoped=scoped,
        now=utcnow(),
        line=LineSettings.from_config(current_app.config),
    )
    out.write_bytes(content)
    click.echo(f"{out}: {data.volume.total} orders, {data.ems.incidents} incidents")


@group.command("import-gis")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--code-field", default="code", show_default=True)
@click.option("--name-field", default="name", show_default=True)
@click.option(
    "--level",
    type=click.Choice(["district", "street"]),
    default="district",
    show_default=True,
    help="street: boundaries of the 街乡镇 units, by their official code.",
)
def import_gis(path: Path, code_field: str, name_field: str, level: str) -> None:
    """Load jurisdiction boundaries (GeoJSON, Shapefile, ...), reprojected to WGS84."""
    from hotline.services.units import boundaries as gis_import  # geopandas: only here

    try:
        if level == "street":
            summary = gis_import.import_street_boundaries(db.session, path, code_field)
        else:
            summary = gis_import.import_boundaries(db.session, path, code_field, name_field)
    except ServiceError as exc:
        raise click.ClickException(f"{exc.code}: {exc.detail}") from exc
    if level == "street":
        click.echo(f"街乡镇 boundaries: {summary.updated} set.")
        if summary.unknown:
            click.echo(f"No 街乡镇 unit with the codes: {', '.join(summary.unknown)}", err=True)
    else:
        click.echo(f"Districts: {summary.added} added, {summary.updated} updated.")


@group.command("seed-streets")
@click.option(
    "--gis-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="The folder with beijing_streets.csv (default: GIS_DATA_DIR).",
)
def seed_streets(gis_dir: Path | None) -> None:
    """Add the 街乡镇 (official codes) as handling units under their districts; idempotent."""
    from hotline.services.units import divisions, organisation

    folder = gis_dir or Path(current_app.config["GIS_DATA_DIR"])
    summary = organisation.seed_streets(db.session, divisions.load_divisions(folder)[1])
    click.echo(f"街乡镇: {summary.added} added, {summary.updated} renamed.")


@group.command("create-user")
@click.option("--username", prompt=True)
@click.option(
    "--role",
    prompt=True,
    default=Role.SYSTEM_ADMIN.value,
    show_default=True,
    type=click.Choice([r.value for r in Role]),
    help="The three administrators are system_admin, security_admin and audit_admin.",
)
@click.option("--display-name", default="")
@click.option("--department-id", type=int, default=None)
@click.password_option()
def create_user(
    username: str, role: str, display_name: str, department_id: int | None, password: str
) -> None:
    """Create an account with its role (there is no default administrator)."""
    try:
        accounts.create_user(
            db.session,
            username=username,
            display_name=display_name,
            role=role,
            password=password,
            hash_method=current_app.config["PASSWORD_HASH_METHOD"],
            now=utcnow(),
            department_id=department_id,
            policy=password_policy(),
        )
    except ServiceError as exc:
        raise click.ClickException(f"{exc.code}: {exc.detail}") from exc
    click.echo(f"Created {role} account {username}.")


@group.command("reset-password")
@click.option("--username", prompt=True)
@click.password_option()
def reset_password(username: str, password: str) -> None:
    """Set an account's password (administrators' too); it must be changed at next login."""
    try:
        accounts.reset_password_at_console(
            db.session,
            username=username,
            password=password,
            hash_method=current_app.config["PASSWORD_HASH_METHOD"],
            now=utcnow(),
            policy=password_policy(),
        )
    except ServiceError as exc:
        raise click.ClickException(f"{exc.code}: {exc.detail}") from exc
    click.echo(f"New password set for {username}; it must be changed at the next login.")


@group.command("sweep")
@click.option("--now", "now_text", default=None, help="ISO 8601 time to sweep as of.")
def sweep(now_text: str | None) -> None:
    """Run one deadline sweep by hand and print what it changed."""
    now = utcnow()
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError as exc:
            raise click.BadParameter("use ISO 8601, e.g. 2026-11-25T09:00:00+08:00") from exc
        if now.tzinfo is None:
            now = now.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))
    moved = escalation.sweep(db.session, now)
    for item in moved:
        click.echo(f"{item.number}: {item.from_level.name.lower()} -> {item.to_level.name.lower()}")
    click.echo(f"{len(moved)} orders escalated.")


@group.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def backup(out: Path) -> None:
    """Back up the whole database into a new file (mode 0600; never overwrites one)."""
    try:
        made = backups.backup(db.engine, out, pg_bin_dir=current_app.config["POSTGRES_BIN_DIR"])
    except ServiceError as exc:
        raise click.ClickException(f"{exc.code}: {exc.detail}") from exc
    backups.log_export(db.session, made, now=utcnow())
    click.echo(f"Backup written: {made} ({made.stat().st_size:,} bytes).")


@group.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.confirmation_option(
    prompt="This replaces everything in the database with the backup. Continue?"
)
def restore(source: Path) -> None:
    """Replace the database with a backup (stop the app and the scheduler first)."""
    db.session.remove()  # the command's own session must not hold the database
    try:
        revision = backups.restore(
            db.engine,
            source,
            known=backups.known_revisions(ROOT / "migrations"),
            pg_bin_dir=current_app.config["POSTGRES_BIN_DIR"],
        )
    except ServiceError as exc:
        raise click.ClickException(f"{exc.code}: {exc.detail}") from exc
    click.echo(f"Restored {source} (schema revision {revision}).")
    click.echo(
        "Run `flask --app wsgi db upgrade` if this code is newer, then restart the "
        "application and the scheduler (they cache what the database held)."
    )


@group.command("retention")
@click.option("--dry-run", is_flag=True, help="Only count what would change.")
@click.option("--full", is_flag=True, help="Read every old row, not only those since the last run.")
def retention(dry_run: bool, full: bool) -> None:
    """Anonymise callers' data on old closed orders and 120 records; delete old delivered
    notifications and vehicle positions. The audit trails are kept."""
    try:
        periods = data_retention.periods(current_app.config)
    except ValueError as exc:
        raise click.ClickException(f"retention settings: {exc}") from exc
    run = data_retention.preview if dry_run else data_retention.apply
    counts = run(db.session, periods=periods, now=utcnow(), full=full)
    days = (periods.caller_data_days, periods.notifications_days, periods.positions_days)
    for count, what in (
        (counts.orders, f"orders anonymised (closed over {days[0]} days ago)"),
        (counts.incidents, f"120 incidents anonymised (over {days[0]} days ago)"),
        (counts.bookings, f"120 bookings anonymised (over {days[0]} days ago)"),
        (counts.notifications, f"notifications deleted (delivered over {days[1]} days ago)"),
        (counts.positions, f"vehicle positions deleted (over {days[2]} days old)"),
    ):
        click.echo(f"{count:>10,} {what}")
    if dry_run:
        click.echo("Dry run: nothing was changed; the counts are what a run would change.")


@group.command("rotate-data-key")
@click.option("--reseal-only", is_flag=True, help="Keys set elsewhere: only re-seal.")
@click.option(
    "--retire",
    is_flag=True,
    help="With --reseal-only, after every process was restarted: drop unused keys.",
)
@click.option("--batch", default=1000, show_default=True)
def rotate_data_key(reseal_only: bool, retire: bool, batch: int) -> None:
    """A new data key, then every caller's sealed data re-sealed with it, batch by batch."""
    from hotline import encryption
    from hotline.services.privacy import keys

    path = Path(current_app.config["DATA_KEY_FILE"])
    from_file = not current_app.config.get("DATA_KEYS")
    if retire and not reseal_only:
        # Running processes still seal with the old key until they restart: retiring it
        # now would make what they write meanwhile unreadable.
        raise click.ClickException(
            "rotate first, restart every process, then run --reseal-only --retire"
        )
    if not reseal_only:
        if not from_file:
            raise click.ClickException(
                "the keys come from HOTLINE_DATA_KEYS: add the new key there, make it "
                "current, restart, then run this command with --reseal-only"
            )
        encryption.install(current_app, keys.add_key(path, now=utcnow()))
    ring = encryption.keyring()
    counts = keys.reseal(db.session, ring, now=utcnow(), batch=batch)
    click.echo(f"current key {ring.current}; re-sealed: {counts}")
    if retire and from_file:
        click.echo(f"retired keys: {keys.retire_unused(path, db.session) or 'none'}")
    click.echo("Restart the application so that every process reads the new key file.")


@group.command("compact")
def compact() -> None:
    """SQLite: checkpoint and truncate the WAL and VACUUM, so no free page keeps old data."""
    if db.engine.dialect.name != "sqlite":
        raise click.ClickException("only SQLite needs this (PostgreSQL: VACUUM FULL)")
    # The driver's own connection: VACUUM cannot run inside the transaction SQLAlchemy begins.
    connection = db.engine.raw_connection()
    try:
        checkpoint = "PRAGMA wal_checkpoint(TRUNCATE)"
        for statement in (checkpoint, "VACUUM", checkpoint):
            connection.driver_connection.execute(statement)
    finally:
        connection.close()
    click.echo("compacted")


@group.command("scheduler")
def scheduler() -> None:
    """Run the scheduler in the foreground: one per host, exactly one of them leads."""
    from hotline import logs
    from hotline.jobs import lead_when_possible

    if os.environ.get("HOTLINE_LOG_FORMAT", "").lower() == "json":
        logs.configure(os.environ.get("HOTLINE_LOG_LEVEL", "INFO").upper())
    else:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo("Scheduler running; it leads when no other process does. Ctrl-C stops it.")
    lead_when_possible(current_app._get_current_object(), stop)


class PathOnlyLog(WSGIRequestHandler):
    """Logs each request without its query string: a search by phone carries the number."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = self.path.split("?", 1)[0]
        self.log("info", '"%s %s" %s %s', self.command, path, code, size)


@group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def serve(host: str, port: int) -> None:
    """Development server in one process, with the scheduler inside it (never twice)."""
    from hotline.jobs import lead_when_possible

    app = current_app._get_current_object()
    stop = threading.Event()
    threading.Thread(target=lead_when_possible, args=(app, stop), daemon=True).start()
    click.echo(f"Serving on http://{host}:{port} with the scheduler in this process.")
    try:
        # werkzeug directly: Flask ignores app.run() inside a `flask` command.
        run_simple(host, port, app, use_reloader=False, threaded=True, request_handler=PathOnlyLog)
    finally:
        stop.set()


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(group)
