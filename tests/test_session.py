"""Changes inside a transaction, on a real journal file: batches, all or nothing, TinyDB layout."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from tinydb import TinyDB

from filmlog.errors import InvalidInput, NotFound
from filmlog.model import Review
from filmlog.storage import Journal

OLD = datetime(2020, 1, 2, 3, 4, 5).astimezone()


def filled(path: Path, count: int) -> Journal:
    journal = Journal(path)
    with journal.transaction() as session:
        session.add_many(Review(f"Film {n}", year=2000 + n % 20) for n in range(1, count + 1))
    return journal


def test_update_many_changes_every_review_in_one_write(tmp_path: Path) -> None:
    journal = filled(tmp_path / "j.json", 5)
    with journal.transaction() as session:
        changed = [session.get(n).copy(rating=n * 2) for n in (2, 4)]
        returned = session.update_many(changed)

    assert returned == changed
    assert [r.rating for r in journal.reviews()] == [None, 4, None, 8, None]
    stamps = {r.updated_at for r in returned}
    assert len(stamps) == 1 and None not in stamps  # one moment for the whole batch


def test_update_many_without_stamp_keeps_updated_at(tmp_path: Path) -> None:
    journal = filled(tmp_path / "j.json", 2)
    with journal.transaction() as session:
        session.update_many([session.get(1).copy(headline="kept", updated_at=OLD)], stamp=False)

    assert journal.get(1).updated_at == OLD
    assert journal.get(1).headline == "kept"


def test_update_many_with_a_missing_id_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "j.json"
    journal = filled(path, 3)
    before = path.read_bytes()
    with pytest.raises(NotFound, match="no review with ID 9"), journal.transaction() as session:
        first = session.get(1).copy(rating=10)
        try:
            session.update_many([first, Review("Gone", id=9)])
        finally:
            # Nothing was applied, not even the review before the missing one.
            assert session.get(1).rating is None
            assert not session.changed
    assert path.read_bytes() == before


def test_update_many_with_an_invalid_review_changes_nothing(tmp_path: Path) -> None:
    journal = filled(tmp_path / "j.json", 3)
    with journal.transaction() as session:
        good = session.get(1).copy(rating=10)
        bad = session.get(2).copy(rating=11)
        with pytest.raises(InvalidInput):
            session.update_many([good, bad])
        assert session.get(1).rating is None
        assert not session.changed


def test_update_many_of_nothing_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "j.json"
    journal = filled(path, 1)
    before = path.stat().st_mtime_ns
    with journal.transaction() as session:
        assert session.update_many([]) == []
        assert session.add_many([]) == []
        assert not session.changed
    assert path.stat().st_mtime_ns == before


def test_update_keeps_fields_this_version_does_not_know(tmp_path: Path) -> None:
    path = tmp_path / "j.json"
    filled(path, 1)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["reviews"]["1"]["from_the_future"] = "kept"
    path.write_text(json.dumps(data), encoding="utf-8")
    journal = Journal(path)
    with journal.transaction() as session:
        session.update(session.get(1).copy(rating=6))

    stored = json.loads(path.read_text(encoding="utf-8"))["reviews"]["1"]
    assert stored["from_the_future"] == "kept" and stored["rating"] == 6


def test_the_journal_stays_a_database_tinydb_opens(tmp_path: Path) -> None:
    path = tmp_path / "j.json"
    journal = filled(path, 4)
    with journal.transaction() as session:
        session.update_many([session.get(2).copy(rating=7)])
        session.delete([3])
        session.add(Review("Late"))

    db = TinyDB(path, access_mode="r")
    try:
        titles = {doc.doc_id: doc["title"] for doc in db.table("reviews").all()}
        meta = db.table("_filmlog").get(doc_id=1)
        rating = db.table("reviews").get(doc_id=2)
    finally:
        db.close()
    assert titles == {1: "Film 1", 2: "Film 2", 4: "Film 4", 5: "Late"}
    assert isinstance(meta, dict) and meta["next_id"] == 6
    assert isinstance(rating, dict) and rating["rating"] == 7


def test_a_large_batch_is_applied_whole(tmp_path: Path) -> None:
    journal = filled(tmp_path / "j.json", 600)
    with journal.transaction() as session:
        session.update_many(r.copy(verdict="Seen") for r in session.reviews() if r.id % 2)

    verdicts = [r.verdict for r in journal.reviews()]
    assert verdicts == ["Seen" if n % 2 else None for n in range(1, 601)]


def test_reviews_with_builds_only_the_uuids_asked_for(tmp_path: Path) -> None:
    journal = filled(tmp_path / "j.json", 5)
    with journal.transaction() as session:
        every = session.reviews()
        wanted = {every[3].uuid, every[1].uuid, "not-stored"}
        assert session.reviews_with(wanted) == [every[1], every[3]]
        assert session.reviews_with(set()) == []
