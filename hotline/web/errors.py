"""Error pages: clear messages, JSON for API callers, never a stack trace."""

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from hotline.extensions import db


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _open311(code: int, description: str):
    """Open311's error document: a list of {code, description}, code as a string."""
    return jsonify([{"code": str(code), "description": description}]), code


def init_app(app: Flask) -> None:
    """Register the handlers."""

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
        if request.path.startswith("/open311/"):
            return _open311(500, "internal error; nothing was saved")
        if _wants_json():
            return jsonify(error="internal"), 500
        return render_template("error.html", code=500), 500
