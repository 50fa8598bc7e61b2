"""An operator answers an inquiry from the knowledge base in a real browser: typing the
description brings suggestions, one click shows the answer, another fills the answer field;
the order is closed at intake and the article's "used" count goes up; no CSP violation."""

import pytest
from playwright.sync_api import expect

from hotline.core.accounts.roles import Role
from hotline.models import KbArticle, KbEvent
from hotline.plugins import db
from tests import factories, kb_factories
from tests.e2e.test_intake_in_chromium import log_in

pytestmark = [
    pytest.mark.e2e,
    # See test_intake_in_chromium.py: the test server's 304 answers for static files.
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def test_operator_answers_from_a_suggestion(live_server, page, make, query):
    editor = make(factories.user, Role.KNOWLEDGE_EDITOR)
    article_id = make(
        kb_factories.article,
        editor,
        make(factories.user, Role.SUPERVISOR),
        answer="携带**身份证**到任一社保经办网点补办。\n\n<script>alert(1)</script>",
    )
    operator = make(factories.user, Role.OPERATOR)
    log_in(page, live_server, operator.username)
    page.goto(f"{live_server}/intake")
    page.fill("#caller_phone", "13800138000")
    page.select_option("#order_type", "inquiry")
    page.select_option("#category_code", "0401")
    page.fill("#lon", str(factories.TIANANMEN[0]))
    page.fill("#lat", str(factories.TIANANMEN[1]))
    page.locator("#description").press_sequentially("请问社保卡丢了怎么补办", delay=20)

    suggestion = page.locator(".kb-suggestion", has_text="社保卡丢了怎么补办")
    expect(suggestion).to_be_visible()
    suggestion.click()
    expect(page.locator("#kb-preview-answer strong")).to_have_text("身份证")
    expect(page.locator("#kb-preview-answer")).to_contain_text("<script>alert(1)</script>")
    page.click("#kb-use")
    expect(page.locator("#close_at_intake")).to_be_checked()
    expect(page.locator("textarea[name=intake_answer]")).to_have_value(
        "携带身份证到任一社保经办网点补办。\n<script>alert(1)</script>"
    )
    expect(page.locator("#kb_article_id")).to_have_value(str(article_id))

    page.click("button.primary")
    page.wait_for_selector("text=已创建")
    assert "直接办结" in page.content()
    article = query(lambda: db.session.get(KbArticle, article_id))
    assert article.uses == 1 and article.views == 1
    used = query(lambda: db.session.query(KbEvent).filter_by(kind="use").one())
    assert used.article_id == article_id and used.user_id == operator.id
    assert page.csp_violations == []
