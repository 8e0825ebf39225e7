"""The journal's format: its tables, its schema version, and stored documents as reviews.

Everything that reads or writes a journal file (storage, sessions, doctor,
importers) takes the format from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from filmlog import clock
from filmlog.errors import CorruptJournal, InvalidInput
from filmlog.model import Review, ReviewSummary

FORMAT_NAME = "filmlog"
SCHEMA_VERSION = 2
META_TABLE = "_filmlog"
REVIEWS_TABLE = "reviews"
META_ID = 1

Documents = list[tuple[int, dict[str, Any]]]  # stored review documents with their IDs


def now() -> datetime:
    """The current moment in the local time zone, timezone-aware."""
    return clock.now()


def _empty_tables() -> dict[str, Any]:
    meta = {"format": FORMAT_NAME, "schema": SCHEMA_VERSION, "next_id": 1}
    return {META_TABLE: {str(META_ID): meta}, REVIEWS_TABLE: {}}


_Built = TypeVar("_Built", Review, ReviewSummary)


def from_doc(kind: type[_Built], doc: Mapping[str, Any], review_id: int, path: Path) -> _Built:
    try:
        return kind.from_dict(doc, review_id)
    except InvalidInput as exc:
        raise CorruptJournal(f"journal {path}: review {review_id} is damaged ({exc})") from None


def documents_of(tables: dict[str, Any], path: Path) -> Documents:
    docs: dict[str, Any] = tables[REVIEWS_TABLE]
    try:
        ids = sorted((int(key), key) for key in docs)
    except ValueError:
        raise CorruptJournal(f"journal {path} has a review with a non-numeric ID") from None
    return [(review_id, docs[key]) for review_id, key in ids]


def reviews_of(tables: dict[str, Any], path: Path) -> list[Review]:
    return [from_doc(Review, doc, review_id, path) for review_id, doc in documents_of(tables, path)]
