"""Knowledge-base usage on both databases: the gap upsert counts one normalised query once
per search, a use is recorded in the order's transaction (and rolled back with it), the
period's figures and the editors' lists."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.core.orders.intake import parse_intake
from hotline.models import KbArticle, KbEvent, KbGap, WorkOrder
from hotline.plugins import db
from hotline.services.errors import ValidationFailed
from hotline.services.kb import editing, usage
from hotline.services.orders import intake
from tests import factories, kb_factories

NOW = factories.NOW


def _register(hook, **overrides):
    form = factories.call_form(
        order_type="inquiry", close_at_intake="on", intake_answer="已答复", **overrides
    )
    return intake.register_call(
        db.session,
        request=parse_intake(form),
        actor_id=None,
        now=NOW,
        timezone="Asia/Shanghai",
        on_created=hook,
    )


def test_gaps_uses_and_figures(any_app):
    with any_app.app_context():
        editor = factories.user(Role.KNOWLEDGE_EDITOR)
        supervisor = factories.user(Role.SUPERVISOR)
        served = kb_factories.article(editor, supervisor)
        draft = kb_factories.article(editor, title="草稿")

        for typed in ("社保卡怎么补办？", "社保卡 补办", "ＳＯＳ 社保卡补办"):
            usage.record_gap(db.session, typed, NOW)
        gaps = {g.query: g.count for g in db.session.scalars(select(KbGap))}
        assert gaps == {"社保卡 补办": 2, "sos 社保卡 补办": 1}

        hook = usage.on_intake(
            db.session, article_id=served, query="", inquiry=True, user_id=None, now=NOW
        )
        order = _register(hook)
        event = db.session.scalar(select(KbEvent).where(KbEvent.kind == "use"))
        assert event.order_id == order.order_id and event.article_id == served
        db.session.expire_all()
        assert db.session.get(KbArticle, served).uses == 1

        orders = db.session.query(WorkOrder).count()
        refused = usage.on_intake(
            db.session, article_id=draft, query="", inquiry=True, user_id=None, now=NOW
        )
        with pytest.raises(ValidationFailed):
            _register(refused)
        assert db.session.query(WorkOrder).count() == orders  # the order rolled back too

        figures = usage.figures(
            db.session, since=NOW - timedelta(days=1), until=NOW + timedelta(days=1)
        )
        assert [(f.id, f.uses) for f in figures] == [(served, 1)]
        assert usage.never_used(db.session) == []
        lists = editing.lists(db.session, user_id=editor.id, today=date(2026, 11, 20))
        assert [i.id for i in lists.drafts] == [draft]
        assert lists.waiting == [] and lists.due == []
