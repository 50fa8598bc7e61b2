"""/kb/editor: the editors' workflow pages (知识编辑): their lists, a new article (also
from a closed order, 知识沉淀), every edit a new version, the moves of the transition table
(submit, publish, send back, archive, restore), the versions and a side-by-side diff."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from hotline import labels
from hotline.core.accounts.permissions import Permission, allows
from hotline.core.kb import editor, markdown
from hotline.core.kb.workflow import ArticleAction
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.errors import Conflict, Forbidden, ValidationFailed
from hotline.services.kb import articles, categories, editing
from hotline.services.kb.articles import Actor
from hotline.services.units import directory
from hotline.web.errors import returns_to
from hotline.web.helpers import flash_errors, parse_int, requires
from hotline.web.kb.pages import today

bp = Blueprint("kb_editor", __name__, url_prefix="/kb/editor")
_MOVES = {
    ArticleAction.SUBMIT: articles.submit,
    ArticleAction.PUBLISH: articles.publish,
    ArticleAction.SEND_BACK: articles.send_back,
    ArticleAction.ARCHIVE: articles.archive,
    ArticleAction.RESTORE: articles.restore,
}


def _actor() -> Actor:
    return Actor(current_user.id, current_user.role_enum)


def _form(form: dict, errors: dict, article_id: int | None = None, status: int = 200):
    return (
        render_template(
            "kb/editor_form.html",
            form=form,
            errors={k: labels.error_text(v) for k, v in errors.items()},
            nodes=list(categories.tree(db.session).values()),
            departments=directory.active_departments(db.session),
            article_id=article_id,
        ),
        status,
    )


@bp.route("")
@requires(Permission.WRITE_KB)
def index():
    """My drafts, the articles waiting for review, those expired or due for review."""
    query = (request.args.get("q") or "").strip()[:100]
    found = editing.search_all(db.session, query) if query else None
    return render_template(
        "kb/editor_index.html",
        lists=editing.lists(db.session, user_id=current_user.id, today=today(current_app)),
        query=query,
        found=found,
    )


@bp.route("/new", methods=["GET"])
@requires(Permission.WRITE_KB)
def new():
    """An empty form, or one filled from a closed order (?order=<number>)."""
    number = (request.args.get("order") or "").strip()[:20]
    form = editing.draft_from_order(db.session, number, actor=_actor()) if number else {}
    return _form(form, {})


@bp.route("/new", methods=["POST"])
@requires(Permission.WRITE_KB)
def create():
    """A new article: a draft, version 1."""
    data = request.form.to_dict()
    draft, errors = editor.parse(data)
    if draft is None:
        return _form(data, errors, status=422)
    try:
        article_id = editing.create(db.session, draft, actor=_actor(), now=utcnow())
    except ValidationFailed as exc:
        return _form(data, exc.errors, status=422)
    flash(_("Draft saved."), "success")
    return redirect(url_for("kb_editor.article", article_id=article_id))


@bp.route("/<int:article_id>")
@requires(Permission.WRITE_KB)
def article(article_id: int):
    """The latest version, its state, the moves this user may make, the versions."""
    view = editing.page(db.session, article_id, actor=_actor(), today=today(current_app))
    answer = Markup(markdown.render(view.latest.answer))  # noqa: S704 - sanitised (nh3)
    return render_template("kb/editor_article.html", a=view, answer=answer)


@bp.route("/<int:article_id>/edit", methods=["GET"])
@requires(Permission.WRITE_KB)
def edit(article_id: int):
    """The form filled with the latest version."""
    return _form(editing.form_values(db.session, article_id), {}, article_id)


@bp.route("/<int:article_id>/edit", methods=["POST"])
@requires(Permission.WRITE_KB)
@returns_to("kb_editor.article")
def save(article_id: int):
    """A new version (a draft); the published one stays served until this one is."""
    data = request.form.to_dict()
    draft, errors = editor.parse(data)
    if draft is None:
        return _form(data, errors, article_id, 422)
    try:
        number = editing.save(db.session, article_id, draft, actor=_actor(), now=utcnow())
    except ValidationFailed as exc:
        return _form(data, exc.errors, article_id, 422)
    except (Forbidden, Conflict) as exc:
        # Not editable in its state (archived), or someone saved first: said on its page.
        db.session.rollback()
        flash_errors(exc)
        return redirect(url_for("kb_editor.article", article_id=article_id), 303)
    flash(_("Version %(number)s saved as a draft.", number=number), "success")
    return redirect(url_for("kb_editor.article", article_id=article_id))


@bp.route("/<int:article_id>/move", methods=["POST"])
@requires(Permission.WRITE_KB)
@returns_to("kb_editor.article")
def move(article_id: int):
    """Submit, publish, send back, archive or restore (the service checks the table)."""
    try:
        action = ArticleAction(request.form.get("action", ""))
        do = _MOVES[action]
    except (ValueError, KeyError):
        raise ValidationFailed({"action": "invalid_choice"}) from None
    try:
        do(db.session, article_id, actor=_actor(), now=utcnow())
    except (Forbidden, Conflict) as exc:
        # A refused move is explained on the article's page, not with a bare 403 page.
        db.session.rollback()
        flash_errors(exc)
        return redirect(url_for("kb_editor.article", article_id=article_id), 303)
    flash(_("Done: %(action)s.", action=labels.ARTICLE_ACTION_LABELS[action.value]), "success")
    return redirect(url_for("kb_editor.article", article_id=article_id))


@bp.route("/<int:article_id>/versions/<int:number>")
@requires(Permission.WRITE_KB)
def version(article_id: int, number: int):
    """One version as it was written."""
    found = editing.version(db.session, article_id, number)
    answer = Markup(markdown.render(found.answer))  # noqa: S704 - sanitised (nh3)
    return render_template("kb/editor_version.html", v=found, answer=answer)


@bp.route("/<int:article_id>/diff")
@requires(Permission.WRITE_KB)
def diff(article_id: int):
    """Two versions side by side (?old=&new=; by default the last two)."""
    view = editing.page(db.session, article_id, actor=_actor(), today=today(current_app))
    new = parse_int(request.args.get("new")) or view.latest_number
    old = parse_int(request.args.get("old")) or max(1, new - 1)
    return render_template(
        "kb/editor_diff.html",
        a=view,
        old=old,
        new=new,
        fields=editing.compare(db.session, article_id, old, new),
    )


@bp.context_processor
def _labels() -> dict:
    return {
        "kb_state_labels": labels.ARTICLE_STATE_LABELS,
        "kb_action_labels": labels.ARTICLE_ACTION_LABELS,
    }


@bp.app_context_processor
def _can_write_kb() -> dict:
    """`can_write_kb()` for other capabilities' pages (the order page's 知识沉淀 button)."""

    def can_write_kb() -> bool:
        return current_user.is_authenticated and allows(current_user.role_enum, Permission.WRITE_KB)

    return {"can_write_kb": can_write_kb}
