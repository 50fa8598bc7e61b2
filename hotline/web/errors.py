"""Error pages: clear messages, JSON for API callers, never a stack trace."""

from urllib.parse import urlsplit

from flask import Flask, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from hotline.labels import error_text
from hotline.plugins import db
from hotline.services.errors import (
    Conflict,
    Forbidden,
    NotFound,
    ServiceError,
    ValidationFailed,
)
from hotline.web import observability
from hotline.web.helpers import local_path

# A service's refusal as an HTTP status; anything else a service refuses is bad input.
STATUS = {NotFound: 404, Forbidden: 403, Conflict: 409, ValidationFailed: 422}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _open311(code: int, description: str):
    """Open311's error document: a list of {code, description}, code as a string."""
    return jsonify([{"code": str(code), "description": description}]), code


def returns_to(endpoint: str):
    """On a service's refusal, flash the reason and redirect to `endpoint` (same URL values)."""

    def decorator(view):
        view.error_endpoint = endpoint  # copied onto the outer wrappers by functools.wraps
        return view

    return decorator


def status_of(error: ServiceError) -> int:
    """The HTTP status for a service error."""
    return next((code for kind, code in STATUS.items() if isinstance(error, kind)), 422)


def messages_of(error: ServiceError) -> dict[str, str]:
    """The refusal as translated messages, by field ("" for the whole action)."""
    if isinstance(error, ValidationFailed):
        return {field: error_text(code) for field, code in error.errors.items()}
    return {"": error_text(error.code)}


def _back_url() -> str:
    """Where a refused form goes back to: the view's named page, else the page it came from."""
    view = current_app.view_functions.get(request.endpoint)
    endpoint = getattr(view, "error_endpoint", None)
    if endpoint:
        rule = next(current_app.url_map.iter_rules(endpoint))
        values = {k: v for k, v in (request.view_args or {}).items() if k in rule.arguments}
        return url_for(endpoint, **values)
    referrer = urlsplit(request.referrer or "")
    back = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    if referrer.netloc == request.host and local_path(back):
        return back
    return url_for("auth.home")


def _service_error(error: ServiceError):
    """Every view's service errors, answered once: JSON for API callers, else a page."""
    db.session.rollback()
    status, messages = status_of(error), messages_of(error)
    if request.path.startswith("/open311/"):
        return _open311(status, "; ".join(messages.values()))
    if _wants_json():
        description = "; ".join(messages.values())
        # The codes by field too: a program (a linked centre, a terminal) acts on codes.
        codes = error.errors if isinstance(error, ValidationFailed) else {}
        answer = jsonify(error=error.code, description=description, errors=messages, codes=codes)
        return answer, status
    if status in (403, 404) or request.method == "GET":
        return render_template("error.html", code=status, messages=messages), status
    for message in messages.values():
        flash(message, "error")
    return redirect(_back_url()), 303


def init_app(app: Flask) -> None:
    """Register the handlers."""

    app.register_error_handler(ServiceError, _service_error)

    @app.errorhandler(CSRFError)
    def _csrf(error):
        if _wants_json():
            return jsonify(error="csrf", description=error.description), 400
        return render_template("error.html", code=400, csrf=True), 400

    @app.errorhandler(HTTPException)
    def _http(error):
        if request.path.startswith("/open311/"):
            return _open311(error.code, error.description)
        if _wants_json():
            return jsonify(error=error.name, description=error.description), error.code
        return render_template("error.html", code=error.code), error.code

    @app.errorhandler(Exception)
    def _unexpected(error):
        app.logger.exception("unhandled error")
        db.session.rollback()
        observability.record_failure(error)
        if request.path.startswith("/open311/"):
            return _open311(500, "internal error; nothing was saved")
        if _wants_json():
            return jsonify(error="internal"), 500
        return render_template("error.html", code=500), 500
