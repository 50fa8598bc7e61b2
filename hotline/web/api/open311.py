"""Open311 GeoReport v2 under /open311/v2/, in JSON and XML."""

from urllib.parse import parse_qsl, urlencode
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, json, request, url_for

from hotline.core.api.open311 import Open311Error
from hotline.core.text import clean_text
from hotline.database import utcnow
from hotline.plugins import csrf, db
from hotline.services import ratelimit
from hotline.services.accounts import credentials
from hotline.services.api import open311, open311_intake
from hotline.services.errors import NotFound
from hotline.web import observability
from hotline.web.proxy import client_key

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
csrf.exempt(bp)  # machine clients authenticate with api_key, not a browser session

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# Root and item element names of each document in the XML form.
XML_NAMES = {
    "services": ("services", "service"),
    "requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
    "tokens": ("service_requests", "request"),
}


# The element name of a list's items in the XML form.
SINGULAR = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _element(parent: ET.Element, name: str, value) -> None:
    child = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _element(child, key, item)
    elif isinstance(value, list):
        singular = SINGULAR.get(name, "item")
        for item in value:
            _element(child, singular, item)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    elif value is not None:
        # Rows stored before text was cleaned at intake may hold control characters, which
        # no XML document may contain.
        child.text = clean_text(str(value))


def _render(document, kind: str, fmt: str, status: int = 200) -> Response:
    if fmt == "xml":
        if isinstance(document, list):
            root_name, item_name = XML_NAMES[kind]
            root = ET.Element(root_name)
            for item in document:
                _element(root, item_name, item)
        else:
            root = ET.Element(kind)
            for key, value in document.items():
                _element(root, key, value)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")
        return Response(body, status, content_type=FORMATS["xml"])
    body = json.dumps(document, ensure_ascii=False)
    return Response(body, status, content_type=FORMATS["json"])


def _errors(errors: list[tuple[str, str]], status: int, fmt: str) -> Response:
    document = [{"code": code, "description": description} for code, description in errors]
    return _render(document, "errors", fmt if fmt in FORMATS else "json", status)


def _format_or_404(fmt: str) -> str:
    if fmt not in FORMATS:
        raise NotFound()
    return fmt


def _requested_format() -> str:
    return request.view_args.get("fmt", "json") if request.view_args else "json"


@bp.errorhandler(NotFound)
def _not_found(_exc):
    return _errors([("404", "not found")], 404, _requested_format())


@bp.errorhandler(Open311Error)
def _bad_request(exc: Open311Error):
    """The standard's 400: every problem found, each with its description."""
    return _errors(exc.errors, 400, _requested_format())


def _too_many(limit: int, fmt: str) -> Response:
    message = f"too many requests: at most {limit} a minute; try again shortly"
    response = _errors([("429", message)], 429, fmt)
    response.headers["Retry-After"] = "60"
    return response


@bp.before_request
def _read_limit():
    """429 when this address read too much in the last minute: the register is for looking
    things up, not for copying whole."""
    if request.method != "GET":
        return None
    limit = current_app.config["OPEN311_READ_RATE_PER_IP"]
    bucket = f"open311-read:{client_key()}"
    if ratelimit.allow(db.session, bucket=bucket, limit=limit, seconds=60, now=utcnow()):
        return None
    return _too_many(limit, _requested_format())


@bp.route("/discovery.<fmt>")
def discovery(fmt: str):
    """Where this endpoint is and what it speaks."""
    fmt = _format_or_404(fmt)
    document = {
        "changeset": "2026-11-22T00:00:00+08:00",
        "contact": "12345热线 数据接口",
        "key_service": "向热线管理员申请 api_key",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": url_for("open311.discovery", fmt=fmt, _external=True).rsplit("/", 1)[0],
                "changeset": "2026-11-22T00:00:00+08:00",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return _render(document, "discovery", fmt)


@bp.route("/services.<fmt>")
def services(fmt: str):
    """The categories, as services."""
    return _render(open311.services(db.session), "services", _format_or_404(fmt))


@bp.route("/services/<code>.<fmt>")
def service_definition(code: str, fmt: str):
    """A service's extra questions."""
    fmt = _format_or_404(fmt)
    return _render(open311.service_definition(db.session, code), "service_definition", fmt)


@bp.route("/requests/<number>.<fmt>")
def request_detail(number: str, fmt: str):
    """One request (a list of one, as the standard says)."""
    fmt = _format_or_404(fmt)
    timezone = current_app.config["TIMEZONE"]
    document = open311.get_request(db.session, number=number, timezone=timezone)
    return _render([document], "requests", fmt)


@bp.route("/tokens/<value>.<fmt>")
def token(value: str, fmt: str):
    """The request id behind a token."""
    fmt = _format_or_404(fmt)
    return _render([open311.token(db.session, value)], "tokens", fmt)


@bp.route("/requests.<fmt>", methods=["GET"])
def requests_list(fmt: str):
    """Published requests by the standard's filters, a page at a time; a full page links
    to the next one (after=<its last service_request_id>)."""
    fmt = _format_or_404(fmt)
    args = {k: v for k, v in request.args.items()}
    page = open311.list_requests(
        db.session, args=args, now=utcnow(), timezone=current_app.config["TIMEZONE"]
    )
    response = _render(page.requests, "requests", fmt)
    if page.next_after is not None:
        following = urlencode({**args, "after": page.next_after})
        response.headers["Link"] = f'<{request.base_url}?{following}>; rel="next"'
    return response


def _form() -> dict[str, str]:
    """The POST body, decoded strictly: invalid UTF-8 is an error, not replacement characters."""
    if request.mimetype == "application/x-www-form-urlencoded":
        raw = request.get_data(cache=True)
        pairs = parse_qsl(
            raw.decode("latin-1"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=200,
        )
        return dict(pairs)
    return {k: v for k, v in request.form.items()}


def _rate_limited(client_id: int, now, fmt: str) -> Response | None:
    """429 when this key or this address sent too many requests in the last minute."""
    config = current_app.config
    limits = {
        f"open311-key:{client_id}": config["OPEN311_RATE_PER_KEY"],
        f"open311-ip:{client_key()}": config["OPEN311_RATE_PER_IP"],
    }
    limit = ratelimit.exceeded(db.session, limits, 60, now)
    return None if limit is None else _too_many(limit, fmt)


@bp.route("/requests.<fmt>", methods=["POST"])
def requests_create(fmt: str):
    """Create a request: api_key, rate limits, idempotency, then the intake service."""
    fmt = _format_or_404(fmt)
    try:
        form = _form()
    except (UnicodeDecodeError, ValueError):
        return _errors([("400", "the request body is not valid UTF-8 form data")], 400, fmt)
    client = credentials.client_for_key(
        db.session, form.get("api_key") or request.args.get("api_key")
    )
    if client is None:
        return _errors([("403", "api_key is missing, wrong or revoked")], 403, fmt)
    now = utcnow()
    too_many = _rate_limited(client.id, now, fmt)
    if too_many is not None:
        return too_many
    key = (request.headers.get("Idempotency-Key") or "").strip()[:128] or None
    timezone = current_app.config["TIMEZONE"]
    created = open311_intake.create(
        db.session, client=client, form=form, idempotency_key=key, now=now, timezone=timezone
    )
    if not created.replayed:
        observability.count_intake("open311")
    document = [
        {
            "service_request_id": created.service_request_id,
            "token": created.service_request_id,
            "service_notice": created.service_notice,
            "account_id": None,
        }
    ]
    return _render(document, "requests", fmt, 200 if created.replayed else 201)
