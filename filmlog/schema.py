"""The journal's format: its tables, its schema version, and stored documents as reviews.

Everything that reads or writes a journal file (storage, sessions, doctor,
importers) takes the format from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from filmlog import clock
from filmlog.errors import CorruptJournal, InvalidInput
from filmlog.model import Review, ReviewSummary, is_int

FORMAT_NAME = "filmlog"
SCHEMA_VERSION = 2
META_TABLE = "_filmlog"
REVIEWS_TABLE = "reviews"
META_ID = 1
TOMBSTONES_TABLE = "tombstones"  # deleted reviews (see filmlog.tombstones)
CONFLICTS_TABLE = "conflicts"  # the values merges set aside (see filmlog.merging)
WATCHLIST_TABLE = "watchlist"  # films to see (see filmlog.watchlist)
WATCHLIST_TOMBSTONES_TABLE = "watchlist-tombstones"  # films taken off it
SIDE_TABLES = (TOMBSTONES_TABLE, CONFLICTS_TABLE)

Documents = list[tuple[int, dict[str, Any]]]  # stored review documents with their IDs


def now() -> datetime:
    """The current moment in the local time zone, timezone-aware."""
    return clock.now()


def empty_tables() -> dict[str, Any]:
    """The tables of a journal with no reviews yet."""
    meta = {"format": FORMAT_NAME, "schema": SCHEMA_VERSION, "next_id": 1}
    return {META_TABLE: {str(META_ID): meta}, REVIEWS_TABLE: {}}


Built = TypeVar("Built", Review, ReviewSummary)


class FormatProblem(Enum):
    """What :func:`check_format` found wrong with a file's format marker."""

    NOT_A_JOURNAL = "not a journal"  # no filmlog marker: another file altogether
    INVALID_SCHEMA = "invalid schema"
    NEWER_SCHEMA = "newer schema"  # no damage: a newer filmlog wrote it


def check_format(data: object) -> tuple[FormatProblem | None, object]:
    """What is wrong with the format marker of a parsed journal (None when nothing), and the
    schema version it names. The one check of it: reads, doctor and imports all use it."""
    meta_table = data.get(META_TABLE) if isinstance(data, dict) else None
    meta = meta_table.get(str(META_ID)) if isinstance(meta_table, dict) else None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        return FormatProblem.NOT_A_JOURNAL, None
    schema = meta.get("schema")
    if not is_int(schema) or schema < 1:
        return FormatProblem.INVALID_SCHEMA, schema
    if schema > SCHEMA_VERSION:
        return FormatProblem.NEWER_SCHEMA, schema
    return None, schema


def from_doc(kind: type[Built], doc: Mapping[str, Any], review_id: int, path: Path) -> Built:
    """A stored document as a Review (or ReviewSummary); CorruptJournal if it is not one."""
    try:
        return kind.from_dict(doc, review_id)
    except InvalidInput as exc:
        raise CorruptJournal(f"journal {path}: review {review_id} is damaged ({exc})") from None


def documents_of(tables: dict[str, Any], path: Path) -> Documents:
    """The stored review documents with their IDs, in ID order."""
    docs: dict[str, Any] = tables[REVIEWS_TABLE]
    try:
        ids = sorted((int(key), key) for key in docs)
    except ValueError:
        raise CorruptJournal(f"journal {path} has a review with a non-numeric ID") from None
    return [(review_id, docs[key]) for review_id, key in ids]


def reviews_of(tables: dict[str, Any], path: Path) -> list[Review]:
    """Every stored review, in ID order."""
    return [from_doc(Review, doc, review_id, path) for review_id, doc in documents_of(tables, path)]
