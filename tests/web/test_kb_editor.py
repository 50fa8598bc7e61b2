"""The editors' workflow pages: create, every edit a version, submit, publish by someone
else only, the published version served while a newer draft is reviewed, archive, the
versions' diff (escaped), the editors' lists; and turning a closed order into a draft."""

import re
from datetime import date

from sqlalchemy import func, select

from hotline.core.accounts.roles import Role
from hotline.core.orders.workflow import Action
from hotline.models import KbArticle, KbSearch, KbVersion
from hotline.plugins import db
from tests import factories, kb_factories


def _form(category_id: int, **overrides) -> dict:
    form = {
        "category_id": str(category_id),
        "title": "居住证怎么办理",
        "keywords": "居住证，办理",
        "questions": "外地人怎么办居住证\n居住证在哪办",
        "answer": "到社区服务站登记，满半年可申领。",
        "source": "《居住证暂行条例》",
        "valid_from": "2026-01-01",
        "valid_to": "",
        "review_at": "2027-06-30",
        "public": "on",
        "note": "",
    }
    form.update(overrides)
    return form


def _article_id(response) -> int:
    return int(re.search(r"/kb/editor/(\d+)$", response.headers["Location"]).group(1))


def test_author_writes_submits_and_only_another_reviewer_publishes(app, make, login, query):
    author = make(factories.user, Role.KNOWLEDGE_EDITOR)
    reviewer = make(factories.user, Role.SUPERVISOR)
    category_id = make(kb_factories.category)
    writer = login(author)

    created = writer.post("/kb/editor/new", _form(category_id))
    assert created.status_code == 302
    article_id = _article_id(created)
    page = writer.get(f"/kb/editor/{article_id}").get_data(as_text=True)
    assert "居住证怎么办理" in page and "提交审核" in page

    saved = writer.post(f"/kb/editor/{article_id}/edit", _form(category_id, answer="新答案"))
    assert saved.status_code == 302
    assert writer.post(f"/kb/editor/{article_id}/move", {"action": "submit"}).status_code == 302
    # The author may not publish: the core table says so, the page explains it.
    refused = writer.post(f"/kb/editor/{article_id}/move", {"action": "publish"})
    assert refused.status_code == 303
    assert "不能发布" in writer.get(refused.headers["Location"]).get_data(as_text=True)

    def state():
        return db.session.get(KbArticle, article_id)

    assert query(state).state == "submitted"
    assert query(state).published_number is None
    assert query(state).review_at == date(2027, 6, 30)

    other = login(reviewer)
    page = other.get(f"/kb/editor/{article_id}").get_data(as_text=True)
    assert "发布" in page
    assert other.post(f"/kb/editor/{article_id}/move", {"action": "publish"}).status_code == 302
    assert query(state).state == "published"
    assert query(state).published_number == 2

    # A new draft of the published article: version 3, while version 2 is still served.
    assert (
        writer.post(
            f"/kb/editor/{article_id}/edit", _form(category_id, answer="第三版")
        ).status_code
        == 302
    )
    assert query(state).state == "draft"
    assert query(state).published_number == 2
    assert query(lambda: db.session.get(KbSearch, article_id)).number == 2
    versions = query(
        lambda: db.session.scalar(
            select(func.count()).select_from(KbVersion).where(KbVersion.article_id == article_id)
        )
    )
    assert versions == 3

    # Archive: out of search, versions kept.
    assert other.post(f"/kb/editor/{article_id}/move", {"action": "archive"}).status_code == 302
    assert query(state).state == "archived"
    assert query(lambda: db.session.get(KbSearch, article_id)) is None


def test_moves_outside_the_table_and_roles_without_the_permission_are_refused(make, login):
    operator = make(factories.user, Role.OPERATOR)
    department = make(factories.user, Role.DEPARTMENT, "东城区城市管理委员会")
    article_id = make(kb_factories.article, operator)
    b = login(operator)
    # An operator writes but does not review: archiving is refused with a clear message.
    refused = b.post(f"/kb/editor/{article_id}/move", {"action": "archive"})
    assert refused.status_code == 303
    assert "您的角色无权进行此操作" in b.get(refused.headers["Location"]).get_data(as_text=True)
    # Publishing a draft is not in the table.
    supervisor = login(make(factories.user, Role.SUPERVISOR))
    wrong = supervisor.post(f"/kb/editor/{article_id}/move", {"action": "publish"})
    assert wrong.status_code == 303
    page = supervisor.get(wrong.headers["Location"]).get_data(as_text=True)
    assert "知识条目当前状态下不能进行此操作" in page
    bogus = b.post(
        f"/kb/editor/{article_id}/move",
        {"action": "explode"},
        headers={"Accept": "application/json"},
    )
    assert bogus.status_code == 422
    # Department staff may not open the editor at all.
    assert login(department).get("/kb/editor").status_code == 403


