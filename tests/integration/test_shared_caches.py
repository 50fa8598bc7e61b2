"""Caches kept per process follow a change another host made: a version token in the
database, read with the data's own check, tells every process to read again."""

from sqlalchemy import update

from hotline.database import write_transaction
from hotline.models import KbSynonym
from hotline.plugins import db
from hotline.services import versions
from hotline.services.kb import search, synonyms


def test_a_synonym_edited_on_another_host_is_seen_at_once(app):
    with app.app_context():
        synonyms.save_group(db.session, ["社保卡", "社会保障卡"])
        assert search.synonyms(db.session)["社保卡"] == ("社会保障卡",)
        # Another host renames a term in place (same row, same count, same newest id) and
        # bumps the version in its transaction; this process's cache is not told directly.
        with write_transaction(db.session):
            db.session.execute(
                update(KbSynonym).where(KbSynonym.term == "社会保障卡").values(term="市民卡")
            )
            versions.bump(db.session, search.SYNONYMS_VERSION)
        assert search.synonyms(db.session)["社保卡"] == ("市民卡",)


def test_a_version_token_is_new_each_time(app):
    with app.app_context():
        assert versions.current(db.session, "some_cache") is None
        seen = set()
        for _ in range(3):
            with write_transaction(db.session):
                versions.bump(db.session, "some_cache")
            seen.add(versions.current(db.session, "some_cache"))
        assert len(seen) == 3
