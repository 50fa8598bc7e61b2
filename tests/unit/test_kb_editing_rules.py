"""Pure rules of the editors' side: the form's parsing, the side-by-side diff, the gap key,
the answer as plain text, due for review, and a draft from an order."""

from datetime import date

from hotline.core.kb import diff, editor, usage


def test_form_parses_lists_dates_and_flags():
    draft, errors = editor.parse(
        {
            "category_id": "3",
            "title": " 居住证 ",
            "keywords": "居住证，办理、居住证",
            "questions": "怎么办居住证\r\n\r\n居住证在哪办\n怎么办居住证",
            "answer": "答案\r\n第二行",
            "department_id": "",
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
            "review_at": "2026-06-30",
            "public": "on",
        }
    )
    assert errors == {}
    assert draft.content.title == "居住证" and draft.content.keywords == ("居住证", "办理")
    assert draft.content.questions == ("怎么办居住证", "居住证在哪办")
    assert draft.content.answer == "答案\n第二行" and draft.content.public
    assert draft.review_at == date(2026, 6, 30) and draft.content.department_id is None


def test_form_errors_by_field():
    draft, errors = editor.parse(
        {
            "category_id": "x",
            "title": "",
            "answer": "",
            "valid_from": "2026-13-01",
            "note": "长" * 501,
        }
    )
    assert draft is None
    assert errors == {
        "category_id": "invalid_choice",
        "title": "required",
        "answer": "required",
        "valid_from": "invalid_date",
        "note": "too_long",
    }
    _, errors = editor.parse(
        {
            "category_id": "1",
            "title": "t",
            "answer": "a",
            "valid_from": "2026-05-01",
            "valid_to": "2026-04-01",
        }
    )
    assert errors == {"valid_to": "before_start"}


def test_diff_rows_side_by_side():
    rows = diff.lines("a\nb\nc", "a\nB\nc\nd")
    assert [(r.kind, r.left, r.right) for r in rows] == [
        ("same", "a", "a"),
        ("changed", "b", "B"),
        ("same", "c", "c"),
        ("added", "", "d"),
    ]
    fields = diff.compare({"title": "x", "answer": "y"}, {"title": "x", "answer": "z"})
    assert [(f.field, f.changed) for f in fields] == [("title", False), ("answer", True)]
    assert [r.kind for r in diff.lines("gone", "")] == ["removed"]


def test_gap_key_is_the_words_without_their_parts():
    assert usage.gap_key("社保卡怎么补办？") == usage.gap_key("社保卡  补办") == "社保卡 补办"
    assert usage.gap_key("公积金提取") == "公积金 提取"
    assert usage.gap_key("？？怎么办") == ""


def test_answer_text_keeps_lines_and_drops_marks():
    text = usage.answer_text("# 办理\n\n携带**身份证**。\n\n1. 照片\n2. 表格 <b>x</b>")
    assert text == "办理\n携带身份证。\n照片\n表格 <b>x</b>"


def test_due_for_review():
    today = date(2026, 11, 20)
    assert usage.is_due(date(2026, 11, 19), None, today)
    assert usage.is_due(None, today, today)
    assert not usage.is_due(today, date(2026, 11, 21), today)


def test_draft_from_an_order():
    form = editor.from_order("20261120-000001", "请问 " + "长" * 80, "答复")
    assert form["title"].endswith("…") and len(form["title"]) == 61
    assert form["questions"].startswith("请问 长") and form["answer"] == "答复"
    assert form["source"] == "工单 20261120-000001"


def test_gaps_never_keep_long_numbers():
    assert usage.redact("我是13800138000，身份证 110101 19900101 1234") == "我是***，身份证 ***"
    assert usage.redact("电话138.1234.5678或138－1234－5678") == "电话***或***"
    assert "138" not in usage.gap_key("13800138000 社保卡补办")


def test_dates_at_the_ends_of_the_calendar_are_refused():
    form = {"category_id": "1", "title": "t", "answer": "a"}
    for value in ("0001-01-01", "9999-12-31"):
        _, errors = editor.parse({**form, "valid_to": value, "review_at": value})
        assert errors == {"valid_to": "invalid_date", "review_at": "invalid_date"}
