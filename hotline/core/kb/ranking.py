"""BM25F, the one ranking both databases end with: each database's full-text index finds
and pre-ranks candidates (FTS5's bm25() on SQLite, ts_rank on PostgreSQL), and this orders
them, so the same query gives the same results on both."""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from hotline.core.kb.text import Concept

K1 = 1.2
B = 0.75
# Field weights: title, keywords + alternative questions, answer.
WEIGHTS = (10.0, 5.0, 1.0)


@dataclass(frozen=True)
class Statistics:
    """The collection's size and each field's average length (characters of its words)."""

    documents: int
    average_lengths: tuple[float, float, float]


def idf(documents: int, matching: int) -> float:
    """BM25's inverse document frequency (never negative)."""
    return math.log(1 + (documents - matching + 0.5) / (matching + 0.5))


@dataclass(frozen=True)
class Prepared:
    """A concept's alternatives as the padded strings `score` counts: single words, and
    the words of each multi-word alternative."""

    singles: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]


def prepare(concepts: Sequence[Concept]) -> list[Prepared]:
    """The concepts in the form `score` counts fastest (once per query)."""
    return [
        Prepared(
            tuple(f" {a[0]} " for a in c.alternatives if len(a) == 1),
            tuple(tuple(f" {w} " for w in a) for a in c.alternatives if len(a) > 1),
        )
        for c in concepts
    ]


def score(
    fields: Sequence[str],
    concepts: Sequence[Prepared],
    idfs: Sequence[float],
    stats: Statistics,
) -> float:
    """BM25F of one document: `fields` are its title, question and answer words (space
    separated); each concept counts as any of its alternatives."""
    # Words doubly spaced, so that " word " finds every occurrence (str.count, in C).
    padded = [f" {f.replace(' ', '  ')} " for f in fields]
    scales = [
        weight / (1 - B + B * (len(f) / average if average else 1.0))
        for f, weight, average in zip(fields, WEIGHTS, stats.average_lengths, strict=True)
    ]
    total = 0.0
    for concept, weight_idf in zip(concepts, idfs, strict=True):
        tf = 0.0
        for text, scale in zip(padded, scales, strict=True):
            frequency = 0
            for word in concept.singles:
                frequency += text.count(word)
            for phrase in concept.phrases:
                frequency += min(text.count(word) for word in phrase)
            if frequency:
                tf += scale * frequency
        if tf:
            total += weight_idf * tf * (K1 + 1) / (tf + K1)
    return total
