"""The knowledge base's demonstration content: kb_articles.csv (published, marked synthetic)
and kb_synonyms.csv, loaded idempotently."""

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from hotline.services.kb import importing, synonyms

HERE = Path(__file__).resolve().parent
ARTICLES = HERE / "kb_articles.csv"
SYNONYMS = HERE / "kb_synonyms.csv"


def seed_kb(session: Session, now: datetime) -> tuple[int, int]:
    """Load the demo synonyms and articles (published by the system); (new articles,
    synonym groups read). Articles already there (same category and title) are skipped."""
    groups = synonyms.load_csv(session, SYNONYMS.read_bytes()) if SYNONYMS.exists() else 0
    created = 0
    if ARTICLES.exists():
        result = importing.import_file(
            session,
            ARTICLES.read_bytes(),
            ARTICLES.name,
            now=now,
            publish=True,
            synthetic=True,
            skip_existing=True,
        )
        created = len(result.created)
    return created, groups