def test_invalid_form_comes_back_with_errors(make, login):
    editor = make(factories.user, Role.KNOWLEDGE_EDITOR)
    category_id = make(kb_factories.category)
    response = login(editor).post(
        "/kb/editor/new",
        _form(category_id, title="", valid_from="2026-05-01", valid_to="2026-04-01"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="err-title"' in page and 'id="err-valid_to"' in page


def test_diff_of_two_versions_is_escaped(make, login):
    editor = make(factories.user, Role.KNOWLEDGE_EDITOR)
    category_id = make(kb_factories.category)
    b = login(editor)
    article_id = _article_id(
        b.post("/kb/editor/new", _form(category_id, answer="第一行\n旧的一行"))
    )
    b.post(
        f"/kb/editor/{article_id}/edit",
        _form(category_id, answer="第一行\n<script>alert(1)</script>", note="改了答案"),
    )
    page = b.get(f"/kb/editor/{article_id}/diff?old=1&new=2").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert 'class="diff-changed"' in page and "旧的一行" in page
    # The rendered answer on the article page is sanitised too.
    article_page = b.get(f"/kb/editor/{article_id}").get_data(as_text=True)
    assert "<script>alert(1)" not in article_page
    assert b.get(f"/kb/editor/{article_id}/versions/1").status_code == 200
    assert b.get(f"/kb/editor/{article_id}/versions/9").status_code == 404


def test_editors_lists_drafts_waiting_and_due(make, login):
    editor = make(factories.user, Role.KNOWLEDGE_EDITOR)
    supervisor = make(factories.user, Role.SUPERVISOR)
    make(kb_factories.article, editor, title="我的草稿条目")
    expired = make(
        kb_factories.article,
        editor,
        supervisor,
        title="已过期的条目",
        valid_from=date(2020, 1, 1),
        valid_to=date(2021, 1, 1),
    )
    assert expired
    page = login(editor).get("/kb/editor").get_data(as_text=True)
    drafts = page.split('id="my-drafts"')[1].split('id="waiting"')[0]
    due = page.split('id="due"')[1]
    assert "我的草稿条目" in drafts
    assert "已过期的条目" in due and "我的草稿条目" not in due
    found = login(editor).get("/kb/editor?q=过期").get_data(as_text=True)
    assert "已过期的条目" in found


def test_closed_order_turns_into_a_draft(make, login):
    operator = make(factories.user, Role.OPERATOR)
    department_user = make(factories.user, Role.DEPARTMENT, "东城区城市管理委员会")
    desk = make(factories.user, Role.DESK)
    answered = make(
        factories.order,
        operator,
        order_type="inquiry",
        description="请问夜间施工许可在哪里查询？",
        close_at_intake="on",
        intake_answer="可在住建委网站的夜间施工公示栏查询。",
    )
    b = login(operator)
    page = b.get(f"/orders/{answered.number}").get_data(as_text=True)
    assert "turn-into-article" in page
    form = b.get(f"/kb/editor/new?order={answered.number}").get_data(as_text=True)
    assert "请问夜间施工许可在哪里查询？" in form
    assert "可在住建委网站的夜间施工公示栏查询。" in form
    assert f"工单 {answered.number}" in form

    # A reply the desk approved.
    routed = make(factories.order, operator)
    make(factories.act, department_user, routed.number, Action.ACCEPT)
    make(factories.act, department_user, routed.number, Action.REPLY, "已责令停工。")
    assert "turn-into-article" not in b.get(f"/orders/{routed.number}").get_data(as_text=True)
    refused = b.get(f"/kb/editor/new?order={routed.number}")
    assert refused.status_code == 404
    make(factories.act, desk, routed.number, Action.APPROVE)
    assert "turn-into-article" in b.get(f"/orders/{routed.number}").get_data(as_text=True)
    assert "已责令停工。" in b.get(f"/kb/editor/new?order={routed.number}").get_data(as_text=True)


def test_an_archived_article_is_not_edited_and_says_why(make, login, query):
    editor = make(factories.user, Role.KNOWLEDGE_EDITOR)
    supervisor = make(factories.user, Role.SUPERVISOR)
    article_id = make(kb_factories.article, editor, supervisor)
    category_id = make(kb_factories.category)
    b = login(supervisor)
    assert b.post(f"/kb/editor/{article_id}/move", {"action": "archive"}).status_code == 302
    refused = b.post(f"/kb/editor/{article_id}/edit", _form(category_id))
    assert refused.status_code == 303
    page = b.get(refused.headers["Location"]).get_data(as_text=True)
    assert "知识条目当前状态下不能进行此操作" in page
    assert query(lambda: db.session.get(KbArticle, article_id)).latest_number == 1
    # Restored as a draft by a reviewer: editable again, and no longer served.
    assert b.post(f"/kb/editor/{article_id}/move", {"action": "restore"}).status_code == 302
    assert query(lambda: db.session.get(KbArticle, article_id)).state == "draft"
    assert b.post(f"/kb/editor/{article_id}/edit", _form(category_id)).status_code == 302


def test_only_authors_who_read_orders_turn_one_into_a_draft(make, login):
    answered = make(
        factories.order,
        order_type="inquiry",
        close_at_intake="on",
        intake_answer="可在网站查询。",
    )
    editor = login(make(factories.user, Role.KNOWLEDGE_EDITOR))
    refused = editor.get(f"/kb/editor/new?order={answered.number}")
    assert refused.status_code == 403 and "可在网站查询。" not in refused.get_data(as_text=True)
    assert (
        login(make(factories.user, Role.DESK))
        .get(f"/kb/editor/new?order={answered.number}")
        .status_code
        == 200
    )
