"""The knowledge base on both databases: the state machine, versions, what search returns,
the index in the publishing transaction, and the import."""

import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select, text

from hotline.core.accounts.roles import Role
from hotline.core.kb.articles import Content
from hotline.models import KbArticle, KbCategory, KbSearch, KbVersion
from hotline.plugins import db
from hotline.services.errors import Forbidden
from hotline.services.kb import articles, importing, search, synonyms
from hotline.services.kb.articles import Actor
from tests import factories

TODAY = date(2026, 11, 20)


def _category(name="社会保障") -> int:
    category = KbCategory(name=name, position=0)
    db.session.add(category)
    db.session.commit()
    return category.id


def _actors():
    author = factories.user(Role.OPERATOR, username="kb_author")
    editor = factories.user(Role.KNOWLEDGE_EDITOR, username="kb_editor")
    return Actor(author.id, Role.OPERATOR), Actor(editor.id, Role.KNOWLEDGE_EDITOR)


def _content(category_id: int, **overrides) -> Content:
    values = {
        "category_id": category_id,
        "title": "社保卡丢失如何挂失补办",
        "answer": "请先**挂失**，再到银行网点补办。",
        "keywords": ("社保卡", "挂失"),
        "questions": ("社保卡丢了怎么办",),
    }
    return Content(**{**values, **overrides})


def _titles(query: str, day: date = TODAY, **kwargs) -> list[str]:
    return [h.title for h in search.search(db.session, query, k=5, today=day, **kwargs)]


def _published(author, editor, content) -> int:
    now = factories.NOW
    article_id = articles.add(db.session, content, actor=author, now=now)
    articles.submit(db.session, article_id, actor=author, now=now)
    articles.publish(db.session, article_id, actor=editor, now=now)
    return article_id


def test_only_the_table_moves_an_article_and_never_its_author_publishes(any_app):
    with any_app.app_context():
        author, editor = _actors()
        category = _category()
        now = factories.NOW
        article_id = articles.add(db.session, _content(category), actor=author, now=now)
        with pytest.raises(Forbidden, match="kb_not_allowed_in_state"):
            articles.publish(db.session, article_id, actor=editor, now=now)
        articles.submit(db.session, article_id, actor=author, now=now)
        with pytest.raises(Forbidden, match="not_allowed_for_role"):
            articles.publish(db.session, article_id, actor=author, now=now)
        # An editor who wrote the article may not publish it either.
        own = articles.add(db.session, _content(category, title="自己写的"), actor=editor, now=now)
        articles.submit(db.session, own, actor=editor, now=now)
        with pytest.raises(Forbidden, match="kb_own_article"):
            articles.publish(db.session, own, actor=editor, now=now)
        # Nor one whose latest version they edited.
        articles.edit(
            db.session, article_id, _content(category, answer="改过"), actor=editor, now=now
        )
        articles.submit(db.session, article_id, actor=author, now=now)
        with pytest.raises(Forbidden, match="kb_own_article"):
            articles.publish(db.session, article_id, actor=editor, now=now)
        supervisor = factories.user(Role.SUPERVISOR, username="kb_supervisor")
        articles.publish(
            db.session, article_id, actor=Actor(supervisor.id, Role.SUPERVISOR), now=now
        )
        article = db.session.get(KbArticle, article_id)
        assert (article.state, article.published_by_id) == ("published", supervisor.id)
        department = factories.user(Role.DEPARTMENT, "东城区城市管理委员会", username="kb_dept")
        with pytest.raises(Forbidden, match="not_allowed_for_role"):
            articles.edit(
                db.session,
                article_id,
                _content(category),
                actor=Actor(department.id, Role.DEPARTMENT),
                now=now,
            )


def test_every_edit_is_a_version_and_the_published_one_is_served_meanwhile(any_app):
    with any_app.app_context():
        author, editor = _actors()
        category = _category()
        article_id = _published(author, editor, _content(category))
        assert _titles("社保卡丢了") == ["社保卡丢失如何挂失补办"]
        now = factories.NOW
        renamed = _content(category, title="社会保障卡挂失与补办")
        assert articles.edit(db.session, article_id, renamed, actor=author, now=now) == 2
        articles.submit(db.session, article_id, actor=author, now=now)
        # Under review: still the published version 1 is found, by its title.
        assert _titles("社保卡丢了") == ["社保卡丢失如何挂失补办"]
        article = db.session.get(KbArticle, article_id)
        assert (article.state, article.published_number, article.latest_number) == (
            "submitted",
            1,
            2,
        )
        articles.publish(db.session, article_id, actor=editor, now=now)
        assert _titles("社保卡丢了") == ["社会保障卡挂失与补办"]
        numbers = db.session.scalars(
            select(KbVersion.number)
            .where(KbVersion.article_id == article_id)
            .order_by(KbVersion.number)
        ).all()
        assert numbers == [1, 2]
        assert db.session.get(KbVersion, 1).title == "社保卡丢失如何挂失补办"  # kept as written


