"""Flask plugins (db, migrate, login manager, CSRF, Babel), initialised by the app factory.

Flask calls them "extensions"; here that word means only 延期 (deadline extensions).
"""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so that Alembic migrations work the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Objects stay readable after commit: views render what they just saved without reloading
# it, and the logged-in user is not fetched again after every write.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def init_plugins(app) -> None:
    """Initialise every extension on `app` and tune the database engine."""
    from hotline import models  # noqa: F401  (registers the tables)
    from hotline.database import compare_type, include_name
    from hotline.sqlite import configure_sqlite

    db.init_app(app)
    from hotline.config import ROOT

    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        include_name=include_name,
        compare_type=compare_type,
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            configure_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
