"""The knowledge base's pure rules: words, synonyms, query strings, snippets, safe Markdown,
the import file's checks and the transition table."""

from datetime import date
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from hotline.core.accounts.roles import Role
from hotline.core.kb import markdown, ranking, text
from hotline.core.kb.articles import check_rows, header_columns
from hotline.core.kb.workflow import (
    ArticleAction,
    ArticleState,
    TransitionError,
    apply,
    available_actions,
)


def test_words_segment_chinese_and_drop_stop_words_and_punctuation():
    found = text.words("社保卡丢了怎么补办？")
    assert "社保卡" in found and "补办" in found
    assert not {"怎么", "了", "？"} & set(found)
    assert text.words("ＡＢＣ１２３") == ["abc123"]  # full width, upper case normalised


def test_index_text_is_space_separated_words():
    assert text.index_text("居住证", "签注") == "居住 居住证 签注"


def test_expansion_adds_each_words_synonyms_once():
    synonyms = {"丢了": ("丢失", "遗失"), "丢失": ("丢了", "遗失"), "遗失": ("丢了", "丢失")}
    concepts = text.expand("身份证丢了 丢失", synonyms)
    lost = [c for c in concepts if c.word == "丢了"]
    assert lost and lost[0].alternatives == (("丢了",), ("丢失",), ("遗失",))
    assert not [c for c in concepts if c.word == "丢失"]  # already an alternative


def test_a_multi_word_synonym_must_match_all_its_words():
    concepts = text.expand("补办", {"补办": ("重新办理",)})
    assert concepts[0].alternatives == (("补办",), ("重新", "办理"))
    assert text.fts5_query(concepts) == '(("补办") OR ("重新" AND "办理"))'
    assert text.tsquery(concepts[0]) == "('补办') | ('重新' & '办理')"


def test_query_syntax_typed_by_a_caller_is_never_query_syntax():
    concepts = text.expand('社保 OR "NEAR(x" * ) \' | & !', {})
    match = text.fts5_query(concepts)
    assert all(c.word.isalnum() for c in concepts)
    assert '("or")' in match  # a word, quoted, not the operator
    assert text.tsquery(concepts[1]) == "('or')"  # each word quoted, none holds a quote
    assert text.expand("的 了 吗 ？？", {}) == []


def test_an_editors_synonym_with_query_syntax_stays_words():
    synonyms = {"狗": ("o'dog\\",), "it's": ("狗",)}
    concepts = text.expand("it's 狗丢了", synonyms)
    for concept in concepts:
        for alternative in concept.alternatives:
            assert all(w and "'" not in w and "\\" not in w for w in alternative)
        text.tsquery(concept)  # builds without a quote to break it


def test_snippet_is_cut_around_the_first_word_found():
    body = "前言" * 60 + "如社保卡丢失请先挂失" + "后记" * 60
    piece = text.snippet(body, ["挂失"], width=40)
    assert "挂失" in piece and piece.startswith("…") and piece.endswith("…")
    assert len(piece) <= 42
    assert text.snippet("短文本", ["x"]) == "短文本"


