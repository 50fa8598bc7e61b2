"""Knowledge-base usage: gaps recorded and counted, the figures page, operators' feedback,
the intake recording an article as used (in the order's transaction), and the public pages
(public, valid articles only; rate-limited)."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.database import utcnow
from hotline.models import KbArticle, KbEvent, KbGap, WorkOrder
from hotline.plugins import db
from hotline.services.kb import usage
from tests import factories, kb_factories


def _gaps():
    return {g.query: g.count for g in db.session.scalars(select(KbGap)) if not g.resolved}


def test_gaps_are_counted_under_their_normalised_query_and_dismissed(app, make, login, query):
    editor = make(factories.user, Role.KNOWLEDGE_EDITOR)
    with app.app_context():
        usage.record_gap(db.session, "社保卡怎么补办？", utcnow())
        usage.record_gap(db.session, "社保卡 补办", utcnow())
        usage.record_gap(db.session, "养犬登记", utcnow())
        usage.record_gap(db.session, "？？", utcnow())  # nothing to count
    gaps = query(_gaps)
    assert gaps == {"社保卡 补办": 2, "养犬 登记": 1}
    b = login(editor)
    page = b.get("/kb/gaps").get_data(as_text=True)
    assert page.index("社保卡 补办") < page.index("养犬 登记")  # most asked first
    newest = b.get("/kb/gaps?order=newest").get_data(as_text=True)
    assert newest.index("养犬 登记") < newest.index("社保卡 补办")
    gap_id = query(lambda: db.session.scalar(select(KbGap.id).where(KbGap.query == "养犬 登记")))
    assert b.post(f"/kb/gaps/{gap_id}/dismiss").status_code == 302
    assert "养犬 登记" not in b.get("/kb/gaps").get_data(as_text=True)
    # Asked again: back on the list.
    with app.app_context():
        usage.record_gap(db.session, "养犬登记", utcnow())
    assert query(_gaps)["养犬 登记"] == 2
    operator = login(make(factories.user, Role.OPERATOR))
    assert operator.get("/kb/gaps").status_code == 403


def test_intake_records_the_article_used_in_the_orders_transaction(app, make, login, query):
    operator = make(factories.user, Role.OPERATOR)
    editor = make(factories.user, Role.KNOWLEDGE_EDITOR)
    article_id = make(kb_factories.article, editor, make(factories.user, Role.SUPERVISOR))
    draft_id = make(kb_factories.article, editor, title="未发布的草稿")
    b = login(operator)
    form = factories.call_form(
        order_type="inquiry",
        description="社保卡丢了怎么办",
        close_at_intake="on",
        intake_answer="携带身份证到任一社保经办网点补办。",
        kb_article_id=str(article_id),
        kb_query="社保卡丢了怎么办",
    )
    before = query(lambda: db.session.get(KbArticle, article_id)).row_version
    assert b.post("/intake", form).status_code == 302
    article = query(lambda: db.session.get(KbArticle, article_id))
    assert article.uses == 1 and article.row_version == before  # a counter, not an edit
    event = query(lambda: db.session.scalar(select(KbEvent).where(KbEvent.kind == "use")))
    order = query(lambda: db.session.get(WorkOrder, event.order_id))
    assert order.state == "closed_at_intake" and event.user_id == operator.id
    assert query(_gaps) == {}

    # An article that is not served: the form comes back and nothing is saved.
    before = query(lambda: db.session.query(WorkOrder).count())
    refused = b.post("/intake", {**form, "kb_article_id": str(draft_id)})
    assert refused.status_code == 422
    assert query(lambda: db.session.query(WorkOrder).count()) == before

    # Suggestions fetched but no article used for an inquiry: a gap, with the order.
    b.post("/intake", {**form, "kb_article_id": "", "kb_query": "公积金提取"})
    assert query(_gaps) == {"公积金 提取": 1}
    # A complaint is not answered from the knowledge base: no gap.
    b.post("/intake", factories.call_form(kb_query="噪音扰民"))
    assert query(_gaps) == {"公积金 提取": 1}


def test_suggestion_answer_json_is_sanitised_and_counts_a_view(make, login, query):
    editor = make(factories.user, Role.KNOWLEDGE_EDITOR)
    article_id = make(
        kb_factories.article,
        editor,
        make(factories.user, Role.SUPERVISOR),
        answer="第一段<script>alert(1)</script>\n\n- 身份证\n- [照片](javascript:alert(1))",
    )
    b = login(make(factories.user, Role.OPERATOR))
    data = b.get(f"/kb/{article_id}/answer", headers={"Accept": "application/json"}).get_json()
    assert "<script>" not in data["html"] and 'href="javascript' not in data["html"]
    assert "&lt;script&gt;" in data["html"]
    assert data["text"].splitlines()[:2] == ["第一段<script>alert(1)</script>", "身份证"]
    assert query(lambda: db.session.get(KbArticle, article_id)).views == 1
    assert (
        login(make(factories.user, Role.DEPARTMENT, "东城区城市管理委员会"))
        .get(f"/kb/{article_id}/answer")
        .status_code
        == 403
    )


def test_feedback_and_figures(app, make, login, query):
    editor = make(factories.user, Role.KNOWLEDGE_EDITOR)
    supervisor = make(factories.user, Role.SUPERVISOR)
    used = make(kb_factories.article, editor, supervisor, title="社保卡补办")
    unused = make(
        kb_factories.article, editor, supervisor, title="居住证签注", keywords=("居住证",)
    )
    operator = make(factories.user, Role.OPERATOR)
    b = login(operator)
    b.get(f"/kb/{used}/answer")
    b.get(f"/kb/{used}/answer")
    b.get(f"/kb/{unused}/answer")
    b.post(
        "/intake",
        factories.call_form(
            order_type="inquiry",
            close_at_intake="on",
            intake_answer="答",
            kb_article_id=str(used),
        ),
    )
    assert b.post(f"/kb/{used}/feedback", {"kind": "helpful"}).status_code == 302
    assert (
        b.post(f"/kb/{unused}/feedback", {"kind": "outdated", "note": "地址已搬迁"}).status_code
        == 302
    )
    bad = b.post(f"/kb/{used}/feedback", {"kind": "use"}, headers={"Accept": "application/json"})
    assert bad.status_code == 422
    counters = query(lambda: db.session.get(KbArticle, unused))
    assert (counters.views, counters.uses, counters.outdated) == (1, 0, 1)
    assert query(lambda: db.session.get(KbArticle, used)).helpful == 1
    with app.app_context():
        usage.record_gap(db.session, "公积金提取", utcnow())

    page = login(editor).get("/kb/stats").get_data(as_text=True)
    most_used = page.split('id="most-used"')[1].split("</table>")[0]
    assert "社保卡补办" in most_used and "居住证签注" not in most_used
    most_viewed = page.split('id="most-viewed"')[1].split("</table>")[0]
    assert most_viewed.index("社保卡补办") < most_viewed.index("居住证签注")
    assert "社会保障 / 社保卡" in page.split('id="per-category"')[1].split("</table>")[0]
    assert "公积金 提取" in page.split('id="gaps"')[1].split("</table>")[0]
    feedback = page.split('id="feedback"')[1].split("</table>")[0]
    assert "地址已搬迁" in feedback and "已过时" in feedback or "过时" in feedback
    never = page.split('id="never-used"')[1].split("</ul>")[0]
    assert "居住证签注" in never and "社保卡补办" not in never
    # Another period: nothing used then.
    earlier = login(editor).get("/kb/stats?from=2020-01-01&to=2020-01-31").get_data(as_text=True)
    assert "社保卡补办" not in earlier.split('id="most-used"')[1].split("</table>")[0]
    assert login(operator).get("/kb/stats").status_code == 403


def test_public_pages_show_public_valid_articles_only(app, make, browser):
    editor = make(factories.user, Role.KNOWLEDGE_EDITOR)
    supervisor = make(factories.user, Role.SUPERVISOR)
    today = utcnow().astimezone(ZoneInfo("Asia/Shanghai")).date()
    shown = make(kb_factories.article, editor, supervisor, title="社保卡补办公开", public=True)
    internal = make(kb_factories.article, editor, supervisor, title="社保卡补办内部", public=False)
    expired = make(
        kb_factories.article,
        editor,
        supervisor,
        title="社保卡补办过期",
        public=True,
        valid_to=today - timedelta(days=2),
    )
    draft = make(kb_factories.article, editor, title="社保卡补办草稿", public=True)
    page = browser.get("/public/kb?q=社保卡补办").get_data(as_text=True)
    assert "社保卡补办公开" in page
    for hidden in ("社保卡补办内部", "社保卡补办过期", "社保卡补办草稿"):
        assert hidden not in page
    article = browser.get(f"/public/kb/{shown}").get_data(as_text=True)
    assert "身份证" in article and "Test knowledge_editor" not in article
    assert "版本" not in article and "来源" not in article
    for other in (internal, expired, draft, 9999):
        assert browser.get(f"/public/kb/{other}").status_code == 404


def test_public_pages_are_rate_limited_per_address(app, browser):
    app.config["PUBLIC_KB_RATE_PER_IP"] = 3
    codes = [browser.get("/public/kb?q=社保").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    other = app.test_client()
    assert other.get("/public/kb", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200


def test_article_page_counts_a_view_and_takes_feedback_and_empty_searches_are_gaps(
    make, login, query
):
    editor = make(factories.user, Role.KNOWLEDGE_EDITOR)
    article_id = make(kb_factories.article, editor, make(factories.user, Role.SUPERVISOR))
    b = login(make(factories.user, Role.SURVEYOR))
    page = b.get(f"/kb/{article_id}").get_data(as_text=True)
    assert 'id="kb-feedback"' in page and "这个答案已过时" in page
    assert query(lambda: db.session.get(KbArticle, article_id)).views == 1
    b.post(f"/kb/{article_id}/feedback", {"kind": "outdated", "note": "电话变了"})
    assert query(lambda: db.session.get(KbArticle, article_id)).outdated == 1
    b.get("/kb?q=火星移民政策")
    b.get("/kb?q=社保卡补办")  # found: no gap
    assert query(_gaps) == {"火星 移民 政策": 1}


def test_public_pages_link_to_each_other_and_carry_no_inline_code(browser):
    status = browser.get("/public/status").get_data(as_text=True)
    assert 'href="/public/kb"' in status
    page = browser.get("/public/kb?q=社保").get_data(as_text=True)
    assert 'href="/public/mailbox"' in page and "<script>" not in page and "style=" not in page