def test_expired_and_future_articles_and_drafts_are_never_found(any_app):
    with any_app.app_context():
        author, editor = _actors()
        category = _category()
        _published(author, editor, _content(category, title="今年有效的社保卡补办"))
        _published(
            author,
            editor,
            _content(category, title="已失效的社保卡补办", valid_to=date(2026, 11, 19)),
        )
        _published(
            author,
            editor,
            _content(category, title="明年生效的社保卡补办", valid_from=date(2026, 11, 21)),
        )
        articles.add(
            db.session, _content(category, title="草稿社保卡补办"), actor=author, now=factories.NOW
        )
        assert _titles("社保卡补办") == ["今年有效的社保卡补办"]
        assert "明年生效的社保卡补办" in _titles("社保卡补办", day=date(2026, 11, 21))
        assert _titles("社保卡补办", day=date(2026, 11, 20)) == ["今年有效的社保卡补办"]
        assert _titles("社保卡补办", public_only=True) == []


def test_archiving_removes_from_the_index_in_its_transaction(any_app):
    with any_app.app_context():
        author, editor = _actors()
        category = _category()
        article_id = _published(author, editor, _content(category))
        assert _titles("挂失") == ["社保卡丢失如何挂失补办"]
        articles.archive(db.session, article_id, actor=editor, now=factories.NOW)
        assert _titles("挂失") == []
        assert db.session.scalar(select(func.count()).select_from(KbSearch)) == 0
        articles.restore(db.session, article_id, actor=editor, now=factories.NOW)
        assert _titles("挂失") == []
        articles.submit(db.session, article_id, actor=author, now=factories.NOW)
        articles.publish(db.session, article_id, actor=editor, now=factories.NOW)
        assert _titles("挂失") == ["社保卡丢失如何挂失补办"]


def test_a_failed_publish_leaves_neither_the_state_nor_the_index(any_app, monkeypatch):
    with any_app.app_context():
        author, editor = _actors()
        category = _category()
        now = factories.NOW
        article_id = articles.add(db.session, _content(category), actor=author, now=now)
        articles.submit(db.session, article_id, actor=author, now=now)

        def fail():
            raise RuntimeError("disk full")

        monkeypatch.setattr(articles.search, "forget_statistics", fail)
        with pytest.raises(RuntimeError):
            articles.publish(db.session, article_id, actor=editor, now=now)
        monkeypatch.undo()
        assert db.session.get(KbArticle, article_id).state == "submitted"
        assert db.session.scalar(select(func.count()).select_from(KbSearch)) == 0
        assert _titles("挂失") == []
        full_text = {
            "sqlite": "SELECT count(*) FROM kb_fts WHERE kb_fts MATCH '\"挂失\"'",
            "postgresql": "SELECT count(*) FROM kb_search "
            "WHERE kb_fts @@ to_tsquery('simple', '挂失')",
        }[db.engine.dialect.name]
        assert db.session.execute(text(full_text)).scalar() == 0
        articles.publish(db.session, article_id, actor=editor, now=now)
        assert db.session.execute(text(full_text)).scalar() == 1


def test_synonyms_find_what_citizens_call_it_otherwise(any_app):
    with any_app.app_context():
        author, editor = _actors()
        category = _category()
        _published(
            author,
            editor,
            _content(
                category,
                title="暖气不热怎么办",
                keywords=(),
                questions=(),
                answer="室温不达标可报修。",
            ),
        )
        assert _titles("供暖温度") == []
        synonyms.save_group(db.session, ["暖气", "供暖", "采暖"])
        assert _titles("供暖温度") == ["暖气不热怎么办"]
        assert synonyms.groups(db.session) == [["暖气", "供暖", "采暖"]]


def test_search_is_limited_to_a_category_and_those_under_it(any_app):
    with any_app.app_context():
        result = importing.import_file(
            db.session,
            "分类,标题,答案\n社会保障/社保卡,社保卡补办,补办社保卡\n社会保障/医保,医保卡补办,补办医保卡\n户政/身份证,身份证补办,补办身份证\n".encode(),
            "a.csv",
            now=factories.NOW,
            publish=True,
        )
        assert len(result.created) == 3
        root = db.session.scalar(select(KbCategory.id).where(KbCategory.name == "社会保障"))
        assert sorted(_titles("补办", category_id=root)) == ["医保卡补办", "社保卡补办"]
        assert len(_titles("补办")) == 3


