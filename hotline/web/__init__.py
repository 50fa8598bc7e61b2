"""Feature blueprints, error pages, locale, security headers and template helpers."""

from flask import Flask, g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import get_locale
from flask_login import current_user

from hotline.extensions import babel, db, login_manager


class _SessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def _select_locale() -> str:
    """The user's chosen language; Chinese outside a request (commands, scheduled jobs)."""
    if not has_request_context():
        return "zh"
    languages = g.get("languages") or ("zh", "en")
    chosen = session.get("lang")
    return chosen if chosen in languages else "zh"


def init_app(app: Flask) -> None:
    """Register everything the web layer needs on `app`."""
    from hotline.services.accounts import users
    from hotline.web import admin, api, errors, helpers, maps
    from hotline.web.accounts import auth
    from hotline.web.api import open311
    from hotline.web.deadlines import pages as deadlines
    from hotline.web.ems import bp as ems
    from hotline.web.notifications import inbox
    from hotline.web.orders import intake, public
    from hotline.web.orders import pages as orders
    from hotline.web.reports import files, kpi
    from hotline.web.surveys import pages as surveys

    app.session_interface = _SessionInterface()
    babel.init_app(app, locale_selector=_select_locale)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load_user(identity: str):
        return users.load_session_user(db.session, identity)

    @app.before_request
    def _languages() -> None:
        g.languages = app.config["LANGUAGES"]

    @app.after_request
    def _security_headers(response):
        # Nothing may come from outside this server: the map and pages work offline.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; "
            "base-uri 'self'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if current_user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.jinja_env.globals["get_locale"] = get_locale
    helpers.init_app(app)
    for blueprint in (
        auth.bp,
        intake.bp,
        orders.bp,
        deadlines.bp,
        admin.bp,
        maps.bp,
        open311.bp,
        api.bp,
        public.bp,
        surveys.bp,
        kpi.bp,
        inbox.bp,
        ems,
        files.bp,
    ):
        app.register_blueprint(blueprint)
    errors.init_app(app)
