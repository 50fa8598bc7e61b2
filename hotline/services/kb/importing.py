"""Importing articles from a CSV (UTF-8, with or without BOM) or XLSX file: every row is
checked first and a file with a bad row imports nothing; a good file is written in one
transaction, published at once when asked (by the system)."""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.kb.articles import (
    REQUIRED_COLUMNS,
    Content,
    ImportRow,
    check_rows,
    header_columns,
)
from hotline.core.kb.workflow import ArticleAction
from hotline.database import write_transaction
from hotline.models import KbArticle, KbVersion
from hotline.services.errors import ServiceError
from hotline.services.kb import articles, categories


class ImportFailed(ServiceError):
    """The file cannot be imported; `problems` says where: (line, column, error code)."""

    code = "kb_import_failed"

    def __init__(self, problems: list[tuple[int, str, str]]) -> None:
        super().__init__(
            "kb_import_failed", "; ".join(f"line {n}: {c}: {e}" for n, c, e in problems)
        )
        self.problems = problems


@dataclass
class ImportResult:
    """What was written: new article ids, and the lines skipped as already there."""

    created: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


def read_rows(data: bytes, filename: str) -> list[tuple[int, dict[str, object]]]:
    """(line, column -> value) of a CSV or XLSX file; ImportFailed if unreadable."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return _xlsx(data)
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed([(1, "", "kb_not_utf8")]) from exc
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        headers = next(reader)
    except StopIteration as exc:
        raise ImportFailed([(1, "", "kb_missing_columns")]) from exc
    columns = _columns(headers)
    rows = []
    start = reader.line_num + 1
    for record in reader:
        rows.append((start, {c: v for c, v in zip(columns, record, strict=False) if c}))
        start = reader.line_num + 1
    return rows


def _columns(headers) -> list[str | None]:
    columns = header_columns(str(h or "") for h in headers)
    if missing := REQUIRED_COLUMNS - set(columns):
        raise ImportFailed([(1, c, "kb_missing_columns") for c in sorted(missing)])
    return columns


def _xlsx(data: bytes) -> list[tuple[int, dict[str, object]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is one answer
        raise ImportFailed([(1, "", "kb_unreadable_file")]) from exc
    try:
        sheet = book.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        columns = _columns(next(lines, ()))
        return [
            (n, {c: v for c, v in zip(columns, values, strict=False) if c})
            for n, values in enumerate(lines, start=2)
        ]
    finally:
        book.close()


def _existing(session: Session, category_id: int, title: str) -> bool:
    return (
        session.scalar(
            select(KbArticle.id)
            .join(
                KbVersion,
                (KbVersion.article_id == KbArticle.id)
                & (KbVersion.number == KbArticle.latest_number),
            )
            .where(KbVersion.category_id == category_id, KbVersion.title == title)
            .limit(1)
        )
        is not None
    )


def import_file(
    session: Session,
    data: bytes,
    filename: str,
    *,
    now: datetime,
    actor: articles.Actor = articles.SYSTEM,
    publish: bool = False,
    synthetic: bool = False,
    skip_existing: bool = False,
    by: str = "",
) -> ImportResult:
    """Import every row of the file or none (ImportFailed with the problems by line).
    `by` says who imported when the actor is the system (a console user); it is kept in
    each version's note."""
    checked = check_rows(read_rows(data, filename))
    if checked.problems:
        raise ImportFailed(checked.problems)
    result = ImportResult()
    with write_transaction(session):
        for row in checked.rows:
            category_id = categories.ensure_path(session, row.category)
            if skip_existing and _existing(session, category_id, row.title):
                result.skipped.append(row.line)
                continue
            article_id = articles.add_in_transaction(
                session,
                _content(row, category_id),
                actor=actor,
                now=now,
                synthetic=synthetic,
                note=f"import: {filename}" + (f" by {by}" if by else ""),
            )
            if publish:
                articles.move_in_transaction(session, article_id, ArticleAction.SUBMIT, actor, now)
                articles.publish_in_transaction(session, article_id, actor=actor, now=now)
            result.created.append(article_id)
    return result


def _content(row: ImportRow, category_id: int) -> Content:
    return Content(
        category_id=category_id,
        title=row.title,
        answer=row.answer,
        keywords=row.keywords,
        questions=row.questions,
        source=row.source,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        public=row.public,
    )