def test_split_list_takes_chinese_and_latin_separators():
    assert text.split_list("社保卡、挂失，补办; 补卡 丢失") == [
        "社保卡",
        "挂失",
        "补办",
        "补卡",
        "丢失",
    ]


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        '<img src="x" onerror="alert(1)">',
        "![x](javascript:alert(1))",
        "<a href='javascript:alert(1)' onclick='alert(1)'>x</a>",
        "[x](JaVaScRiPt:alert(1))",
        '<iframe src="https://evil.example"></iframe>',
        "<svg onload=alert(1)>",
        "<style>body{display:none}</style>",
        "![x](/\\evil.example/x.png)",
        "![x](//evil.example/x.png)",
    ],
)
def test_markdown_renders_attacks_harmless(source):
    html = markdown.render(f"正文 {source} 正文")
    tags = _Tags()
    tags.feed(html)
    assert tags.names <= markdown.TAGS, html
    for _name, attribute, value in tags.attributes:
        assert not attribute.startswith("on"), html
        assert not (value or "").strip().lower().startswith(("javascript:", "data:")), html
        assert attribute != "style", html
        # An image is a path on this site: no other host in any spelling.
        assert not (attribute == "src" and urlsplit(value or "").netloc), html


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.names: set[str] = set()
        self.attributes: list[tuple[str, str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.names.add(tag)
        self.attributes.extend((tag, name, value) for name, value in attrs)


def test_markdown_keeps_formatting_and_local_images_only():
    html = markdown.render(
        "**粗体**\n\n- 一\n- 二\n\n[官网](https://www.beijing.gov.cn)\n\n"
        "![本地](/static/kb/a.png) ![外部](https://tracker.example/p.png)"
    )
    assert "<strong>粗体</strong>" in html and "<li>一</li>" in html
    assert 'href="https://www.beijing.gov.cn"' in html and "noopener" in html
    assert 'src="/static/kb/a.png"' in html
    assert "tracker.example" not in html
    assert markdown.plain("**粗体** [链接](https://a)") == "粗体 链接"


def test_import_headers_in_chinese_or_english_with_a_bom():
    assert header_columns(["\ufeff分类", "标题", "答案", "其他"]) == [
        "category",
        "title",
        "answer",
        None,
    ]
    assert header_columns(["Category", "title", "ANSWER"]) == ["category", "title", "answer"]


def test_import_rows_are_checked_line_by_line():
    checked = check_rows(
        [
            (
                2,
                {
                    "category": "社会保障/社保卡",
                    "title": "补办",
                    "answer": "答",
                    "public": "是",
                    "questions": "丢了|没了",
                    "keywords": "社保卡、补办",
                    "valid_from": "2026/1/5",
                    "valid_to": "2026-12-31",
                },
            ),
            (3, {"category": "", "title": "无分类", "answer": "答"}),
            (4, {"category": "a", "title": "日期", "answer": "答", "valid_from": "明天"}),
            (
                5,
                {
                    "category": "a",
                    "title": "倒置",
                    "answer": "答",
                    "valid_from": "2026-02-01",
                    "valid_to": "2026-01-01",
                },
            ),
            (6, {"category": "a", "title": "公开", "answer": "答", "public": "也许"}),
            (7, {"category": "a", "title": "", "answer": ""}),
            (8, {"category": "", "title": "", "answer": ""}),  # an empty line: skipped
            (9, {"category": "社会保障/社保卡", "title": "补办", "answer": "再来一遍"}),
        ]
    )
    row = checked.rows[0]
    assert row.category == ("社会保障", "社保卡") and row.public
    assert row.questions == ("丢了", "没了") and row.keywords == ("社保卡", "补办")
    assert row.valid_from == date(2026, 1, 5)
    assert sorted(checked.problems) == [
        (3, "category", "required"),
        (4, "valid_from", "invalid_date"),
        (5, "valid_to", "before_start"),
        (6, "public", "invalid"),
        (7, "answer", "required"),
        (7, "title", "required"),
        (9, "title", "kb_duplicate_title"),
    ]


def test_the_transition_table():
    editor, operator = Role.KNOWLEDGE_EDITOR, Role.OPERATOR
    draft = apply(ArticleState.DRAFT, ArticleAction.SUBMIT, operator, is_author=True)
    assert draft is ArticleState.SUBMITTED
    published = apply(draft, ArticleAction.PUBLISH, editor, is_author=False)
    assert published is ArticleState.PUBLISHED
    with pytest.raises(TransitionError, match="kb_own_article"):
        apply(draft, ArticleAction.PUBLISH, editor, is_author=True)
    with pytest.raises(TransitionError, match="not_allowed_for_role"):
        apply(draft, ArticleAction.PUBLISH, operator, is_author=False)
    with pytest.raises(TransitionError, match="kb_not_allowed_in_state"):
        apply(ArticleState.DRAFT, ArticleAction.PUBLISH, editor, is_author=False)
    with pytest.raises(TransitionError, match="not_allowed_for_role"):
        apply(ArticleState.DRAFT, ArticleAction.EDIT, Role.DEPARTMENT, is_author=True)
    assert apply(published, ArticleAction.EDIT, operator, is_author=True) is ArticleState.DRAFT
    assert ArticleAction.PUBLISH not in available_actions(draft, editor, is_author=True)
    assert ArticleAction.PUBLISH in available_actions(draft, Role.SUPERVISOR, is_author=False)
    # The system (the importer) makes any move of the table, no other.
    assert apply(draft, ArticleAction.PUBLISH, None, is_author=False) is ArticleState.PUBLISHED
    with pytest.raises(TransitionError):
        apply(ArticleState.ARCHIVED, ArticleAction.PUBLISH, None, is_author=False)


def test_bm25f_weights_the_title_above_the_answer():
    concepts = text.expand("社保卡", {})
    idfs = [ranking.idf(100, 5) for _ in concepts]
    stats = ranking.Statistics(100, (10.0, 20.0, 200.0))
    prepared = ranking.prepare(concepts)
    in_title = ranking.score(("社保 社保卡", "", "其他 内容"), prepared, idfs, stats)
    in_answer = ranking.score(("其他", "", "社保 社保卡"), prepared, idfs, stats)
    assert in_title > in_answer > 0
    assert ranking.score(("无关", "", ""), [], [], stats) == 0
    twice = ranking.prepare(text.expand("社保 社保", {}))
    assert ranking.score(("社保 社保", "", ""), twice[:1], idfs[:1], stats) > in_title / 2
