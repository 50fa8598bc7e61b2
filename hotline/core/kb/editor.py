"""The editor's form as typed, parsed into an article's content (`core.kb.articles.Content`)
and its review date; and the draft an order's question and answer become (知识沉淀)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from hotline.core import days
from hotline.core.kb.articles import Content, check
from hotline.core.kb.text import split_list

NOTE_MAX = 500


@dataclass(frozen=True)
class Draft:
    """A parsed editor's form: the content, the article's review date and what changed."""

    content: Content
    review_at: date | None
    note: str


def _date(value: str, field: str, errors: dict[str, str]) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    day = days.parse_day(value)
    if day is None:
        errors[field] = "invalid_date"
    return day


def _int(value: str, field: str, errors: dict[str, str], required: bool) -> int | None:
    value = (value or "").strip()
    if not value:
        if required:
            errors[field] = "required"
        return None
    if not value.isdigit() or len(value) > 12:
        errors[field] = "invalid_choice"
        return None
    return int(value)


def parse(form: Mapping[str, str]) -> tuple[Draft | None, dict[str, str]]:
    """The draft, or None and field -> error code."""
    errors: dict[str, str] = {}
    category_id = _int(form.get("category_id", ""), "category_id", errors, required=True)
    department_id = _int(form.get("department_id", ""), "department_id", errors, required=False)
    valid_from = _date(form.get("valid_from", ""), "valid_from", errors)
    valid_to = _date(form.get("valid_to", ""), "valid_to", errors)
    review_at = _date(form.get("review_at", ""), "review_at", errors)
    note = (form.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = "too_long"
    content = Content(
        category_id=category_id or 0,
        title=(form.get("title") or "").strip(),
        answer=(form.get("answer") or "").replace("\r\n", "\n").strip(),
        keywords=tuple(dict.fromkeys(split_list(form.get("keywords") or ""))),
        questions=tuple(
            dict.fromkeys(
                q.strip() for q in (form.get("questions") or "").splitlines() if q.strip()
            )
        ),
        source=(form.get("source") or "").strip(),
        department_id=department_id,
        valid_from=valid_from,
        valid_to=valid_to,
        public=(form.get("public") or "") in ("on", "1", "true", "y"),
    )
    for field, code in check(content).items():
        errors.setdefault(field, code)
    if errors:
        return None, errors
    return Draft(content, review_at, note), {}


QUESTION_TITLE_MAX = 60


def from_order(number: str, description: str, answer: str) -> dict[str, str]:
    """The editor's form filled from a closed order: its description is the question (and
    the title's start), its answer the answer, and the order is named as the source."""
    question = " ".join((description or "").split())
    title = question[:QUESTION_TITLE_MAX] + ("…" if len(question) > QUESTION_TITLE_MAX else "")
    return {
        "title": title,
        "questions": question,
        "answer": (answer or "").strip(),
        "source": f"工单 {number}",
        "note": f"来自工单 {number}",
    }
