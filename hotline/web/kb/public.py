"""/public/kb: citizens search and read the public knowledge base without logging in.
Only published articles marked public and valid today, with the operators' ranking
(`services.kb.search` with public_only); no internal field (no author, no versions, no
department, no source, no keywords). Rate-limited per client address, like the status
lookup. Its routes are on the public pages' blueprint (`web/orders/public.py`, /public):
pages anyone may open, in one place."""

from flask import current_app, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup

from hotline.core.kb import markdown
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services import ratelimit
from hotline.services.kb import pages, search
from hotline.web.kb.pages import today
from hotline.web.orders.public import bp
from hotline.web.proxy import client_key

RESULTS = 10
WINDOW_SECONDS = 600


def _limited() -> bool:
    limit = current_app.config.get("PUBLIC_KB_RATE_PER_IP", 120)
    return not ratelimit.allow(
        db.session,
        bucket=f"public-kb:{client_key()}",
        limit=limit,
        seconds=WINDOW_SECONDS,
        now=utcnow(),
    )


def _too_many():
    message = _("Too many requests from your address. Please try again later.")
    return render_template("kb/public_index.html", query="", hits=[], message=message), 429


@bp.route("/kb")
def kb_index():
    """The question box and the public results."""
    if _limited():
        return _too_many()
    query = (request.args.get("q") or "").strip()[:200]
    hits = (
        search.search(db.session, query, k=RESULTS, today=today(current_app), public_only=True)
        if query
        else []
    )
    return render_template("kb/public_index.html", query=query, hits=hits, message=None)


@bp.route("/kb/<int:article_id>")
def kb_article(article_id: int):
    """A public, valid article: its title, category and answer only."""
    if _limited():
        return _too_many()
    view = pages.served(db.session, article_id, today=today(current_app), public_only=True)
    answer = Markup(markdown.render(view.answer))  # noqa: S704 - sanitised (nh3)
    return render_template("kb/public_article.html", article=view, answer=answer)
