"""/kb: search with a category filter, the category tree, the article page, and the
as-you-type suggestions (JSON) for the intake form."""

from datetime import date
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from hotline.core.accounts.permissions import Permission
from hotline.core.kb import markdown, text
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.kb import pages, search, synonyms, usage
from hotline.web.fields import TextField
from hotline.web.forms import Form
from hotline.web.helpers import parse_int, requires

bp = Blueprint("kb", __name__, url_prefix="/kb")
SUGGESTIONS = 5
RESULTS = 20


def today(app: Flask) -> date:
    """Today in the hotline's time zone (validity dates are local days)."""
    return utcnow().astimezone(ZoneInfo(app.config["TIMEZONE"])).date()


@bp.route("")
@requires(Permission.SEARCH_KB)
def index():
    """The query box, the category filter and tree, and the results or the category's list."""
    query = (request.args.get("q") or "").strip()[:200]
    category_id = parse_int(request.args.get("category"))
    day = today(current_app)
    tree = pages.tree(db.session)
    if category_id is not None and category_id not in {n.id for n in tree}:
        category_id = None
    hits, listed = [], []
    if query:
        hits = search.search(db.session, query, k=RESULTS, today=day, category_id=category_id)
        if not hits and category_id is None:
            usage.record_gap(db.session, query, utcnow())  # 知识缺口: nothing found
    elif category_id is not None:
        listed = pages.browse(db.session, category_id, today=day)
    return render_template(
        "kb/index.html",
        query=query,
        category_id=category_id,
        tree=tree,
        hits=hits,
        listed=listed,
    )


@bp.route("/<int:article_id>")
@requires(Permission.SEARCH_KB)
def article(article_id: int):
    """One article's published version, its answer rendered as safe HTML."""
    view = pages.served(db.session, article_id, today=today(current_app))
    usage.record_view(db.session, article_id=view.id, user_id=current_user.id, now=utcnow())
    # markdown.render sanitises (nh3, an allow-list): safe to mark as HTML.
    answer = Markup(markdown.render(view.answer))  # noqa: S704 - sanitised just above
    return render_template("kb/article.html", article=view, answer=answer)


class SynonymsForm(Form):
    """The synonym table as text: one group per line."""

    groups = TextField(_l("Synonym groups"), filters=[lambda value: (value or "")[:100_000]])


@bp.route("/synonyms", methods=["GET", "POST"])
@requires(Permission.REVIEW_KB)
def synonyms_page():
    """同义词: knowledge editors edit the groups a query's words are expanded through."""
    form = SynonymsForm()
    if form.validate_on_submit():
        count = synonyms.replace_all(db.session, text.parse_groups(form.groups.data))
        flash(_("Synonyms saved: %(n)d groups.", n=count), "success")
        return redirect(url_for("kb.synonyms_page"))
    if request.method == "GET":
        form.groups.data = "\n".join(" ".join(g) for g in synonyms.groups(db.session))
    return render_template("kb/synonyms.html", form=form)


@bp.route("/suggest")
@requires(Permission.SEARCH_KB)
def suggest():
    """The best five articles for what is typed so far: {"items": [...]}, best first."""
    query = (request.args.get("q") or "").strip()[:200]
    hits = search.search(db.session, query, k=SUGGESTIONS, today=today(current_app))
    return jsonify(items=[search.as_json(hit) for hit in hits])
