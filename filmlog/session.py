"""Changes to a journal inside one locked transaction, made on its tables in memory.

:meth:`filmlog.storage.Journal.transaction` reads the journal and hands a
:class:`Session` its tables; the session changes them with plain dict
operations, and the journal writes the result once, atomically.

The tables keep TinyDB's layout (``{"table": {"id": document}}``), so the file
stays a database TinyDB opens. TinyDB itself is not used to change them: its
``Table`` rebuilds the whole table on every update (milliseconds per review in
a large journal), which made updating many reviews cost reviews times journal.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from filmlog import tombstones
from filmlog.errors import NotFound
from filmlog.model import Review
from filmlog.schema import (
    META_ID,
    META_TABLE,
    REVIEWS_TABLE,
    documents_of,
    from_doc,
    now,
    reviews_of,
)


class Session:
    """Changes to a journal inside one locked transaction, applied to its tables in memory."""

    def __init__(self, tables: dict[str, Any], path: Path) -> None:
        self.path = path
        self._tables = tables
        self._docs: dict[str, dict[str, Any]] = tables.setdefault(REVIEWS_TABLE, {})
        self.changed = False
        self._cache: list[Review] | None = None

    def tables(self) -> dict[str, Any]:
        return self._tables

    def reviews(self) -> list[Review]:
        """Every review as it stands in this transaction, in ID order."""
        if self._cache is None:
            self._cache = reviews_of(self._tables, self.path)
        return self._cache

    def reviews_with(self, uuids: Collection[str]) -> list[Review]:
        """The reviews whose UUID is one of ``uuids``, in ID order; only they are built."""
        # Picked before sorting: an import of a few reviews into a large journal
        # should not pay for ordering all of it.
        picked = {key: doc for key, doc in self._docs.items() if doc.get("uuid") in uuids}
        return [
            from_doc(Review, doc, review_id, self.path)
            for review_id, doc in documents_of({REVIEWS_TABLE: picked}, self.path)
        ]

    def get(self, review_id: int) -> Review:
        doc = self._docs.get(str(review_id))
        if doc is None:
            raise NotFound(f"no review with ID {review_id}")
        return from_doc(Review, doc, review_id, self.path)

    def _meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = self._tables.setdefault(META_TABLE, {}).setdefault(str(META_ID), {})
        return meta

    def _next_id(self) -> int:
        counter = self._meta().get("next_id", 1)
        # A hand-edited counter must never hand out an ID that is still in use.
        highest = max((int(k) for k in self._docs), default=0)
        return max(counter if isinstance(counter, int) else 1, highest + 1)

    def known_spellings(self, attribute: str) -> dict[str, str]:
        """casefolded -> first spelling used, over ``genres`` or ``tags`` of every review."""
        known: dict[str, str] = {}
        docs = self._docs
        # Raw documents, in ID order: building every Review just for this would slow each add.
        for key in sorted(docs, key=int):
            for value in docs[key].get(attribute) or ():
                if isinstance(value, str):
                    known.setdefault(value.casefold(), value)
        return known

    def same_film(self, review: Review) -> list[int]:
        """The IDs of the other reviews of ``review``'s film, oldest first: the same title
        ignoring case, accents and spacing, and the same year (or no year on one side)."""
        from filmlog.folding import fold

        title = " ".join(fold(review.title).split())
        found = []
        # Raw documents, as in known_spellings: one check should not build every review.
        # The year first: it rules out most reviews before their titles are folded.
        for key, doc in self._docs.items():
            other, year = doc.get("title"), doc.get("year")
            if not isinstance(other, str) or not (
                review.year is None or year is None or year == review.year
            ):
                continue
            if int(key) != review.id and " ".join(fold(other).split()) == title:
                found.append(int(key))
        return sorted(found)

    def add(self, review: Review) -> Review:
        """Store a new review under a fresh ID; returns it with ID and timestamps set."""
        return self.add_many([review])[0]

    def add_many(self, reviews: Iterable[Review]) -> list[Review]:
        """Store many reviews, each under a fresh ID; all are checked before any is stored."""
        added = [review.validate() for review in reviews]
        if not added:
            return added
        next_id = self._next_id()
        stamp = now()
        for review in added:
            review.id = next_id
            next_id += 1
            review.logged_at = review.logged_at or stamp
            review.updated_at = review.updated_at or stamp
            self._docs[str(review.id)] = review.to_dict()
        self._meta()["next_id"] = next_id
        self._forget_deletions({review.uuid for review in added})
        self._touch()
        return added

    def update(self, review: Review, *, stamp: bool = True) -> Review:
        """Replace a stored review by ID; sets ``updated_at`` unless ``stamp`` is False."""
        return self.update_many([review], stamp=stamp)[0]

    def update_many(self, reviews: Iterable[Review], *, stamp: bool = True) -> list[Review]:
        """Replace stored reviews by ID in one pass; sets ``updated_at`` unless ``stamp`` is False.

        Every review is checked, and every ID looked up, before anything changes:
        an invalid review or a missing ID (NotFound) leaves the session as it was.
        """
        updated = list(reviews)
        for review in updated:
            if review.id is None or str(review.id) not in self._docs:
                raise NotFound(f"no review with ID {review.id}")
            review.validate()
        if not updated:
            return updated
        moment = now() if stamp else None
        for review in updated:
            if moment is not None:
                review.updated_at = moment
            # Merged into the stored document, as TinyDB's update did: a field this
            # version does not know survives the change.
            self._docs[str(review.id)].update(review.to_dict())
        self._touch()
        return updated

    def delete(self, review_ids: Iterable[int]) -> list[Review]:
        """Remove reviews by ID (all must exist), leaving a tombstone of each; returns them."""
        removed = [self.get(review_id) for review_id in dict.fromkeys(review_ids)]
        for review in removed:
            del self._docs[str(review.id)]
        if removed:
            stamp = now()
            stones = self._tables.setdefault(tombstones.TABLE, {})
            # Keyed as TinyDB keys a table's documents: one more than the highest key.
            key = max(map(int, stones), default=0)
            for review in removed:
                if review.id is None:  # never: read from the journal, so numbered
                    continue
                key += 1
                stones[str(key)] = tombstones.Tombstone(review.uuid, review.id, stamp).to_dict()
            self._touch()
        return removed

    def replace(self, tables: dict[str, Any]) -> None:
        """Put whole tables in place of the journal's (a merge's result), written at the end."""
        self._tables.clear()
        self._tables.update(tables)
        self._docs = self._tables.setdefault(REVIEWS_TABLE, {})
        self._touch()

    def _forget_deletions(self, uuids: set[str]) -> None:
        """Drop the tombstones of reviews added back (an import of a review deleted before)."""
        stones = self._tables.get(tombstones.TABLE)
        if stones:
            for key in [key for key, doc in stones.items() if doc.get("uuid") in uuids]:
                del stones[key]

    def _touch(self) -> None:
        self.changed = True
        self._cache = None
