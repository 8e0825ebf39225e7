"""Deleted reviews remembered: one tombstone (UUID, ID, deletion time) per deleted review.

A merge of two copies of a journal must tell "deleted here" from "never seen
here", or a review deleted on one machine comes back from the other. So a
delete leaves ``{"uuid", "id", "deleted_at"}`` in the journal's own
``tombstones`` table (a TinyDB table like ``reviews``). Tombstones are kept
forever: one is about a hundred bytes, so ten thousand deletions cost a
megabyte, and a copy of the journal that was offline for years still merges
right. They are invisible to every command except the filmlog JSON export,
which carries them so that deletions travel through exports too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from filmlog.errors import InvalidInput
from filmlog.schema import TOMBSTONES_TABLE as TABLE  # re-exported: the table of this module

__all__ = ["TABLE", "Tombstone", "read", "table"]


@dataclass(frozen=True, slots=True)
class Tombstone:
    """A deleted review: its UUID (its identity), its old ID and when it was deleted."""

    uuid: str
    id: int
    deleted_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "id": self.id, "deleted_at": self.deleted_at.isoformat()}

    @classmethod
    def from_dict(cls, doc: object) -> Tombstone:
        """A tombstone from its stored form; InvalidInput naming what is wrong."""
        if not isinstance(doc, Mapping):
            raise InvalidInput("not a record")
        uuid, review_id, deleted_at = doc.get("uuid"), doc.get("id"), doc.get("deleted_at")
        if not isinstance(uuid, str) or not uuid.strip():
            raise InvalidInput("it has no uuid")
        if isinstance(review_id, bool) or not isinstance(review_id, int) or review_id < 1:
            raise InvalidInput(f"its id {review_id!r} is not a positive whole number")
        try:
            moment = datetime.fromisoformat(deleted_at) if isinstance(deleted_at, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise InvalidInput(f"its deleted_at {deleted_at!r} is not a time with a time zone")
        return cls(uuid, review_id, moment)


def read(tables: Mapping[str, Any]) -> list[Tombstone]:
    """The tombstones of a journal's tables, in stored order; InvalidInput if one is damaged."""
    table = tables.get(TABLE) or {}
    if not isinstance(table, Mapping):
        raise InvalidInput("the tombstones table is not a table")
    found = []
    for key, doc in table.items():
        try:
            found.append(Tombstone.from_dict(doc))
        except InvalidInput as exc:
            raise InvalidInput(f"tombstone {key} is damaged ({exc})") from None
    return found


def table(tombstones: Iterable[Tombstone]) -> dict[str, dict[str, Any]]:
    """The stored table: one tombstone per UUID, ordered by ID then UUID, keyed 1, 2, 3...

    The same tombstones always give the same table, whatever order they came in,
    so two machines that merged the same changes hold the same bytes.
    """
    unique: dict[str, Tombstone] = {}
    for tombstone in tombstones:
        held = unique.get(tombstone.uuid)
        # Deleted twice (on two machines): the first deletion is the one remembered.
        if held is None or _order(tombstone) < _order(held):
            unique[tombstone.uuid] = tombstone
    ordered = sorted(unique.values(), key=lambda t: (t.id, t.uuid))
    return {str(n): tombstone.to_dict() for n, tombstone in enumerate(ordered, 1)}


def _order(tombstone: Tombstone) -> tuple[datetime, int]:
    return tombstone.deleted_at, tombstone.id
