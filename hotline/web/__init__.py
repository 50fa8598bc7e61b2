"""Feature blueprints, error pages, locale, security headers and template helpers."""

from flask import Blueprint, Flask, current_app, g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import get_locale
from werkzeug.routing import IntegerConverter

from hotline.plugins import babel, db, login_manager


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


def _languages() -> None:
    g.languages = current_app.config["LANGUAGES"]


def _load_user(identity: str):
    """The session's user while its server-side session lives (idle and absolute limits)."""
    from hotline.database import utcnow
    from hotline.services.accounts import sessions, users
    from hotline.web.accounts.auth import SESSION_TOKEN

    user = users.load_session_user(db.session, identity)
    if user is None:
        return None
    live = sessions.check(
        db.session,
        token=session.get(SESSION_TOKEN),
        user_id=user.id,
        now=utcnow(),
        idle=current_app.config["SESSION_IDLE_MINUTES"] * 60,
        absolute=current_app.config["SESSION_ABSOLUTE_HOURS"] * 3600,
    )
    if not live:
        session.clear()
        return None
    return user


class IdConverter(IntegerConverter):
    """`<int:...>` in every URL: at most a database id (a 32-bit integer), so that a huge
    number is a 404 rather than a database error."""

    def __init__(self, url_map, fixed_digits: int = 0, min=None, max=None, signed=False):
        from hotline.web.helpers import MAX_ID

        super().__init__(url_map, fixed_digits, min, MAX_ID if max is None else max, signed)


def blueprints() -> list[Blueprint]:
    """Every capability's blueprint, in registration order."""
    from hotline.web import admin, api, ems, hotspots, maps
    from hotline.web.accounts import auth
    from hotline.web.api import open311
    from hotline.web.deadlines import notices  # noqa: F401 - its routes are on `deadlines`
    from hotline.web.deadlines import pages as deadlines
    from hotline.web.kb import editor as kb_editor
    from hotline.web.kb import pages as kb
    from hotline.web.kb import public as kb_public  # noqa: F401 - its routes are on `public`
    from hotline.web.kb import stats as kb_stats
    from hotline.web.notifications import inbox
    from hotline.web.orders import intake, public
    from hotline.web.orders import pages as orders
    from hotline.web.places import api as places_api  # noqa: F401 - its route is on `api`
    from hotline.web.places import pages as places
    from hotline.web.reports import files, kpi, wallboard
    from hotline.web.surveys import pages as surveys
    from hotline.web.telephony import calls, phone, sip

    modules = (auth, intake, orders, deadlines, admin, maps, open311, api, public, surveys, places)
    figures = (kpi, inbox, ems, files, kb, kb_editor, kb_stats, wallboard, hotspots)
    line = (sip, phone, calls)
    return [m.bp for m in (*modules, *figures, *line)]


def init_app(app: Flask) -> None:
    """Register everything the web layer needs on `app`."""
    from hotline.web import errors, headers, helpers, maps, observability, proxy, static_files
    from hotline.web.accounts import gate

    gate.install(app)  # inside ProxyFix: it sees the client's address
    proxy.install(app)  # behind trusted proxies, remote_addr is the client, not the proxy
    app.session_interface = _SessionInterface()
    babel.init_app(app, locale_selector=_select_locale)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)
    app.before_request(_languages)
    headers.init_app(app)  # CSP with a per-request nonce, HSTS over HTTPS
    observability.init_app(app)  # request ids, figures, /healthz, /readyz, /metrics
    static_files.install(app)  # ?v=<hash> on static URLs: long browser caching is safe
    maps.install_basemap(app)  # the maps' base layer: polygons, a tile file or an intranet service
    app.jinja_env.globals["get_locale"] = get_locale
    helpers.init_app(app)
    app.url_map.converters["int"] = IdConverter  # before the rules are added
    for blueprint in blueprints():
        app.register_blueprint(blueprint)
    errors.init_app(app)
