"""The knowledge base's pages, suggestions and API search."""

import re

import pytest

from hotline.core.accounts.roles import Role
from hotline.core.kb.articles import Content
from hotline.database import utcnow
from hotline.models import KbCategory
from hotline.plugins import db
from hotline.services.accounts import credentials
from hotline.services.kb import articles
from hotline.services.kb.articles import SYSTEM
from tests import factories

ANSWER = (
    "请先**挂失**。<script>alert('x')</script> [官网](javascript:alert(1)) "
    '<img src=x onerror="alert(1)"> ![图](https://tracker.example/a.png)'
)


@pytest.fixture
def kb(app):
    """Two published articles under 社会保障 / 社保卡 and one draft; their ids."""
    with app.app_context():
        root = KbCategory(name="社会保障", position=0)
        db.session.add(root)
        db.session.flush()
        leaf = KbCategory(name="社保卡", parent_id=root.id, position=0)
        db.session.add(leaf)
        db.session.commit()
        ids = {}
        for title, answer, public in (
            ("社保卡丢失如何挂失补办", ANSWER, True),
            ("社保卡如何激活", "到银行网点激活社保卡的金融功能。", False),
            ("草稿：社保卡换卡", "尚未发布", False),
        ):
            content = Content(
                category_id=leaf.id, title=title, answer=answer, public=public, source="《办法》"
            )
            ids[title] = articles.add(db.session, content, actor=SYSTEM, now=factories.NOW)
            if not title.startswith("草稿"):
                for move in (articles.submit, articles.publish):
                    move(db.session, ids[title], actor=SYSTEM, now=factories.NOW)
        ids["category"] = root.id
        return ids


def test_an_operator_searches_browses_and_reads_a_safe_article(make, login, kb):
    browser = login(make(factories.user, Role.OPERATOR))
    page = browser.get("/kb?q=社保卡挂失怎么办").get_data(as_text=True)
    assert "社保卡丢失如何挂失补办" in page and "草稿" not in page
    assert page.index("社保卡丢失如何挂失补办") < page.index("社保卡如何激活")
    browse = browser.get(f"/kb?category={kb['category']}").get_data(as_text=True)
    assert "社保卡如何激活" in browse and "社会保障" in browse
    article = browser.get(f"/kb/{kb['社保卡丢失如何挂失补办']}").get_data(as_text=True)
    assert "<strong>挂失</strong>" in article and "《办法》" in article
    assert "<script>alert" not in article and 'href="javascript' not in article
    assert not re.search(r"<[^>]*onerror", article) and "tracker.example" not in article
    assert browser.get(f"/kb/{kb['草稿：社保卡换卡']}").status_code == 404
    assert browser.get("/kb/999").status_code == 404


def test_suggestions_as_you_type_are_json_best_first(make, login, kb):
    browser = login(make(factories.user, Role.DESK))
    answer = browser.get("/kb/suggest?q=社保卡激活").get_json()
    assert [item["title"] for item in answer["items"]][0] == "社保卡如何激活"
    assert set(answer["items"][0]) == {"id", "title", "category", "score", "snippet"}
    assert answer["items"][0]["category"] == "社会保障 / 社保卡"
    assert browser.get("/kb/suggest?q=").get_json() == {"items": []}


@pytest.mark.parametrize("role", [Role.DEPARTMENT, Role.OFFICIAL, Role.EMS_DISPATCHER])
def test_roles_without_the_knowledge_base_are_refused(make, login, kb, role):
    department = "东城区城市管理委员会" if role is Role.DEPARTMENT else None
    browser = login(make(factories.user, role, department))
    assert browser.get("/kb?q=社保卡").status_code == 403
    assert browser.get("/kb/suggest?q=社保卡").status_code == 403


def test_the_knowledge_editor_lands_on_the_knowledge_base(make, login, kb):
    browser = login(make(factories.user, Role.KNOWLEDGE_EDITOR))
    home = browser.get("/")
    assert home.headers["Location"].endswith("/kb")


def test_the_api_search_answers_in_rank_order_for_a_token_with_the_permission(app, make, kb):
    def token(role, department=None):
        user = make(factories.user, role, department)
        with app.app_context():
            return credentials.issue_user_token(db.session, user.id, now=utcnow(), days=90)

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token(Role.OPERATOR)}"}
    answer = client.get("/api/v1/kb/search?q=社保卡挂失&k=5", headers=headers)
    assert answer.status_code == 200
    items = answer.get_json()["items"]
    assert [i["title"] for i in items] == ["社保卡丢失如何挂失补办", "社保卡如何激活"]
    assert items[0]["score"] >= items[1]["score"]
    assert client.get("/api/v1/kb/search?q=社保卡&k=1", headers=headers).get_json()["items"][0]
    assert client.get("/api/v1/kb/search?k=5", headers=headers).status_code == 400
    assert client.get("/api/v1/kb/search?q=x&k=99", headers=headers).status_code == 400
    refused = {"Authorization": f"Bearer {token(Role.DEPARTMENT, '东城区城市管理委员会')}"}
    assert client.get("/api/v1/kb/search?q=社保卡", headers=refused).status_code == 403
    assert client.get("/api/v1/kb/search?q=社保卡").status_code == 401


def test_a_knowledge_editor_edits_the_synonyms_and_search_follows(make, login, kb):
    from hotline.core.kb.text import parse_groups

    assert parse_groups("暖气 供暖、采暖\n单独\n\n丢了，遗失") == [
        ["暖气", "供暖", "采暖"],
        ["丢了", "遗失"],
    ]
    operator = login(make(factories.user, Role.OPERATOR))
    assert operator.get("/kb/synonyms").status_code == 403
    assert operator.get("/kb/suggest?q=社会保障卡启用").get_json()["items"] == []
    editor = login(make(factories.user, Role.KNOWLEDGE_EDITOR))
    page = editor.get("/kb/synonyms")
    assert page.status_code == 200
    saved = editor.post("/kb/synonyms", {"groups": "社保卡 社会保障卡\n激活 启用"})
    assert saved.status_code == 302
    assert "社保卡 社会保障卡" in editor.get("/kb/synonyms").get_data(as_text=True)
    titles = [i["title"] for i in operator.get("/kb/suggest?q=社会保障卡启用").get_json()["items"]]
    assert titles[0] == "社保卡如何激活"
