"""Changes to a journal inside one locked transaction, made through TinyDB.

:meth:`filmlog.storage.Journal.transaction` reads the journal and hands a
:class:`Session` its tables; TinyDB works on them in memory, and the journal
writes the result once, atomically. Reads never need TinyDB, so it is imported
only here.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from filmlog import tombstones
from filmlog.errors import NotFound
from filmlog.model import Review
from filmlog.storage import (
    META_ID,
    META_TABLE,
    REVIEWS_TABLE,
    from_doc,
    now,
    reviews_of,
)


class _MemoryStorage(Storage):
    """Hands TinyDB the already-read tables and keeps what it writes in memory."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def read(self) -> dict[str, Any]:
        return self.data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self.data = data


class Session:
    """Changes to a journal inside one locked transaction, applied through TinyDB in memory."""

    def __init__(self, tables: dict[str, Any], path: Path) -> None:
        self.path = path
        self._storage = _MemoryStorage(tables)
        self._db = TinyDB(storage=lambda: self._storage)
        self._reviews: Table = self._db.table(REVIEWS_TABLE)
        self._meta: Table = self._db.table(META_TABLE)
        self._tombstones: Table = self._db.table(tombstones.TABLE)
        self.changed = False
        self._cache: list[Review] | None = None

    def tables(self) -> dict[str, Any]:
        return self._storage.data

    def reviews(self) -> list[Review]:
        """Every review as it stands in this transaction, in ID order."""
        if self._cache is None:
            self._cache = reviews_of(self.tables(), self.path)
        return self._cache

    def get(self, review_id: int) -> Review:
        doc = self._reviews.get(doc_id=review_id)
        if doc is None:
            raise NotFound(f"no review with ID {review_id}")
        return from_doc(Review, doc, review_id, self.path)

    def _next_id(self) -> int:
        meta = self._meta.get(doc_id=META_ID)
        counter = meta.get("next_id", 1) if isinstance(meta, dict) else 1
        # A hand-edited counter must never hand out an ID that is still in use.
        highest = max((int(k) for k in self.tables()[REVIEWS_TABLE]), default=0)
        return max(counter if isinstance(counter, int) else 1, highest + 1)

    def known_spellings(self, attribute: str) -> dict[str, str]:
        """casefolded -> first spelling used, over ``genres`` or ``tags`` of every review."""
        known: dict[str, str] = {}
        docs = self.tables()[REVIEWS_TABLE]
        # Raw documents, in ID order: building every Review just for this would slow each add.
        for key in sorted(docs, key=int):
            for value in docs[key].get(attribute) or ():
                if isinstance(value, str):
                    known.setdefault(value.casefold(), value)
        return known

    def add(self, review: Review) -> Review:
        """Store a new review under a fresh ID; returns it with ID and timestamps set."""
        return self.add_many([review])[0]

    def add_many(self, reviews: Iterable[Review]) -> list[Review]:
        """Store many reviews in one TinyDB update, each under a fresh ID."""
        next_id = self._next_id()
        stamp = now()
        added: list[Review] = []
        docs: list[Document] = []
        for review in reviews:
            review.validate()
            review.id = next_id
            next_id += 1
            review.logged_at = review.logged_at or stamp
            review.updated_at = review.updated_at or stamp
            docs.append(Document(review.to_dict(), doc_id=review.id))
            added.append(review)
        if docs:
            self._reviews.insert_multiple(docs)
            self._meta.update({"next_id": next_id}, doc_ids=[META_ID])
            self._forget_deletions({review.uuid for review in added})
            self._touch()
        return added

    def update(self, review: Review, *, stamp: bool = True) -> Review:
        """Replace a stored review by ID; sets ``updated_at`` unless ``stamp`` is False."""
        if review.id is None or not self._reviews.contains(doc_id=review.id):
            raise NotFound(f"no review with ID {review.id}")
        review.validate()
        if stamp:
            review.updated_at = now()
        self._reviews.update(review.to_dict(), doc_ids=[review.id])
        self._touch()
        return review

    def delete(self, review_ids: Iterable[int]) -> list[Review]:
        """Remove reviews by ID (all must exist), leaving a tombstone of each; returns them."""
        removed = [self.get(review_id) for review_id in dict.fromkeys(review_ids)]
        if removed:
            self._reviews.remove(doc_ids=[r.id for r in removed if r.id is not None])
            stamp = now()
            self._tombstones.insert_multiple(
                tombstones.Tombstone(r.uuid, r.id, stamp).to_dict()
                for r in removed
                if r.id is not None
            )
            self._touch()
        return removed

    def replace(self, tables: dict[str, Any]) -> None:
        """Put whole tables in place of the journal's (a merge's result), written at the end."""
        self._storage.data = tables
        for table in (self._reviews, self._meta, self._tombstones):
            table.clear_cache()
        self._touch()

    def _forget_deletions(self, uuids: set[str]) -> None:
        """Drop the tombstones of reviews added back (an import of a review deleted before)."""
        if self.tables().get(tombstones.TABLE):
            self._tombstones.remove(lambda doc: doc.get("uuid") in uuids)

    def _touch(self) -> None:
        self.changed = True
        self._cache = None
