"""Chinese words for the knowledge base's search: segmentation (jieba), query expansion
through synonyms, the query strings of both databases, and snippets.

jieba is loaded once, quietly: its logger is silenced and its dictionary cache is written
where `configure` says (the instance folder), not into the working directory.
"""

import logging
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

_lock = threading.Lock()
_tokenizer = None
_cache_dir: Path | None = None

# Words that say nothing about which article is meant (asked in every question).
_STOPWORDS_WORDS = (
    "的 了 吗 呢 吧 啊 呀 么 嘛 是 在 我 你 他 她 它 我们 你们 要 想 请问 请 问 一下 "
    "怎么 怎么办 怎样 如何 什么 哪里 哪儿 哪个 哪些 多少 可以 能 能不能 可不可以 "
    "需要 应该 有 没有 会 还 和 与 或 及 到 去 给 被 把 让 对 从 就 都 也 又 很 "
    "这 那 这个 那个 个 吗？ 呢？ 么？ 啥 咋 咋办 谁 为什么 为啥 是否 时候 现在 "
    "我家 自己 一个 有关 关于 办法 问题 情况"
)
STOPWORDS = frozenset(_STOPWORDS_WORDS.split())
_WORD = re.compile(r"\w", re.UNICODE)
# What may not appear in a word handed to a query language.
_UNSAFE = re.compile(r"[\"'\\&|!():*<>]")


def configure(cache_dir: Path | str) -> None:
    """Where jieba keeps its dictionary cache (call before the first segmentation)."""
    global _cache_dir
    _cache_dir = Path(cache_dir)


def _jieba():
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                logging.getLogger("jieba").setLevel(logging.WARNING)
                directory = _cache_dir or Path(tempfile.gettempdir())
                directory.mkdir(parents=True, exist_ok=True)
                tokenizer = jieba.Tokenizer()
                tokenizer.tmp_dir = str(directory)
                tokenizer.cache_file = "jieba.hotline.cache"
                tokenizer.initialize()
                _tokenizer = tokenizer
    return _tokenizer


def normalise(text: str) -> str:
    """Full-width to half-width (NFKC), lower case, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def words(text: str, *, stopwords: bool = True) -> list[str]:
    """The words of `text` for the index: jieba's search mode (社保卡 gives 社保 and 社保卡),
    normalised, without punctuation, and without stop words unless `stopwords` is False."""
    found = []
    for word in _jieba().cut_for_search(normalise(text)):
        word = _UNSAFE.sub("", word.strip())
        if not word or not _WORD.search(word):
            continue
        if stopwords and word in STOPWORDS:
            continue
        found.append(word)
    return found


def index_text(*texts: str) -> str:
    """The space-separated words of `texts`, as the index stores them."""
    return " ".join(w for text in texts for w in words(text))


@dataclass(frozen=True)
class Concept:
    """One word of a query and the words that stand for it (its synonyms): any matches.
    An alternative of several words (a phrase synonym) matches when all its words do."""

    word: str
    alternatives: tuple[tuple[str, ...], ...]


def expand(query: str, synonyms: Mapping[str, Sequence[str]]) -> list[Concept]:
    """The query's words, each with its synonyms' words (`synonyms`: term -> the other
    terms of its group). Words found again as another word's synonym are not repeated."""
    concepts: list[Concept] = []
    seen: set[str] = set()
    text = normalise(query)
    query_words = words(text)
    # A synonym term the segmenter splits (社会保障卡) is still found in the query as typed.
    # (Never one with a character the query languages read: an editor's 他's would break it.)
    whole = [
        t
        for t in synonyms
        if len(t) > 1 and t in text and t not in query_words and not _UNSAFE.search(t)
    ]
    for word in [*whole, *query_words]:
        if word in seen:
            continue
        seen.add(word)
        alternatives: list[tuple[str, ...]] = [(word,)]
        for other in synonyms.get(word, ()):
            parts = tuple(words(other)) or (_UNSAFE.sub("", normalise(other)),)
            if parts not in alternatives and all(parts):
                alternatives.append(parts)
            seen.update(parts if len(parts) == 1 else ())
        concepts.append(Concept(word, tuple(alternatives)))
    return concepts


def _quote_fts5(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def fts5_query(concepts: Iterable[Concept]) -> str:
    """The FTS5 MATCH expression: any concept, each as any of its alternatives."""
    parts = []
    for concept in concepts:
        options = [" AND ".join(_quote_fts5(w) for w in alt) for alt in concept.alternatives]
        parts.append("(" + " OR ".join(f"({o})" for o in options) + ")")
    return " OR ".join(parts)


def tsquery(concept: Concept) -> str:
    """One concept as PostgreSQL to_tsquery('simple', …) text."""
    options = [" & ".join(f"'{w}'" for w in alt) for alt in concept.alternatives]
    return " | ".join(f"({o})" for o in options)


def snippet(text: str, query_words: Iterable[str], width: int = 80) -> str:
    """About `width` characters of `text` around the first query word found in it (the
    beginning when none is), with … where it was cut."""
    plain = " ".join(text.split())
    if len(plain) <= width:
        return plain
    lowered = plain.lower()
    positions = [p for w in query_words if w and (p := lowered.find(w.lower())) >= 0]
    start = max(0, min(positions) - width // 4) if positions else 0
    start = min(start, len(plain) - width)
    piece = plain[start : start + width]
    return ("…" if start > 0 else "") + piece + ("…" if start + width < len(plain) else "")


def split_list(value: str) -> list[str]:
    """Keywords as typed: separated by ，、,; ； or whitespace (one per line is stored)."""
    return [w for w in re.split(r"[，、,;；\s]+", value) if w]


def parse_groups(text: str) -> list[list[str]]:
    """Synonym groups as edited: one group per line, its terms separated like keywords;
    a line of fewer than two terms is no group."""
    groups = []
    for line in text.splitlines():
        terms = list(dict.fromkeys(normalise(t) for t in split_list(line)))
        if len(terms) >= 2:
            groups.append(terms)
    return groups
