"""Labels of the knowledge base (知识库): article states, actions and usage events."""

from flask_babel import lazy_gettext as _l

from hotline.core.kb.workflow import ArticleAction, ArticleState, KbEventKind
from hotline.labels.registry import register

ARTICLE_STATE_LABELS = register(
    ArticleState,
    {
        "draft": _l("Draft"),
        "submitted": _l("Waiting for review"),
        "published": _l("Published"),
        "archived": _l("Archived"),
    },
)

ARTICLE_ACTION_LABELS = register(
    ArticleAction,
    {
        "edit": _l("Edit"),
        "submit": _l("Submit for review"),
        "publish": _l("Publish"),
        "send_back": _l("Send back to the author"),
        "archive": _l("Archive"),
        "restore": _l("Restore as a draft"),
    },
)

KB_EVENT_LABELS = register(
    KbEventKind,
    {
        "view": _l("Viewed"),
        "use": _l("Used to answer a call"),
        "helpful": _l("Helpful"),
        "outdated": _l("Out of date"),
    },
)
