"""An article's content as written (one version), its checks, and the import file's rows."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from hotline.core.kb.text import split_list

TITLE_MAX = 200
SOURCE_MAX = 500
CATEGORY_NAME_MAX = 64


@dataclass(frozen=True)
class Content:
    """What a version holds. `keywords` and `questions` (相似问法) are lists."""

    category_id: int
    title: str
    answer: str
    keywords: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    source: str = ""
    department_id: int | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    public: bool = False


def check(content: Content) -> dict[str, str]:
    """Field -> error code for what is wrong with `content` (empty: nothing)."""
    errors: dict[str, str] = {}
    if not content.title.strip():
        errors["title"] = "required"
    elif len(content.title) > TITLE_MAX:
        errors["title"] = "too_long"
    if not content.answer.strip():
        errors["answer"] = "required"
    if len(content.source) > SOURCE_MAX:
        errors["source"] = "too_long"
    if content.valid_from and content.valid_to and content.valid_to < content.valid_from:
        errors["valid_to"] = "before_start"
    return errors


def is_valid_on(valid_from: date | None, valid_to: date | None, day: date) -> bool:
    """Whether a version is in force on `day` (both ends inclusive, None = open)."""
    return (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)


# The import file: Chinese or English headers, the same columns.
HEADERS = {
    "分类": "category",
    "标题": "title",
    "关键词": "keywords",
    "答案": "answer",
    "相似问法": "questions",
    "生效日期": "valid_from",
    "失效日期": "valid_to",
    "公开": "public",
    "来源": "source",
}
COLUMNS = frozenset(HEADERS.values())
REQUIRED_COLUMNS = frozenset({"category", "title", "answer"})
_TRUE = {"是", "true", "1", "yes", "y", "公开"}
_FALSE = {"否", "false", "0", "no", "n", "不公开", ""}


@dataclass(frozen=True)
class ImportRow:
    """One row of an import file, checked: `category` is the path's names."""

    line: int
    category: tuple[str, ...]
    title: str
    answer: str
    keywords: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    source: str = ""
    valid_from: date | None = None
    valid_to: date | None = None
    public: bool = False


@dataclass
class ImportCheck:
    """The rows that are good and, by line, what is wrong with the others."""

    rows: list[ImportRow] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # line, column, code


def header_columns(headers: Iterable[str]) -> list[str | None]:
    """Each header as its column name (None: a column we do not read)."""
    columns = []
    for header in headers:
        name = (header or "").strip().lstrip("\ufeff").strip()
        columns.append(HEADERS.get(name) or (name.lower() if name.lower() in COLUMNS else None))
    return columns


def _date(value: str) -> date:
    text = value.strip().replace("/", "-").replace(".", "-")
    text = re.sub(r"[年月]", "-", text).replace("日", "")
    return date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))


def check_rows(rows: Iterable[tuple[int, Mapping[str, object]]]) -> ImportCheck:
    """Check (line, column -> value) rows; values may be text, dates or numbers."""
    result = ImportCheck()
    seen: dict[tuple[tuple[str, ...], str], int] = {}
    for line, raw in rows:
        values = {k: "" if v is None else v for k, v in raw.items()}
        if all(str(v).strip() == "" for v in values.values()):
            continue  # an empty line
        problems: list[tuple[int, str, str]] = []
        text = {k: str(v).strip() for k, v in values.items() if not isinstance(v, date)}
        path = tuple(p.strip() for p in re.split(r"[/／>]", text.get("category", "")) if p.strip())
        if not path:
            problems.append((line, "category", "required"))
        elif any(len(p) > CATEGORY_NAME_MAX for p in path):
            problems.append((line, "category", "too_long"))
        title, answer = text.get("title", ""), values.get("answer", "")
        answer = str(answer).strip()
        if not title:
            problems.append((line, "title", "required"))
        elif len(title) > TITLE_MAX:
            problems.append((line, "title", "too_long"))
        if not answer:
            problems.append((line, "answer", "required"))
        dates: dict[str, date | None] = {}
        for column in ("valid_from", "valid_to"):
            value = values.get(column, "")
            if isinstance(value, date):
                dates[column] = value if type(value) is date else value.date()  # type: ignore[attr-defined]
                continue
            try:
                dates[column] = _date(str(value)) if str(value).strip() else None
            except ValueError:
                problems.append((line, column, "invalid_date"))
        if (
            dates.get("valid_from")
            and dates.get("valid_to")
            and dates["valid_to"] < dates["valid_from"]
        ):  # type: ignore[operator]
            problems.append((line, "valid_to", "before_start"))
        public = text.get("public", "").lower()
        if public not in _TRUE and public not in _FALSE:
            problems.append((line, "public", "invalid"))
        source = text.get("source", "")
        if len(source) > SOURCE_MAX:
            problems.append((line, "source", "too_long"))
        if path and title:
            if (path, title) in seen:
                problems.append((line, "title", "kb_duplicate_title"))
            seen[(path, title)] = line
        if problems:
            result.problems.extend(problems)
            continue
        result.rows.append(
            ImportRow(
                line=line,
                category=path,
                title=title,
                answer=answer,
                keywords=tuple(split_list(text.get("keywords", ""))),
                questions=tuple(
                    q.strip() for q in text.get("questions", "").split("|") if q.strip()
                ),
                source=source,
                valid_from=dates.get("valid_from"),
                valid_to=dates.get("valid_to"),
                public=public in _TRUE,
            )
        )
    return result
