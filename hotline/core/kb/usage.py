"""Usage of the knowledge base that is pure rule: the key a knowledge gap (知识缺口) is
counted under, and which articles are due for another look."""

import html
import re
from datetime import date

import nh3

from hotline.core.kb import markdown, text

GAP_QUERY_MAX = 200


# Digits (full-width too) with the separators people type between them: 138.1234.5678,
# 138－1234－5678, (010) 6512 3456.
_LONG_NUMBER = re.compile(r"\d[\d\s\-.－·/()（）]{4,}\d")


def redact(query: str) -> str:
    """A query without long numbers (phones, ID cards, order numbers): a description typed
    at intake may carry the caller's, and gaps are shown to editors and in reports."""
    return _LONG_NUMBER.sub("***", query)


def gap_key(query: str) -> str:
    """The normalised form a gap is counted under: the query's words (jieba, stop words
    and punctuation left out) in their order, so 社保卡怎么补办？ and 社保卡 补办 count
    together; "" (nothing to count) when no word is left. At most 200 characters."""
    found = list(dict.fromkeys(text.words(redact(query[:1000]))))
    # jieba's search mode also gives the parts of a long word (社保 of 社保卡): keep the word.
    kept = [w for w in found if not any(w != other and w in other for other in found)]
    return " ".join(kept)[:GAP_QUERY_MAX].strip()


def is_due(valid_to: date | None, review_at: date | None, today: date) -> bool:
    """Expired (its last valid day has passed) or its review date reached."""
    return (valid_to is not None and valid_to < today) or (
        review_at is not None and review_at <= today
    )


_BREAK = re.compile(r"<br\s*/?>|</(p|li|h[1-6]|tr|blockquote|pre)>", re.IGNORECASE)


def answer_text(answer: str) -> str:
    """An article's Markdown answer as plain text for an order's answer field: the marks
    gone, one line per paragraph, list item or heading."""
    rendered = _BREAK.sub("\n", markdown.render(answer))
    plain = html.unescape(nh3.clean(rendered, tags=set()))
    lines = (" ".join(line.split()) for line in plain.splitlines())
    return "\n".join(line for line in lines if line)
