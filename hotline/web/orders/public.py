"""Pages anyone can open: the status lookup (投诉处理结果查询) and the web mailbox (市长信箱)."""

import secrets

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

from hotline.core.orders.intake import IntakeValidationError
from hotline.database import utcnow
from hotline.labels import error_text
from hotline.plugins import db
from hotline.services import ratelimit
from hotline.services.orders import public
from hotline.services.units import directory
from hotline.web import observability
from hotline.web.orders.forms import MailboxForm, StatusLookupForm
from hotline.web.proxy import client_key

bp = Blueprint("public", __name__, url_prefix="/public")
MIN_FILL_SECONDS = 3  # people take longer than this to write a letter; scripts do not
MAX_FILL_SECONDS = 2 * 3600


def _limited(bucket: str, limit: int, seconds: int) -> bool:
    return not ratelimit.allow(
        db.session, bucket=bucket, limit=limit, seconds=seconds, now=utcnow()
    )


@bp.route("/status", methods=["GET", "POST"])
def status():
    """Order number + the last four digits of the caller's phone → status and public reply."""
    result, message, code = None, None, 200
    if request.method == "POST":
        form = StatusLookupForm()
        number = form.number.data.strip()[:20]
        config = current_app.config
        if _limited(f"status:{client_key()}", config["STATUS_LOOKUP_RATE_PER_IP"], 600):
            message, code = _("Too many lookups from your address. Please try again later."), 429
        # Ten thousand endings, so one order's digits must not be guessed from many addresses:
        # every number counts its tries, whether it exists or not (that tells nothing).
        elif _limited(f"status-number:{number}", config["STATUS_LOOKUP_RATE_PER_NUMBER"], 3600):
            message = _("Too many lookups for this order number. Please try again in an hour.")
            code = 429
        else:
            result = public.lookup(db.session, number=number, last_four=form.last_four.data)
            if result is None:
                message = _("No order matches this number and these digits.")
    return render_template("orders/public_status.html", result=result, message=message), code


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt="mailbox-form")


def _mailbox_form(form: dict, errors: dict, code: int = 200):
    districts = directory.districts(db.session)
    # A fresh nonce in every form: the token is good for one letter (`_abuse`).
    token = _signer().sign(secrets.token_urlsafe(16).encode()).decode()
    return render_template(
        "orders/public_mailbox.html",
        form=form,
        errors=errors,
        districts=districts,
        form_token=token,
    ), code


@bp.route("/mailbox", methods=["GET"])
def mailbox():
    """The mayor's mailbox: a letter to the hotline."""
    return _mailbox_form({"order_type": "complaint"}, {})


@bp.route("/mailbox", methods=["POST"])
def mailbox_submit():
    """Checks against abuse that work offline, then the letter becomes an order."""
    posted = MailboxForm()
    letter = posted.typed()
    refusal = _abuse(posted)
    if refusal is not None:
        message, code = refusal
        return _mailbox_form(letter, {"form": message}, code)
    try:
        number = public.submit_letter(
            db.session, form=letter, now=utcnow(), timezone=current_app.config["TIMEZONE"]
        )
    except IntakeValidationError as exc:
        # Shown again with what the citizen wrote: not left to the app's handler.
        return _mailbox_form(letter, {k: error_text(v) for k, v in exc.errors.items()}, 422)
    observability.count_intake("mailbox")
    return render_template("orders/public_mailbox_done.html", number=number)


def _abuse(posted: MailboxForm) -> tuple[str, int] | None:
    """Why a posted letter looks like abuse (the message and the status), or None."""
    if posted.website.data:  # a field people never see; robots fill it in
        return _("The letter could not be accepted."), 400
    try:
        nonce, issued = _signer().unsign(
            posted.form_token.data, max_age=MAX_FILL_SECONDS, return_timestamp=True
        )
    except (SignatureExpired, BadSignature):
        return _("The form expired. Please send it again."), 400
    if (utcnow() - issued).total_seconds() < MIN_FILL_SECONDS:
        return _("Please take a moment and send it again."), 400
    limit = current_app.config["MAILBOX_RATE_PER_IP"]
    if _limited(f"mailbox:{client_key()}", limit, 3600):
        return _("Too many letters from your address. Please try again later."), 429
    # Last: only a letter that passed every other check uses its token up.
    key = f"mailbox:{nonce.decode()}"
    if not ratelimit.first_use(db.session, key=key, issued=issued):
        return _("This form was already sent. Your letter was received once."), 409
    return None
