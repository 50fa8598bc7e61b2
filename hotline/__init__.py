"""The 12345 hotline and 120 dispatch application."""

import contextlib
import os
from pathlib import Path

from flask import Flask

from hotline.config import ROOT, Config, from_environment
from hotline.database import engine_options


def create_app(config: type | dict | None = None) -> Flask:
    """Build the app: config, plugins, blueprints, CLI, error handlers."""
    overrides = config if isinstance(config, dict) else {}
    instance = overrides.get("INSTANCE_PATH") or os.environ.get("HOTLINE_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=str(instance or ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
    )
    app.config.from_object(Config)
    app.config.update(from_environment())
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    # The instance folder holds the database, the secret and the data keys: owner only.
    Path(app.instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        database = Path(app.instance_path) / "hotline.db"
        _create_private(database)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    if not app.config.get("DATA_KEY_FILE"):
        app.config["DATA_KEY_FILE"] = Path(app.instance_path) / "data_keys.json"

    from hotline import cli, encryption, web
    from hotline.core.kb import text as kb_text
    from hotline.plugins import init_plugins

    kb_text.configure(Path(app.instance_path) / "cache")  # jieba's dictionary cache

    encryption.install(app, encryption.load_keyring(app.config))
    init_plugins(app)
    web.init_app(app)
    cli.init_app(app)
    return app


def _instance_secret(instance: Path) -> str:
    """A random secret kept in the instance folder, so sessions survive restarts."""
    import secrets

    from hotline.encryption import write_private

    path = instance / "secret_key"
    if not path.exists():
        write_private(path, secrets.token_hex(32), replace=False)
    return path.read_text(encoding="utf-8").strip()


def _create_private(path: Path) -> None:
    """Create an empty SQLite file readable by its owner only (SQLite gives its WAL and
    shared-memory files the same mode); an existing file is left as it is."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
