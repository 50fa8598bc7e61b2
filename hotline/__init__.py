"""The 12345 hotline and 120 dispatch application."""

import os
from pathlib import Path

from flask import Flask

from hotline.config import ROOT, Config, from_environment


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
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'hotline.db'}"
        )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))

    from hotline import cli, web
    from hotline.plugins import init_plugins

    init_plugins(app)
    web.init_app(app)
    cli.init_app(app)
    return app


def _instance_secret(instance: Path) -> str:
    """A random secret kept in the instance folder, so sessions survive restarts."""
    import secrets

    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()
