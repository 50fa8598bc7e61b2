"""同义词: groups of terms that stand for each other in a query (editable, seeded)."""

import csv
import io
from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hotline.core.kb.text import normalise
from hotline.database import write_transaction
from hotline.models import KbSynonym
from hotline.services import versions
from hotline.services.errors import ValidationFailed
from hotline.services.kb.search import SYNONYMS_VERSION, forget_synonyms


def groups(session: Session) -> list[list[str]]:
    """Every group's terms, in order of the group and term."""
    found: dict[int, list[str]] = {}
    rows = session.execute(select(KbSynonym.group_id, KbSynonym.term).order_by(KbSynonym.id))
    for group, term in rows:
        found.setdefault(group, []).append(term)
    return list(found.values())


def _clean(terms: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for term in terms:
        term = normalise(term)
        if term and term not in cleaned:
            cleaned.append(term)
    if any(len(t) > 64 for t in cleaned):
        raise ValidationFailed({"terms": "too_long"})
    return cleaned


def add_group_in_transaction(session: Session, terms: Iterable[str]) -> int | None:
    """Join `terms` into one group, merging the groups some already belong to; the group's
    id (None: fewer than two terms)."""
    cleaned = _clean(terms)
    if len(cleaned) < 2:
        return None
    existing = session.execute(
        select(KbSynonym.term, KbSynonym.group_id).where(KbSynonym.term.in_(cleaned))
    ).all()
    known = {term for term, _ in existing}
    if existing:
        group = min(g for _, g in existing)
        others = {g for _, g in existing} - {group}
        if others:
            for row in session.scalars(select(KbSynonym).where(KbSynonym.group_id.in_(others))):
                row.group_id = group
    else:
        group = (session.scalar(select(func.max(KbSynonym.group_id))) or 0) + 1
    session.add_all(KbSynonym(term=t, group_id=group) for t in cleaned if t not in known)
    session.flush()
    return group


def save_group(session: Session, terms: Iterable[str], *, group_id: int | None = None) -> None:
    """Replace group `group_id` (or add a new one) by `terms`; fewer than two removes it."""
    with write_transaction(session):
        if group_id is not None:
            session.execute(delete(KbSynonym).where(KbSynonym.group_id == group_id))
            session.flush()
        add_group_in_transaction(session, terms)
        versions.bump(session, SYNONYMS_VERSION)
    forget_synonyms()


def replace_all(session: Session, groups: Iterable[Iterable[str]]) -> int:
    """The synonym table becomes `groups` (a term in two groups joins them); the number of
    groups kept."""
    with write_transaction(session):
        session.execute(delete(KbSynonym))
        session.flush()
        kept = {add_group_in_transaction(session, terms) for terms in groups} - {None}
        versions.bump(session, SYNONYMS_VERSION)
    forget_synonyms()
    return len(kept)


def load_csv(session: Session, data: bytes) -> int:
    """Load `term,synonyms` rows (synonyms separated by |), adding to what is there; the
    number of groups read."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    count = 0
    with write_transaction(session):
        for i, row in enumerate(reader):
            if not row or (i == 0 and row[0].strip().lower() in {"term", "词", "词语", "术语"}):
                continue
            terms = [row[0], *(t for cell in row[1:] for t in cell.split("|"))]
            if add_group_in_transaction(session, terms) is not None:
                count += 1
        versions.bump(session, SYNONYMS_VERSION)
    forget_synonyms()
    return count