CSV = (
    "分类,标题,关键词,答案,相似问法,生效日期,失效日期,公开,来源\n"
    '社会保障/社保卡,社保卡丢失如何挂失补办,"社保卡、挂失，补办","多行\n答案",丢了|没了,2026-01-01,,是,《办法》\n'
    "户政/身份证,身份证补办,身份证 补办,到派出所补办,,,,否,\n"
)


def _imported(session) -> int:
    return session.scalar(select(func.count()).select_from(KbArticle))


def test_import_csv_with_a_bom_then_english_headers_then_xlsx(any_app):
    with any_app.app_context():
        result = importing.import_file(
            db.session, ("\ufeff" + CSV).encode(), "kb.csv", now=factories.NOW, publish=True
        )
        assert len(result.created) == 2
        first = db.session.scalars(select(KbVersion).order_by(KbVersion.id)).first()
        assert (first.keywords, first.questions, first.public) == (
            "社保卡\n挂失\n补办",
            "丢了\n没了",
            True,
        )
        assert first.valid_from == date(2026, 1, 1) and first.answer == "多行\n答案"
        article = db.session.get(KbArticle, first.article_id)
        assert (article.state, article.published_by_id, article.author_id) == (
            "published",
            None,
            None,
        )
        assert _titles("社保卡没了") == ["社保卡丢失如何挂失补办"]
        english = "category,title,keywords,answer,questions,valid_from,valid_to,public,source\n" + (
            "交通/驾驶证,驾驶证到期换证,换证,到车管所,,,,true,\n"
        )
        importing.import_file(db.session, english.encode(), "en.csv", now=factories.NOW)
        assert _imported(db.session) == 3
        assert _titles("驾驶证换证") == []  # a draft: not published
        book = Workbook()
        sheet = book.active
        sheet.append(["分类", "标题", "答案", "生效日期", "公开"])
        sheet.append(["交通/车辆", "车辆年检", "到检测场", date(2026, 1, 1), 1])
        sheet.append(["交通/车辆", "违章处理", "到交管局", None, "否"])
        stream = io.BytesIO()
        book.save(stream)
        result = importing.import_file(
            db.session, stream.getvalue(), "kb.xlsx", now=factories.NOW, publish=True
        )
        assert len(result.created) == 2 and _imported(db.session) == 5
        assert _titles("车辆年检")[0] == "车辆年检"


def test_a_file_with_bad_rows_imports_nothing_and_says_where(any_app):
    with any_app.app_context():
        bad = CSV + "户政/户口,,,缺标题,,,,,\n户政/户口,日期错,,答案,,2026-13-01,,,\n"
        with pytest.raises(importing.ImportFailed) as failed:
            importing.import_file(
                db.session, bad.encode(), "bad.csv", now=factories.NOW, publish=True
            )
        assert failed.value.problems == [
            (5, "title", "required"),
            (6, "valid_from", "invalid_date"),
        ]
        with pytest.raises(importing.ImportFailed) as failed:
            importing.import_file(
                db.session, "标题,答案\nx,y\n".encode(), "x.csv", now=factories.NOW
            )
        assert failed.value.problems == [(1, "category", "kb_missing_columns")]
        with pytest.raises(importing.ImportFailed):
            importing.import_file(
                db.session,
                "分类,标题,答案\n".encode("gbk") + "类,题,答".encode("gbk"),
                "gbk.csv",
                now=factories.NOW,
            )
        assert _imported(db.session) == 0
        assert db.session.scalar(select(func.count()).select_from(KbCategory)) == 0


def test_document_frequencies_follow_publishing_and_archiving(any_app):
    from hotline.database import write_transaction
    from hotline.models import KbTerm
    from hotline.services.kb import terms

    def counts():
        return dict(db.session.execute(select(KbTerm.term, KbTerm.documents)).all())

    with any_app.app_context():
        author, editor = _actors()
        category = _category()
        first = _published(author, editor, _content(category))
        _published(author, editor, _content(category, title="社保卡如何激活", answer="到银行激活"))
        assert counts()["社保卡"] == 2 and counts()["激活"] == 1
        articles.edit(
            db.session,
            first,
            _content(category, answer="改为线上办理"),
            actor=author,
            now=factories.NOW,
        )
        articles.submit(db.session, first, actor=author, now=factories.NOW)
        articles.publish(db.session, first, actor=editor, now=factories.NOW)
        assert "银行网点" not in counts() and counts()["线上"] == 1
        kept = counts()
        with write_transaction(db.session):
            terms.rebuild(db.session)
        assert counts() == kept  # the same as counting again
        articles.archive(db.session, first, actor=editor, now=factories.NOW)
        assert counts()["社保卡"] == 1 and "线上" not in counts()
