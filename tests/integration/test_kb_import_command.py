"""`flask hotline kb-import FILE [--publish]` and the demo's knowledge base."""

from sqlalchemy import func, select

from hotline.demo import kb as demo_kb
from hotline.models import KbArticle, KbSearch, KbSynonym, KbVersion
from hotline.plugins import db
from tests import factories


def test_the_command_imports_a_good_file_and_nothing_of_a_bad_one(app, tmp_path):
    good = tmp_path / "kb.csv"
    good.write_text(
        "\ufeff分类,标题,答案,公开\n社会保障/社保卡,社保卡补办,到网点补办,是\n", encoding="utf-8"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("分类,标题,答案\n户政,,缺标题\n户政,好的,答案\n", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["hotline", "kb-import", str(bad)])
    assert result.exit_code != 0
    assert "line 2: title" in result.output and "nothing imported" in result.output
    result = runner.invoke(args=["hotline", "kb-import", str(good), "--publish"])
    assert result.exit_code == 0, result.output
    assert "1 articles imported (published by the system)" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(KbArticle)) == 1
        assert db.session.scalar(select(func.count()).select_from(KbSearch)) == 1
        note = db.session.scalar(select(KbVersion.note))
        assert note.startswith("import: kb.csv by ") and note.endswith(" at the console")


def test_the_demo_knowledge_base_loads_once(app):
    with app.app_context():
        created, groups = demo_kb.seed_kb(db.session, factories.NOW)
        assert created >= 100 and groups >= 50
        synonyms = db.session.scalar(select(func.count()).select_from(KbSynonym))
        assert demo_kb.seed_kb(db.session, factories.NOW)[0] == 0
        assert db.session.scalar(select(func.count()).select_from(KbArticle)) == created
        assert db.session.scalar(select(func.count()).select_from(KbSynonym)) == synonyms
        assert db.session.scalar(select(func.count()).where(KbArticle.synthetic)) == created
