"""/kb/stats and /kb/gaps: the knowledge base's figures for a period (most viewed, most
used to answer, never used, per category, the operators' feedback) and the knowledge gaps
(知识缺口) with their counts; /kb/<id>/feedback: an operator's "helped" / "out of date"."""

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from hotline import labels
from hotline.core.accounts.permissions import Permission
from hotline.core.kb import markdown
from hotline.core.kb.usage import answer_text
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.kb import categories, pages, usage
from hotline.services.reports.scope import bounds
from hotline.web.errors import returns_to
from hotline.web.helpers import requires
from hotline.web.kb.pages import today
from hotline.web.reports.kpi import parse_period

bp = Blueprint("kb_usage", __name__, url_prefix="/kb")
TOP = 10


@bp.route("/stats")
@requires(Permission.READ_KB_STATS)
def index():
    """The period's figures (?from=&to=, local days; this month by default)."""
    period, errors = parse_period(request.args, today(current_app))
    since, until = bounds(period, timezone=current_app.config["TIMEZONE"])
    figures = usage.figures(db.session, since=since, until=until)
    nodes = categories.tree(db.session)
    per_category = sorted(
        (
            (nodes[c].label if c in nodes else _("(not served)"), views, uses)
            for c, (views, uses) in usage.by_category(figures).items()
        ),
        key=lambda row: (-row[2], -row[1], row[0]),
    )
    return render_template(
        "kb/stats.html",
        start=period.start,
        end=period.end,
        errors={k: labels.error_text(v) for k, v in errors.items()},
        most_viewed=sorted(figures, key=lambda f: (-f.views, f.id))[:TOP],
        most_used=[f for f in figures if f.uses][:TOP],
        never_used=usage.never_used(db.session),
        per_category=per_category,
        gaps=usage.gaps(db.session, since=since, until=until, limit=TOP),
        feedback=usage.recent_feedback(db.session, since=since, until=until),
        event_labels=labels.KB_EVENT_LABELS,
    )


@bp.route("/gaps")
@requires(Permission.READ_KB_STATS)
def gaps():
    """Open gaps, most asked first (?order=newest: last asked first)."""
    order = "newest" if request.args.get("order") == "newest" else "count"
    return render_template("kb/gaps.html", gaps=usage.gaps(db.session, order=order), order=order)


@bp.route("/gaps/<int:gap_id>/dismiss", methods=["POST"])
@requires(Permission.READ_KB_STATS)
@returns_to("kb_usage.gaps")
def dismiss(gap_id: int):
    """Off the list until someone asks it again."""
    usage.dismiss_gap(db.session, gap_id)
    flash(_("Gap dismissed."), "success")
    return redirect(url_for("kb_usage.gaps"))


@bp.route("/<int:article_id>/feedback", methods=["POST"])
@requires(Permission.SEARCH_KB)
@returns_to("kb.article")
def feedback(article_id: int):
    """This answer helped, or it is out of date (with an optional note for the editors)."""
    usage.feedback(
        db.session,
        article_id=article_id,
        kind=request.form.get("kind", ""),
        user_id=current_user.id,
        note=request.form.get("note", ""),
        now=utcnow(),
    )
    flash(_("Thank you: the editors will see your feedback."), "success")
    return redirect(url_for("kb.article", article_id=article_id))


@bp.route("/<int:article_id>/answer")
@requires(Permission.SEARCH_KB)
def answer(article_id: int):
    """The served answer for the intake form's suggestions (JSON): the title, the answer as
    safe HTML (sanitised by `core.kb.markdown`) and as plain text for the answer field, and
    the article page's address. Counts as a view."""
    view = pages.served(db.session, article_id, today=today(current_app))
    usage.record_view(db.session, article_id=article_id, user_id=current_user.id, now=utcnow())
    return jsonify(
        id=view.id,
        title=view.title,
        html=markdown.render(view.answer),
        text=answer_text(view.answer),
        url=url_for("kb.article", article_id=view.id),
    )
